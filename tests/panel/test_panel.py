"""PersonaPanel against recorded Mavera interactions (cassettes/test_panel/).

Replayed offline by default; `python scripts/record_cassettes.py -k test_panel`
re-records them from the emulator, `--live` from the real API.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.prompts import ChatPromptTemplate

from langchain_mavera import ChatMavera, MaveraPersonaNotFoundError, PanelAnswer, PanelResult, PersonaPanel

pytestmark = pytest.mark.vcr

QUESTION = "Would you pay 10% more for a product in refillable packaging?"
MISSING = "clxnotapersona0000000000000"
NAMES = ["Gen Z Consumer", "SaaS CMO", "Rural Farmer"]


def _panel(*extra: str) -> PersonaPanel:
    return PersonaPanel(model=ChatMavera(max_tokens=200), personas=[*NAMES, *extra], max_concurrency=2)


def _check(result: PanelResult) -> None:
    assert [a.persona_name for a in result.answers] == [*NAMES, MISSING]
    answered, missing = result.answers[:3], result.answers[3]
    for answer in answered:
        assert answer.ok and answer.text
        assert answer.analysis is not None and answer.analysis.confidence is not None
        assert answer.message is not None
        assert answer.message.response_metadata["persona_id"] == answer.persona_id
    assert len({a.text for a in answered}) == 3  # three different audiences, three answers
    assert isinstance(missing.error, MaveraPersonaNotFoundError)
    assert result.total_credits == sum(a.credits or 0 for a in answered) > 0
    assert result.confidence is not None and result.confidence.count == 3
    assert result.valence is not None and result.valence.count == 3


def test_invoke_keeps_the_failed_persona_and_every_answer() -> None:
    result = _panel(MISSING).invoke(QUESTION)
    _check(result)
    table = result.to_markdown()
    assert all(f"| {name} |" in table for name in NAMES)
    assert "MaveraPersonaNotFoundError" in table


async def test_ainvoke() -> None:
    _check(await _panel(MISSING).ainvoke(QUESTION))


async def test_astream_yields_each_answer_as_it_completes() -> None:
    answers = [answer async for answer in _panel(MISSING).astream(QUESTION)]
    assert all(isinstance(answer, PanelAnswer) for answer in answers)
    assert sorted(a.persona_name for a in answers) == sorted([*NAMES, MISSING])


def test_stream_and_lcel() -> None:
    prompt = ChatPromptTemplate.from_template("Would you pay 10% more for a product in {packaging}?")
    chain = prompt | _panel()
    # A panel streams its PanelAnswer items, not its PanelResult output type.
    streamed: list[Any] = list(chain.stream({"packaging": "refillable packaging"}))
    assert sorted(a.persona_name for a in streamed) == sorted(NAMES)
    result = chain.invoke({"packaging": "refillable packaging"})
    assert {a.text for a in result.answers} == {a.text for a in streamed}
