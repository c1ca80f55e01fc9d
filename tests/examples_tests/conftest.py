"""Run examples the way a user does: a fresh process, no key, replaying cassettes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from cassettes.vcr_settings import ROOT

REPLAY_LINE = "No MAVERA_API_KEY: replaying cassettes/examples/"


@pytest.fixture
def run_example() -> Callable[[str], str]:
    """Run examples/<name>.py offline and return its output (it must exit 0)."""

    def run(name: str) -> str:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("MAVERA_", "OPENAI_"))}
        completed = subprocess.run(
            [sys.executable, str(ROOT / "examples" / f"{name}.py")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        assert completed.stdout.startswith(REPLAY_LINE), completed.stdout[:300]
        return completed.stdout

    return run
