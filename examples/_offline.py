"""Run an example live when MAVERA_API_KEY is set, else replay its recorded cassette.

Replays never touch the network: a request the cassette does not hold fails
loudly instead of going live. The line printed at start says which mode runs
and where the cassette came from (read from the cassette itself).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the cassette settings live beside the tests

from tests.vcr_setup import (  # noqa: E402
    CASSETTE_DIR,
    PUBLIC_BASE_URL,
    REPLAY_API_KEY,
    json_body_matcher,
    vcr_kwargs,
)

RECORD_VARIABLE = "MAVERA_EXAMPLES_RECORD"
"""Set by scripts/record_cassettes.py to (re-)record the example cassettes."""


def _provenance(cassette: Path) -> str:
    text = cassette.read_text(encoding="utf-8") if cassette.exists() else ""
    return "the local emulator" if "langchain-mavera-emulator" in text else "the live Mavera API"


@contextlib.contextmanager
def offline_or_live(name: str) -> Iterator[None]:
    """Inside this block, ChatMavera talks to Mavera live or to the `name` cassette."""
    recording = bool(os.environ.get(RECORD_VARIABLE))
    if os.environ.get("MAVERA_API_KEY") and not recording:
        print("MAVERA_API_KEY is set: calling the live Mavera API.")
        yield
        return

    import vcr

    cassette = CASSETTE_DIR / "examples" / f"{name}.yaml"
    if not recording:
        shown = cassette.relative_to(ROOT)
        print(
            f"No MAVERA_API_KEY: replaying {shown}, recorded from {_provenance(cassette)} "
            "(see README, Cassettes). Set MAVERA_API_KEY to call the live API."
        )
        os.environ["MAVERA_BASE_URL"] = PUBLIC_BASE_URL
        os.environ["MAVERA_API_KEY"] = REPLAY_API_KEY
    recorder = vcr.VCR()
    recorder.register_matcher("json_body", json_body_matcher)
    with recorder.use_cassette(str(cassette), **vcr_kwargs("all" if recording else "none")):
        yield
