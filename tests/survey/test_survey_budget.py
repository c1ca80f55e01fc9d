"""A survey's budget, its own (`max_credits`) or a `get_mavera_callback` block around it, is the
one budget rule: counted in every thread, never more than one cell over, a stop that leaves the
rest pending; a panel stopped by a budget raises (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from langchain_mavera import (
    ChatMavera,
    MaveraBudgetExceededError,
    PanelResult,
    PersonaPanel,
    PersonaSurvey,
    SurveyResult,
    get_mavera_callback,
)
from langchain_mavera._credits import format_credits
from tests.emulator import Emulator, run_emulator
from tests.survey.conftest import chat_posts, slow_routes

pytestmark = pytest.mark.loopback

PERSONAS = ["Gen Z Consumer", "SaaS CMO"]
QUESTIONS = [f"Question {n}: would you pay more for refill {n}?" for n in range(10)]


@pytest.fixture(scope="module")
def slow_emu() -> Iterator[Emulator]:
    with run_emulator(routes=slow_routes(0.05)) as running:
        yield running


@pytest.fixture
def emu(slow_emu: Emulator) -> Emulator:
    slow_emu.reset()
    return slow_emu


def _survey(model: ChatMavera, **options: object) -> PersonaSurvey:
    settings: dict[str, object] = {"questions": QUESTIONS, "personas": PERSONAS, "progress": False}
    settings.update(options)
    return PersonaSurvey(model=model, **settings)


def _most(result: SurveyResult) -> float:
    return max(answer.credits or 0 for answer in result.succeeded)


def test_a_survey_inside_a_budget_block_is_counted_in_every_thread(emu: Emulator, model: ChatMavera) -> None:
    with get_mavera_callback(budget=3) as cb:
        result = _survey(model, max_concurrency=8).run()
    sent = len(chat_posts(emu))
    assert cb.requests == sent == len(result.succeeded)
    assert cb.credits_used == result.total_credits <= 3 + _most(result)
    assert result.stopped is not None and "budget" in result.stopped
    assert not result.failed  # a budget stop leaves the cells pending, to ask on a later run
    assert len(result.pending) == 20 - sent


async def test_arun_stopped_by_a_budget_block_leaves_cells_pending(emu: Emulator, model: ChatMavera) -> None:
    async with get_mavera_callback(budget=3) as cb:
        result = await _survey(model, max_concurrency=8).arun()
    sent = len(chat_posts(emu))
    assert cb.requests == sent == len(result.succeeded)
    assert result.stopped is not None and "budget" in result.stopped
    assert not result.failed
    assert len(result.pending) == 20 - sent


@pytest.mark.parametrize("run_async", [False, True])
async def test_max_credits_admits_no_more_than_fits_whatever_the_concurrency(
    emu: Emulator, model: ChatMavera, run_async: bool
) -> None:
    survey = _survey(model, max_credits=6, max_concurrency=16)
    result = await survey.arun() if run_async else survey.run()
    assert result.total_credits <= 6 + _most(result)
    assert len(chat_posts(emu)) == len(result.succeeded)
    assert result.stopped is not None
    # The stop message gives the figures of the end of the run, calls in flight included.
    assert f"{format_credits(result.total_credits)} of 6 spent" in result.stopped
    assert not result.failed


def test_max_credits_zero_sends_nothing(emu: Emulator, model: ChatMavera) -> None:
    result = _survey(model, max_credits=0).run()
    assert chat_posts(emu) == []
    assert result.stopped is not None and "0 of 0 spent" in result.stopped
    assert len(result.pending) == 20


def test_a_panel_stopped_by_a_budget_raises_and_keeps_what_was_paid(emu: Emulator, model: ChatMavera) -> None:
    panel = PersonaPanel(model=model, personas=PERSONAS, max_concurrency=4)
    with get_mavera_callback(budget=0.5) as cb, pytest.raises(MaveraBudgetExceededError) as caught:
        panel.invoke("Would you pay more for refills?")
    result = caught.value.result
    assert isinstance(result, PanelResult)
    assert len(result.succeeded) == cb.requests == len(chat_posts(emu)) == 1  # the probe was paid and kept


async def test_a_panel_tool_stopped_by_a_budget_raises_async(emu: Emulator, model: ChatMavera) -> None:
    tool = PersonaPanel(model=model, personas=PERSONAS, max_concurrency=4).as_tool()
    async with get_mavera_callback(budget=0.5):
        with pytest.raises(MaveraBudgetExceededError):
            await tool.ainvoke({"question": "Would you pay more for refills?"})
    assert len(chat_posts(emu)) == 1
