"""The news RAG and research agent examples run offline from their cassettes."""

from __future__ import annotations

import re
from collections.abc import Callable

Run = Callable[[str], str]


def test_news_rag_retrieves_analyzes_and_answers(run_example: Run) -> None:
    output = run_example("news_rag")
    assert "cassettes/examples/news_rag.yaml, recorded from the local emulator" in output.splitlines()[0]
    stories = output.split("Personalized stories:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(stories) == 2 and all(line.startswith("- ") for line in stories)
    assert "How Gen Z Consumer perceives '" in output
    for label in ("Quick view: ", "Emotional response: ", "Behavioral intent: ", "Confidence: "):
        assert label in output
    assert "Analysis credits: " in output
    answer = output.split("A: ", 1)[1].split("\n\n", 1)[0]
    assert "refill prices" in answer
    assert "/10" in output and "Answer credits:" in output


def test_research_agent_calls_research_then_the_persona(run_example: Run) -> None:
    output = run_example("research_agent")
    assert (
        "cassettes/examples/research_agent.yaml, recorded from the local emulator" in output.splitlines()[0]
    )
    assert "-> mavera_research({'query': 'refillable packaging demand among shoppers under 30'})" in output
    # MaveraPersonaTool with one persona: the agent passes only the question.
    assert "-> ask_persona({'question': 'Would you pay 10% more for a refillable bottle?'})" in output
    assert "<- mavera_research: Research summary for: refillable packaging demand" in output
    assert "   thread mave_thread_" in output and "credits, validation {'confidence_score'" in output
    assert "<- ask_persona: " in output
    assert re.search(r"^   \[[^·\]]+ · confidence \d+/10 .*· credits \d+\]$", output, re.M)
    answer = output.split("Agent's answer: ", 1)[1]
    assert "mavera_research" in answer and "ask_persona" in answer
    # The tally counts the research (billed outside any chat-model run) with the model turns.
    research = re.search(r"sources, (\d+) credits, validation", output)
    tally = re.search(r"^Mavera: 4 requests, 0 cache hits, (\d+) credits", output, re.M)
    assert research is not None and tally is not None
    assert int(tally.group(1)) > int(research.group(1)) > 0
