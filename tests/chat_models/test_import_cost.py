"""`from langchain_mavera import ChatMavera` and constructing one do not import the openai SDK.

The SDK is ~40% of the import time and is only needed to send a request
(benchmarks/PROFILE.md); this keeps an eager import from creeping back in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import sys
from langchain_mavera import ChatMavera
ChatMavera(api_key="k", persona_id="p", analysis_mode=True)
watched = ("openai", "langchain_mavera._transport.http", "langchain_mavera.errors")
print(sorted(name for name in watched if name in sys.modules))
"""


def _run(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip()


def test_import_and_construction_leave_the_sdk_unloaded() -> None:
    assert _run(_PROBE) == "[]"


def test_the_sdk_is_loaded_when_a_client_is_needed() -> None:
    code = _PROBE.replace("analysis_mode=True)", "analysis_mode=True).client")
    assert "openai" in _run(code)
