"""examples/agent.py runs offline from its cassette and shows the tool loop."""

from __future__ import annotations

from collections.abc import Callable


def test_agent_example_replays_offline(run_example: Callable[[str], str]) -> None:
    output = run_example("agent")
    assert "recorded from the local emulator" in output.splitlines()[0]
    # Both tools were called with arguments read from the question, and their results fed back.
    assert "-> check_price({'product': 'EcoRefill bottle'})" in output
    assert "-> count_reviews({'product': 'EcoRefill bottle', 'min_stars': 4})" in output
    assert "<- check_price: EcoRefill bottle: $18.50" in output
    assert "<- count_reviews: 5 of 7 reviews of EcoRefill bottle have 4+ stars" in output
    answer = output.split("Persona's answer: ", 1)[1]
    assert "$18.50" in answer
    assert "Credits used on the last turn: " in output
