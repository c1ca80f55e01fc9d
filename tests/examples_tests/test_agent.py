"""examples/agent.py runs offline from its cassette: a langchain v1 agent with tools, MaveraPersonaTool,
MaveraPersonaMiddleware and the credits of the whole run from get_mavera_callback()."""

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
    # The middleware made the agent's own turns answer as the context's persona.
    voice, answer = re.split(r"^Agent's answer \(as ([^)]+)\): ", output, maxsplit=1, flags=re.M)[1:]
    assert "$18.50" in answer
    assert voice != persona_line["name"].strip()
    # The tally covers the agent's two turns and the persona tool's call, per persona.
    assert re.search(r"^Mavera: 3 requests, 0 cache hits, [1-9]\d* credits \(input \d+ tokens", output, re.M)
    total = re.search(r"^Credits used: (\d+) in 3 requests$", output, re.M)
    assert total is not None
    per_persona = [int(n) for n in re.findall(r"^  c[a-z0-9]{20,}: (\d+) credits$", output, re.M)]
    assert len(per_persona) == 2 and sum(per_persona) == int(total.group(1))
