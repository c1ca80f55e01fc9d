"""The emulator's endpoints beyond chat answer with the documented shapes and the inferred faults."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator import Emulator
from tests.emulator.routes import USAGE
from tests.emulator_tests.helpers import PERSONA_CMO, PERSONA_GEN_Z, send

STORY = "st_68e1bd"


def _error(response: Any) -> dict[str, Any]:
    return dict(response.json()["error"])


def test_usage_is_the_documented_example(emu: Emulator) -> None:
    response = send(emu, "GET", "/usage")
    assert response.status == 200 and response.json() == USAGE


def test_mave_chat_reply_and_thread(emu: Emulator) -> None:
    reply = send(emu, "POST", "/mave/chat", {"message": "EV market in Europe?"}).json()
    assert reply["object"] == "mave_message" and reply["role"] == "assistant"
    assert {"title", "url", "domain"} <= set(reply["sources"][0])
    assert isinstance(reply["usage"]["credits_used"], int)
    thread = send(emu, "GET", f"/mave/threads/{reply['thread_id']}").json()
    assert thread["object"] == "mave_thread" and [m["role"] for m in thread["messages"]] == [
        "user",
        "assistant",
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "missing_field"),
        ({"message": "x", "thread_id": "mave_thread_nope"}, 404, "resource_not_found"),
    ],
)
def test_mave_chat_faults(emu: Emulator, body: dict[str, Any], status: int, code: str) -> None:
    response = send(emu, "POST", "/mave/chat", body)
    assert response.status == status and _error(response)["code"] == code


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ("", "missing_field", "persona_ids"),
        (f"?persona_ids={PERSONA_GEN_Z}&size=51", "invalid_field", "size"),
        ("?persona_ids=clx_unknown", "invalid_persona", "persona_ids"),
    ],
)
def test_personalized_news_faults(emu: Emulator, query: str, code: str, param: str) -> None:
    response = send(emu, "GET", f"/news/stories/personalized{query}")
    assert response.status == 400 and (_error(response)["code"], _error(response)["param"]) == (code, param)


def test_personalized_news_shape(emu: Emulator) -> None:
    body = send(
        emu, "GET", f"/news/stories/personalized?persona_ids={PERSONA_GEN_Z},{PERSONA_CMO}&size=2"
    ).json()
    assert body["object"] == "list" and len(body["data"]) == 2
    assert all(isinstance(point, str) for point in body["data"][0]["key_points"])
    assert [p["id"] for p in body["personalization"]["personas"]] == [PERSONA_GEN_Z, PERSONA_CMO]


def test_story_chat_limits(emu: Emulator) -> None:
    path = f"/news/stories/{STORY}/chat"
    too_long = send(emu, "POST", path, {"message": "x" * 2001})
    assert too_long.status == 400 and _error(too_long)["param"] == "message"
    history = [{"role": "user", "content": "q"}] * 21
    too_many = send(emu, "POST", path, {"message": "Why?", "conversation_history": history})
    assert too_many.status == 400 and _error(too_many)["param"] == "conversation_history"
    assert send(emu, "POST", path, {"message": "Why?", "conversation_history": history[:20]}).status == 200


def test_story_analysis_faults(emu: Emulator) -> None:
    assert send(emu, "POST", f"/news/stories/{STORY}/analyze", {}).status == 400
    bad = send(emu, "POST", f"/news/stories/{STORY}/analyze", {"persona_id": "clx_unknown"})
    assert _error(bad)["code"] == "invalid_persona"
    assert send(emu, "POST", "/news/stories/st_nope/analyze", {"persona_id": PERSONA_GEN_Z}).status == 404


def test_custom_persona_create_and_update(emu: Emulator) -> None:
    assert (
        _error(send(emu, "POST", "/personas", {"name": "Ab", "pipeline_type": "north_star"}))["param"]
        == "type"
    )
    created = send(
        emu, "POST", "/personas", {"name": "Route Test", "type": "B2C", "pipeline_type": "advanced"}
    )
    assert created.status == 201 and created.json()["credits_charged"] == 300
    persona_id = created.json()["id"]
    assert send(emu, "PATCH", f"/personas/{persona_id}", {"pains": ["x"]}).json()["details"]["pains"] == ["x"]
    assert send(emu, "PATCH", f"/personas/{PERSONA_GEN_Z}", {"name": "Nope"}).status == 403
