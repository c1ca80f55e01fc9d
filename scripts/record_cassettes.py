"""Re-record every cassette: from the local emulator (default) or the live API.

    python scripts/record_cassettes.py            # every cassette, from tests/emulator, offline
    MAVERA_API_KEY=mvra_live_... python scripts/record_cassettes.py --live

With no arguments it deletes every cassette under cassettes/ (so none from a
removed test or an old request survives), records each example
(cassettes/examples/<name>.yaml), then every test's cassettes with
`pytest --record-mode=rewrite`, then replays the whole suite offline to check
the new cassettes. Extra arguments go to pytest and record only that part of
the suite (nothing is deleted then), e.g. a test path or `-k panel`;
`--examples-only quickstart` records just that example. Review the diff of
cassettes/ before committing; tests/test_cassette_hygiene.py checks that no
key-like string was recorded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # a script, not an example: it starts tests/emulator

from cassettes.vcr_settings import CASSETTE_DIR  # noqa: E402

EXAMPLES_WITH_CASSETTES = sorted(
    path for path in (ROOT / "examples").glob("*.py") if not path.name.startswith("_")
)


def _record_examples(env: dict[str, str], only: list[str]) -> None:
    for example in EXAMPLES_WITH_CASSETTES:
        if only and example.stem not in only:
            continue
        # Recording mode "all" keeps the old interactions no new request matched: start empty.
        (CASSETTE_DIR / "examples" / f"{example.stem}.yaml").unlink(missing_ok=True)
        print(f"-- recording examples/{example.name}", flush=True)
        subprocess.run([sys.executable, str(example)], cwd=ROOT, env=env, check=True)


def _delete_all_cassettes() -> None:
    for cassette in CASSETTE_DIR.rglob("*.yaml"):
        cassette.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--live", action="store_true", help="record against the live API (needs MAVERA_API_KEY)"
    )
    parser.add_argument("--examples-only", nargs="*", metavar="NAME", help="record only these examples")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    args = parser.parse_args()

    env = dict(os.environ, MAVERA_EXAMPLES_RECORD="1")
    if args.live:
        if not env.get("MAVERA_API_KEY"):
            parser.error("--live needs MAVERA_API_KEY set to a real key")
        env["MAVERA_RECORD_TARGET"] = "live"
    everything = args.examples_only is None and not args.pytest_args
    if everything:
        _delete_all_cassettes()
    # Examples first: the example tests replay these cassettes during the pytest run.
    if args.live:
        _record_examples(env, args.examples_only or [])
    elif everything or args.examples_only is not None:
        from tests.emulator import run_emulator

        with run_emulator() as emulator:
            emulator_env = dict(env, MAVERA_BASE_URL=emulator.base_url, MAVERA_API_KEY=emulator.api_key)
            _record_examples(emulator_env, args.examples_only or [])
    if args.examples_only is not None:
        return 0
    pytest_cmd = [sys.executable, "-m", "pytest", "--record-mode=rewrite", *args.pytest_args]
    if everything:
        # Its cassette list is taken at collection, before this run writes any: checked on replay.
        pytest_cmd.append("--ignore=tests/test_cassette_hygiene.py")
    if args.live:
        pytest_cmd.append("--force-enable-socket")
    pytest_env = {key: value for key, value in env.items() if key != "MAVERA_EXAMPLES_RECORD"}
    subprocess.run(pytest_cmd, cwd=ROOT, env=pytest_env, check=True)
    if everything:
        print("-- replaying the whole suite on the new cassettes", flush=True)
        replay_env = {key: value for key, value in pytest_env.items() if not key.startswith("MAVERA_")}
        subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=ROOT, env=replay_env, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
