"""Examples are plain user code; the replay is applied from outside their own code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cassettes.vcr_settings import ROOT
from tests.emulator import run_emulator

pytestmark = pytest.mark.loopback

EXAMPLES = sorted(path for path in (ROOT / "examples").glob("*.py") if not path.name.startswith("_"))
REPLAY_IMPORT = re.compile(
    r"^import _replay  # noqa: F401  \(no MAVERA_API_KEY: replays cassettes/examples/(\w+)\.yaml\)$"
)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_example_is_plain_user_code(example: Path) -> None:
    source = example.read_text(encoding="utf-8")
    assert "sys.path" not in source
    assert not re.search(r"^\s*(from|import)\s+tests\b", source, re.MULTILINE)
    assert "offline_or_live" not in source and "vcr" not in source
    # One side-effect import names the cassette it replays, and it is this script's.
    imports = [m.group(1) for line in source.splitlines() if (m := REPLAY_IMPORT.match(line))]
    assert imports == [example.stem]


def test_with_a_key_an_example_calls_the_api_and_leaves_its_cassette_alone() -> None:
    cassette = ROOT / "cassettes" / "examples" / "quickstart.yaml"
    recorded = cassette.read_bytes()
    with run_emulator() as emulator:
        base_url = emulator.base_url
        env = {key: value for key, value in os.environ.items() if not key.startswith(("MAVERA_", "OPENAI_"))}
        env |= {"MAVERA_API_KEY": emulator.api_key, "MAVERA_BASE_URL": emulator.base_url}
        completed = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "quickstart.py")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        served = [request.path for request in emulator.requests]
    assert completed.returncode == 0, completed.stderr[-3000:]
    # Pointed at a local server, the example says where it calls, not "the live Mavera API".
    assert completed.stdout.splitlines()[0] == f"MAVERA_API_KEY is set: calling the API at {base_url}."
    assert "/chat/completions" in served  # the call reached the server, not a cassette
    assert cassette.read_bytes() == recorded
