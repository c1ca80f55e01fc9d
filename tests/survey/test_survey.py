"""PersonaSurvey against the loopback emulator: cells, store, resume, retries, budget, pacing."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from langchain_mavera import ChatMavera, MaveraAuthenticationError, MaveraPersonaLookupError, PersonaSurvey
from tests.emulator import Emulator, Fault, run_emulator
from tests.survey.conftest import cell_of, chat_posts

pytestmark = pytest.mark.loopback

GEN_Z = "clx1abc2d0001abcdef123456"
PERSONAS = ["Gen Z Consumer", "SaaS CMO"]
QUESTIONS = ["Would you pay more for refillable soap?", "How do you rate the tagline {variant}?"]


def survey(model: ChatMavera, store: Path | None, **options: object) -> PersonaSurvey:
    settings: dict[str, object] = {"questions": QUESTIONS, "personas": PERSONAS, "progress": False}
    settings.update(options)
    return PersonaSurvey(model=model, store=store, **settings)


def test_every_cell_is_asked_once_with_analysis(emu: Emulator, model: ChatMavera, tmp_path: Path) -> None:
    result = survey(model, tmp_path / "s.sqlite", variants=["Clean hands", "Refill joy"]).run()

    assert len(result.answers) == 2 * 2 * 2
    assert [a.status for a in result.answers] == ["done"] * 8
    asked = Counter(cell_of(r) for r in chat_posts(emu))
    assert set(asked.values()) == {1}
    assert ("How do you rate the tagline Refill joy?", GEN_Z) in asked
    # A question without {variant} gets the variant after it.
    assert ("Would you pay more for refillable soap?\n\nClean hands", GEN_Z) in asked
    assert all(r.json["analysis_mode"] is True for r in chat_posts(emu))
    first = result.answers[0]
    assert first.analysis is not None and first.analysis.confidence is not None
    assert result.total_credits == sum(a.credits or 0 for a in result.answers) > 0


def test_a_name_and_its_id_are_one_persona(emu: Emulator, model: ChatMavera) -> None:
    result = survey(model, None, personas=["Gen Z Consumer", GEN_Z]).run()
    assert len(result.answers) == 2
    assert len(chat_posts(emu)) == 2


def test_rerun_sends_no_answered_cell(emu: Emulator, model: ChatMavera, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    first = survey(model, store).run()
    sent = len(chat_posts(emu))
    again = survey(model, store).run()

    assert sent == 4
    assert len(chat_posts(emu)) == sent  # nothing paid twice
    assert again.to_records() == first.to_records()
    assert (first.asked, again.asked) == (4, 0)
    assert first.credits_this_run == first.total_credits > 0
    assert again.credits_this_run == 0


def test_adding_a_question_asks_only_the_new_cells(emu: Emulator, model: ChatMavera, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    survey(model, store).run()
    emu.reset()
    result = survey(model, store, questions=[*QUESTIONS, "Where do you buy soap?"]).run()
    assert len(chat_posts(emu)) == 2
    assert len(result.succeeded) == 6


def test_changed_settings_are_new_cells(emu: Emulator, model: ChatMavera, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    survey(model, store).run()
    survey(model.model_copy(update={"temperature": 0.2}), store).run()
    assert len(chat_posts(emu)) == 8


def test_failed_cells_are_reported_then_retried(emu: Emulator, model: ChatMavera, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    emu.faults.push(Fault("status", status=500, times=2))
    first = survey(model, store, max_concurrency=1).run()
    assert len(first.failed) == 2
    assert all("MaveraServerError" in (a.error or "") for a in first.failed)

    kept = survey(model, store, retry_failed=False).run()
    assert len(kept.failed) == 2
    assert len(chat_posts(emu)) == 4

    retried = survey(model, store).run()
    assert len(retried.succeeded) == 4
    assert len(chat_posts(emu)) == 6
    assert sorted(a.attempts for a in retried.answers) == [1, 1, 2, 2]


def test_a_429_is_waited_out_not_failed(emu: Emulator, model: ChatMavera) -> None:
    emu.faults.push(Fault("status", status=429, retry_after=1))
    result = survey(model, None, questions=QUESTIONS[:1]).run()
    assert [a.status for a in result.answers] == ["done", "done"]
    assert sorted(a.attempts for a in result.answers) == [1, 2]


def test_unknown_persona_fails_before_any_chat_call(emu: Emulator, model: ChatMavera) -> None:
    with pytest.raises(MaveraPersonaLookupError, match="Gen Zed"):
        survey(model, None, personas=["Gen Zed Consumer", "SaaS CMO"]).run()
    assert chat_posts(emu) == []


def test_unlisted_persona_id_fails_before_any_chat_call(emu: Emulator, model: ChatMavera) -> None:
    with pytest.raises(MaveraPersonaLookupError, match="No persona with id 'clx9zzz9z0009zzzzzz999999'"):
        survey(model, None, personas=["SaaS CMO", "clx9zzz9z0009zzzzzz999999"]).run()
    assert chat_posts(emu) == []


def test_a_persona_list_that_fails_is_reported_as_itself_not_as_an_unknown_persona(
    emu: Emulator, model: ChatMavera
) -> None:
    unlisted_id = "clx9zzz9z0009zzzzzz999999"
    checked = survey(model, None, personas=[unlisted_id])
    emu.faults.push(Fault("status", path="/personas", status=401, message="Invalid API key provided."))
    with pytest.raises(MaveraAuthenticationError, match="Invalid API key provided"):
        checked.check_personas()
    # Nothing was remembered from the failed list: once it works, the id is checked for real.
    with pytest.raises(MaveraPersonaLookupError, match=f"No persona with id '{unlisted_id}'"):
        checked.check_personas()
    assert chat_posts(emu) == []


def test_bad_questions_are_refused(model: ChatMavera) -> None:
    with pytest.raises(ValueError, match="non-empty strings"):
        survey(model, None, questions=["ok?", "  "])
    with pytest.raises(ValueError, match="questions"):
        survey(model, None, questions=[])
    with pytest.raises(ValueError, match="store: the folder of"):
        survey(model, Path("/no/such/folder/s.sqlite"))


def test_budget_stops_before_it_is_exceeded(emu: Emulator, model: ChatMavera, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    result = survey(model, store, max_credits=5, max_concurrency=3).run()
    per_cell = result.succeeded[0].credits
    assert per_cell
    assert result.total_credits <= 5
    assert result.total_credits + per_cell > 5  # it stopped only when the next cell could not fit
    assert result.stopped is not None and "budget" in result.stopped
    assert result.pending
    assert len(chat_posts(emu)) == len(result.succeeded)
    # Raising the budget resumes where it stopped.
    more = survey(model, store, max_credits=100).run()
    assert len(more.succeeded) == 4


def test_remaining_credits_callable_stops_the_run(emu: Emulator, model: ChatMavera) -> None:
    calls: list[int] = []

    def remaining() -> float:
        calls.append(1)
        return 3.0

    result = survey(model, None, remaining_credits=remaining).run()
    assert calls
    assert result.total_credits <= 3
    assert result.stopped is not None and "remaining credits" in result.stopped


async def test_arun_matches_run(emu: Emulator, model: ChatMavera, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    result = await survey(model, store, variants=["A", "B"]).arun()
    assert [a.status for a in result.answers] == ["done"] * 8
    assert len(chat_posts(emu)) == 8
    again = await survey(model, store, variants=["A", "B"]).arun()
    assert len(chat_posts(emu)) == 8
    assert again.to_records() == result.to_records()


@pytest.mark.parametrize("use_async", [False, True])
async def test_paces_at_the_learnt_limit_without_a_429(tmp_path: Path, use_async: bool) -> None:
    # A 60-per-window key with a 1.5 s window: unpaced, 40 quick calls would hit 429s.
    with run_emulator(rate_limit_per_minute=30, rate_limit_window=1.5) as emu:
        model = ChatMavera(base_url=emu.base_url, api_key=emu.api_key, max_tokens=20, max_retries=0)
        run = survey(
            model,
            None,
            questions=[f"Question {i}?" for i in range(10)],
            personas=["Gen Z Consumer", "SaaS CMO", "Rural Farmer", "Retired Baby Boomer"],
            rate_limit_window=1.5,
            max_concurrency=8,
        )
        result = await run.arun() if use_async else run.run()
        assert len(result.succeeded) == 40
        # Every POST answered: a refused one would be a second request (and attempts == 2).
        assert len(chat_posts(emu)) == 40
        assert {a.attempts for a in result.answers} == {1}


def test_a_cell_in_flight_at_a_crash_is_resent_or_reported(
    emu: Emulator, model: ChatMavera, tmp_path: Path
) -> None:
    store = tmp_path / "s.sqlite"
    survey(model, store).run()
    # As a crash leaves a call in flight: marked, never settled.
    with closing(sqlite3.connect(store)) as db, db:
        db.execute(
            "UPDATE cells SET status='sending', answer=NULL WHERE persona_name='SaaS CMO' AND question=?",
            (QUESTIONS[0],),
        )
    emu.reset()

    reported = survey(model, store, resend_in_doubt=False).run()
    assert [a.status for a in reported.answers].count("in_doubt") == 1
    assert reported.failed[0].persona_name == "SaaS CMO"
    assert chat_posts(emu) == []

    resent = survey(model, store).run()
    assert len(resent.succeeded) == 4
    assert [cell_of(r)[0] for r in chat_posts(emu)] == [QUESTIONS[0]]


def test_an_interrupted_run_sends_nothing_more(emu: Emulator, model: ChatMavera, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    many = [f"Question {i}?" for i in range(40)]
    run = survey(model, store, questions=many, requests_per_minute=600, max_concurrency=2)
    calls = 0
    original = ChatMavera.invoke

    def interrupt_on_fifth(self: ChatMavera, *args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChatMavera, "invoke", interrupt_on_fifth)
        with pytest.raises(KeyboardInterrupt):
            run.run()
    assert len(chat_posts(emu)) < 10  # not the 80 cells: it stopped at once
    resumed = survey(model, store, questions=many).run()
    assert len(resumed.succeeded) == 80
    assert len(chat_posts(emu)) == 80  # each cell asked once over both runs
