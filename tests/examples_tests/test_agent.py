"""examples/agent.py runs offline from its cassette and shows the tool loop."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_agent_example_replays_offline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without a key the example replays cassettes/examples/agent.yaml. The replay helper
    # sets MAVERA_*; registering them with monkeypatch first restores them afterwards.
    monkeypatch.setenv("MAVERA_BASE_URL", os.environ.get("MAVERA_BASE_URL", ""))
    monkeypatch.delenv("MAVERA_API_KEY", raising=False)
    monkeypatch.delenv("MAVERA_EXAMPLES_RECORD", raising=False)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    runpy.run_path(str(EXAMPLES / "agent.py"), run_name="__main__")
    out = capsys.readouterr().out

    assert "replaying cassettes/examples/agent.yaml, recorded from the local emulator" in out
    # Both tools were called with arguments read from the question, and their results fed back.
    assert "-> check_price({'product': 'EcoRefill bottle'})" in out
    assert "-> count_reviews({'product': 'EcoRefill bottle', 'min_stars': 4})" in out
    assert "<- check_price: EcoRefill bottle: $18.50" in out
    assert "<- count_reviews: 5 of 7 reviews of EcoRefill bottle have 4+ stars" in out
    answer = out.split("Persona's answer: ", 1)[1]
    assert "$18.50" in answer
    assert "Credits used on the last turn: " in out
