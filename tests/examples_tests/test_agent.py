"""examples/agent.py runs offline from its cassette: a langchain v1 agent with tools and PersonaTool."""

from __future__ import annotations

import re
from collections.abc import Callable


def test_agent_example_replays_offline(run_example: Callable[[str], str]) -> None:
    output = run_example("agent")
    assert "recorded from the local emulator" in output.splitlines()[0]
    # The tools were called with arguments read from the question, and their results fed back.
    assert "-> check_price({'product': 'EcoRefill bottle'})" in output
    assert "-> count_reviews({'product': 'EcoRefill bottle', 'min_stars': 4})" in output
    assert "-> ask_persona({'question': 'Would you buy the EcoRefill bottle at that price?'})" in output
    assert "<- check_price: EcoRefill bottle: $18.50" in output
    assert "<- count_reviews: 5 of 7 reviews of EcoRefill bottle have 4+ stars" in output
    # The persona's answer reaches the agent with its one-line analysis summary.
    persona_line = re.search(r"^\[(?P<name>[^·\]]+) · confidence \d+/10 .*· credits \d+\]$", output, re.M)
    assert persona_line is not None
    answer = output.split("Agent's answer: ", 1)[1]
    assert "$18.50" in answer
    assert re.search(r"^Credits used \(agent turns and the persona\): [1-9]\d*$", output, re.M)
