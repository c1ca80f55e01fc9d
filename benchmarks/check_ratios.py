"""CI's cost check: ChatMavera must not cost more CPU than the raw openai SDK on any per-call case.

`python benchmarks/check_ratios.py` runs every case of `cases.CASES` for
ChatMavera and the raw SDK against the canned server, the two alternating
within each round, and fails (exit 1) when the median over the rounds of
ChatMavera's CPU per call over the SDK's, both taken in the same round, is more
than `MARGIN` on any case. Only ratios of two contenders
measured together are checked, never an absolute time: on a loaded machine a
ratio holds where a time does not. A case over the margin is measured once
more, with fresh rounds, and fails only if it is over the margin again: a burst
of load on a shared machine rarely lands twice on the same case, a regression
is there both times. Both measurements are printed. A few seconds; `.ci/run`
runs it after the tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's langchain_mavera
sys.path.insert(0, str(HERE))

import cases  # noqa: E402  (after the sys.path entries)
from run import canned_server  # noqa: E402

MARGIN = 1.10
"""ChatMavera may cost at most this many times the raw SDK: 10% for noise, not for a regression."""


def measure(pair: dict[str, cases.Call], rounds: int, sample: float) -> float:
    """The median over `rounds` of ChatMavera's CPU per call over the raw SDK's, both in the same round."""
    samples = cases.alternate(pair, rounds, sample)
    # Each round's two samples are taken back to back, so their ratio sees the same load.
    return statistics.median(
        mavera / sdk for mavera, sdk in zip(samples["ChatMavera"], samples["raw"], strict=True)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternations per case (default 7)")
    parser.add_argument("--sample", type=float, default=0.01, help="CPU seconds per sample (default 0.01)")
    args = parser.parse_args(argv)
    failed: list[str] = []
    print(f"{'case':<24} {'ChatMavera / raw SDK':>20}  (fails above {MARGIN:.2f} twice in a row)")
    with canned_server() as base_url, cases.build(base_url, contenders=("ChatMavera", "raw")) as calls:
        for case in cases.CASES:
            pair = {name: call for name, call in calls[case].items() if name in ("ChatMavera", "raw")}
            ratio = measure(pair, args.rounds, args.sample)
            if ratio <= MARGIN:
                print(f"{case:<24} {ratio:>19.2f}x  ok", flush=True)
                continue
            again = measure(pair, args.rounds, args.sample)
            verdict = "ok" if again <= MARGIN else "FAIL"
            print(f"{case:<24} {ratio:>19.2f}x, again {again:.2f}x  {verdict}", flush=True)
            if again > MARGIN:
                failed.append(case)
    if failed:
        print(f"ChatMavera costs more than {MARGIN:.2f}x the raw openai SDK, twice, on: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
