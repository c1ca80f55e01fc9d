"""examples/quickstart.py prints a persona answer, its analysis and the credits used."""

from __future__ import annotations

from collections.abc import Callable


def test_quickstart_offline(run_example: Callable[[str], str]) -> None:
    output = run_example("quickstart")
    assert "recorded from the local emulator" in output.splitlines()[0]
    assert "\nA: " in output
    assert "Confidence:        7/10" in output
    assert "Emotional valence: " in output
    assert "Biases:" in output
    assert "Credits used:      3" in output
