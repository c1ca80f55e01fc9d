"""The survey store: stable cell keys, WAL, and answers that survive reopening the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_mavera.survey._store import SurveyStore, cell_key

SETTINGS = {"model_name": "mavera-1", "analysis_mode": True}


def test_cell_key_is_stable_and_changes_with_every_part() -> None:
    key = cell_key("Q?", None, "p1", SETTINGS)
    assert key == cell_key("Q?", None, "p1", dict(reversed(SETTINGS.items())))
    others = {
        cell_key("Q2?", None, "p1", SETTINGS),
        cell_key("Q?", "v", "p1", SETTINGS),
        cell_key("Q?", None, "p2", SETTINGS),
        cell_key("Q?", None, "p1", {**SETTINGS, "temperature": 0.2}),
    }
    assert key not in others
    assert len(others) == 4


def test_store_uses_wal_and_keeps_answers_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "survey.sqlite"
    store = SurveyStore(path)
    assert store.journal_mode() == "wal"
    store.mark_sending("k1", "Q?", None, ("p1", "Persona One"))
    store.mark_done("k1", "Yes.", {"confidence": 7}, 2)
    store.mark_sending("k2", "Q?", "v", ("p2", "Persona Two"))
    store.mark_failed("k2", "MaveraServerError: boom")
    store.mark_sending("k3", "Q?", None, ("p3", "Persona Three"))
    store.close()

    reopened = SurveyStore(path)
    cells = reopened.cells()
    reopened.close()  # left to the garbage collector, Python 3.13 warns about the connection
    assert cells["k1"].status == "done"
    assert cells["k1"].answer == "Yes."
    assert cells["k1"].analysis == {"confidence": 7}
    assert cells["k1"].credits == 2
    assert cells["k2"].status == "failed"
    assert cells["k2"].error == "MaveraServerError: boom"
    assert cells["k3"].status == "sending"  # in flight when the store was closed


def test_attempts_count_every_send(tmp_path: Path) -> None:
    store = SurveyStore(tmp_path / "s.sqlite")
    for _ in range(3):
        store.mark_sending("k", "Q?", None, ("p", "P"))
    store.mark_done("k", "ok", None, 1)
    assert store.cells()["k"].attempts == 3
    assert store.credits_spent() == 1
    store.close()


def test_a_store_that_is_not_a_database_is_a_value_error_naming_store_before_any_call(tmp_path: Path) -> None:
    import pytest

    from langchain_mavera import PersonaSurvey
    from tests.fake_mavera import FakeMavera

    notes = tmp_path / "notes.sqlite"
    notes.write_text("These are notes, not answers. " * 20)
    for store in (notes, tmp_path):
        script = FakeMavera(catalogue={"Alpha": "clx1abc2d0001abcdef123456"})
        survey = PersonaSurvey(
            model=script.model(), questions=["q"], personas=["Alpha"], store=store, progress=False
        )
        with pytest.raises(ValueError, match=f"store {store} cannot be used as a survey store"):
            survey.run()
        assert script.requests == []


def test_a_nan_or_negative_credit_figure_does_not_lift_the_survey_budget() -> None:
    import httpx2

    from langchain_mavera import PersonaSurvey
    from tests.fake_mavera import FakeMavera

    def costing(credits: str) -> Any:
        body = (
            '{"id": "c1", "model": "mavera-1", "choices": [{"index": 0, "message": {"role": "assistant",'
            ' "content": "hi"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1,'
            f' "completion_tokens": 1, "total_tokens": 2, "credits_used": {credits}}}}}'
        )
        return lambda _: httpx2.Response(200, text=body, headers={"content-type": "application/json"})

    for odd in ("NaN", "-5"):
        script = FakeMavera(
            costing("3"), costing(odd), costing("3"), catalogue={"Alpha": "clx1abc2d0001abcdef123456"}
        )
        survey = PersonaSurvey(
            model=script.model(),
            questions=["q1", "q2", "q3", "q4"],
            personas=["Alpha"],
            max_credits=6,
            max_concurrency=1,
            requests_per_minute=600,
            progress=False,
        )
        result = survey.run()
        # The answer with no usable figure is charged at the worst cost seen (3): 3 + 3 reaches 6,
        # so the third cell is not sent (a figure read as 0 or negative would have let more through).
        assert len(script.requests) == 2
        assert result.stopped is not None
        assert result.credits_this_run == 3


def test_a_misspelt_survey_or_panel_setting_is_refused_not_ignored() -> None:
    # A typo of max_credits or min_credits would otherwise run with no budget at all.
    import pytest
    from pydantic import ValidationError

    from langchain_mavera import ChatMavera, PersonaPanel, PersonaSurvey

    model = ChatMavera(api_key="mvra_live_TYPO_secret_0123456789")
    with pytest.raises(ValidationError, match="max_credit") as caught:
        PersonaSurvey(model=model, questions=["q"], personas=["Alpha"], max_credit=100)  # type: ignore[call-arg]
    assert "mvra_live_TYPO" not in str(caught.value)
    with pytest.raises(ValidationError, match="min_credit"):
        PersonaPanel(model=model, personas=["Alpha"], min_credit=100)  # type: ignore[call-arg]
