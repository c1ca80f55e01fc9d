"""The emulator's server, keys, faults, rate limits and its routes beyond chat."""

import http.client
import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.emulator import (
    BUDGET_EXCEEDED_KEY,
    EXPIRED_KEY,
    FORBIDDEN_KEY,
    NO_CREDITS_KEY,
    PERSONAS,
    REVOKED_KEY,
    SERVED_BY,
    Emulator,
    Fault,
    run_emulator,
)
from tests.emulator.routes import USAGE
from tests.emulator_tests.helpers import CMO, GEN_Z, chat, send

pytestmark = pytest.mark.loopback

STORY = "st_68e1bd"


def test_every_reply_carries_rate_limit_and_provenance_headers(emu: Emulator) -> None:
    replies = (
        chat(emu),
        chat(emu, stream=True),
        send(emu, "GET", "/models"),
        send(emu, "GET", "/usage", key=None),
    )
    assert [r.status for r in replies] == [200, 200, 404, 401]
    assert replies[2].error["code"] == "resource_not_found"
    for reply in replies:
        assert reply.headers["x-served-by"] == SERVED_BY
        assert reply.headers["x-ratelimit-limit"] == "600"
        assert int(reply.headers["x-ratelimit-reset"]) >= int(time.time())


def test_a_body_that_is_not_json_is_400(emu: Emulator) -> None:
    reply = send(emu, "POST", "/chat/completions", raw=b"model=mavera-1")
    assert (reply.status, reply.error["code"]) == (400, "invalid_json")


def test_requests_are_recorded_with_the_key_redacted_until_reset(emu: Emulator) -> None:
    chat(emu, persona_id=GEN_Z)
    send(emu, "GET", "/personas?category=Generational&limit=2")
    first, second = emu.requests
    assert (first.method, first.path, first.raw_path) == (
        "POST",
        "/chat/completions",
        "/api/v1/chat/completions",
    )
    assert first.json["persona_id"] == GEN_Z
    assert first.headers["authorization"] == "Bearer mvra_live_emul***"
    assert second.query == {"category": "Generational", "limit": "2"}
    emu.reset()
    assert emu.requests == []


def test_stopping_closes_the_port_and_keep_alive_can_be_off() -> None:
    with run_emulator(keep_alive=False) as emu:
        port = emu.port
        assert send(emu, "GET", "/personas").headers["connection"] == "close"
        assert chat(emu, stream=True).headers["connection"] == "close"
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_module_entry_point_serves_until_stopped() -> None:
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "tests.emulator", "--port", "0"]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:(\d+)/api/v1", process.stdout.readline())
        assert match
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=5)
        connection.request("GET", "/api/v1/personas")
        assert connection.getresponse().status == 401
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.parametrize(
    ("key", "status", "kind", "code"),
    [
        (None, 401, "authentication_error", "missing_api_key"),
        ("sk-abcdefghijklmnopqrstuvwxyz0123456789", 401, "authentication_error", "invalid_api_key"),
        ("mvra_live_short", 401, "authentication_error", "invalid_api_key"),
        (REVOKED_KEY, 401, "authentication_error", "revoked_api_key"),
        (EXPIRED_KEY, 401, "authentication_error", "expired_api_key"),
        (NO_CREDITS_KEY, 402, "insufficient_credits", "credits_exhausted"),
        (BUDGET_EXCEEDED_KEY, 402, "insufficient_credits", "budget_exceeded"),
        (FORBIDDEN_KEY, 403, "permission_error", "forbidden"),
        ("mvra_test_" + "k" * 24, 200, None, None),
    ],
)
def test_keys(emu: Emulator, key: str | None, status: int, kind: str | None, code: str | None) -> None:
    reply = send(emu, "GET", "/personas", key=key)
    assert reply.status == status
    if kind is not None:
        assert (reply.error["type"], reply.error["code"]) == (kind, code)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (500, "internal_error", "api_error"),
        (503, "service_unavailable", "api_error"),
        (429, "rate_limit_exceeded", "rate_limit_error"),
    ],
)
def test_status_faults_serve_their_count_then_stop(emu: Emulator, status: int, code: str, kind: str) -> None:
    emu.faults.push(Fault("status", status=status, retry_after=2, times=2))
    for _ in range(2):
        reply = chat(emu)
        assert (reply.status, reply.headers["retry-after"]) == (status, "2")
        assert (reply.error["code"], reply.error["type"]) == (code, kind)
    assert chat(emu).status == 200


def test_faults_are_fifo_and_path_scoped(emu: Emulator) -> None:
    for fault in (
        Fault("status", status=500),
        Fault("status", status=503, path="/personas"),
        Fault("status", status=502),
    ):
        emu.faults.push(fault)
    assert send(emu, "GET", "/personas").status == 503
    assert [chat(emu).status for _ in range(3)] == [500, 502, 200]
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("explode")  # type: ignore[arg-type]


def test_close_and_malformed_faults(emu: Emulator) -> None:
    emu.faults.push(Fault("close"))
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        chat(emu)
    emu.faults.push(Fault("malformed", body="not json", content_type="application/json"))
    reply = chat(emu)
    assert (reply.status, reply.headers["content-type"], reply.body) == (200, "application/json", b"not json")


def test_bad_analysis_fault_replaces_it_streamed_or_not(emu: Emulator) -> None:
    emu.faults.push(Fault("bad_analysis", analysis_value=["not", "an", "object"]))
    assert chat(emu, analysis_mode=True).json()["analysis"] == ["not", "an", "object"]
    emu.faults.push(Fault("bad_analysis"))
    assert chat(emu, analysis_mode=True, stream=True).chunks[-1]["analysis"] == "analysis unavailable"


def test_stream_faults_wait_for_a_streaming_request(emu: Emulator) -> None:
    emu.faults.push(Fault("cut_stream", after_chunks=3, graceful=True))
    assert chat(emu).status == 200 and len(emu.faults.pending()) == 1
    assert len(chat(emu, stream=True).data) == 3  # no finish chunk, no [DONE]
    assert emu.faults.pending() == []


def test_cut_stream_drops_the_connection_before_the_finish(emu: Emulator) -> None:
    emu.faults.push(Fault("cut_stream", after_chunks=4))
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    body = {"model": "mavera-1", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    connection.request(
        "POST", "/api/v1/chat/completions", json.dumps(body), {"Authorization": f"Bearer {emu.api_key}"}
    )
    with pytest.raises(http.client.IncompleteRead) as raised:
        connection.getresponse().read()
    connection.close()
    received = raised.value.partial.decode()
    assert received.count("data: ") == 4 and "[DONE]" not in received
    assert 'finish_reason":"stop' not in received
    emu.faults.push(Fault("cut_stream", after_chunks=999, graceful=True))
    cut = chat(emu, "hi", stream=True)  # a cut stream never lets its finish through, however late the cut
    assert all(c["choices"] and c["choices"][0]["finish_reason"] is None for c in cut.chunks)


def test_stream_error_slow_stream_and_comment_faults(emu: Emulator) -> None:
    emu.faults.push(Fault("stream_error", after_chunks=2))
    assert [json.loads(d).get("error", {}).get("code") for d in chat(emu, stream=True).data] == [
        None,
        None,
        "internal_error",
    ]
    emu.faults.push(Fault("sse_comments"))
    commented = chat(emu, "hi", stream=True)
    assert commented.lines.count(": keep-alive") == len(commented.data)
    assert commented.text == chat(emu, "hi").text
    emu.faults.push(Fault("slow_stream", after_chunks=2, delay=0.4))
    slow = chat(emu, stream=True)
    # Each event is flushed as it goes: the first two arrived before the pause.
    assert slow.arrival[2] - slow.arrival[1] >= 0.35 and slow.data[-1] == "[DONE]"


def test_rate_limit_is_per_key_and_slides() -> None:
    with run_emulator(rate_limit_per_minute=2, rate_limit_window=0.5) as emu:
        assert [send(emu, "GET", "/usage").headers["x-ratelimit-remaining"] for _ in range(2)] == ["1", "0"]
        limited = send(emu, "GET", "/usage")
        assert (limited.status, limited.error["type"]) == (429, "rate_limit_error")
        assert limited.headers["x-ratelimit-remaining"] == "0"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert send(emu, "GET", "/usage", key="mvra_live_" + "z" * 32).status == 200
        time.sleep(0.55)
        assert send(emu, "GET", "/usage").status == 200


def test_persona_catalogue_filters_and_lookup(emu: Emulator) -> None:
    listed = send(emu, "GET", "/personas").json()
    assert (len(listed["data"]), listed["has_more"], listed["next_cursor"]) == (len(PERSONAS), False, None)
    assert listed["data"][0] == {
        "id": GEN_Z,
        "object": "persona",
        "name": "Gen Z Consumer",
        "category": "Generational",
        "description": "Digital-native consumer aged 18-25 with strong social media influence.",
        "is_custom": False,
        "is_expert": False,
        "created_at": 1706140800,
    }

    def names(query: str) -> list[str]:
        return [p["name"] for p in send(emu, "GET", f"/personas?{query}").json()["data"]]

    assert names("search=SOCIAL%20media") == ["Gen Z Consumer"]
    assert names("is_custom=true") == ["SaaS CMO", "Startup Founder"]
    assert names("category=expert") == ["Healthcare CFO"]
    assert send(emu, "GET", f"/personas/{CMO}").json()["name"] == "SaaS CMO"
    assert send(emu, "GET", "/personas/clx0000000000000000000000").status == 404


def test_persona_pages_follow_the_cursor(emu: Emulator) -> None:
    seen: list[str] = []
    query = "?limit=5"
    while True:
        page = send(emu, "GET", f"/personas{query}").json()
        seen += [p["id"] for p in page["data"]]
        if not page["has_more"]:
            break
        query = f"?limit=5&cursor={page['next_cursor']}"
    assert seen == [p.id for p in PERSONAS]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "cursor=bogus!", "is_custom=maybe"])
def test_persona_query_errors(emu: Emulator, query: str) -> None:
    reply = send(emu, "GET", f"/personas?{query}")
    assert (reply.status, reply.error["code"]) == (400, "invalid_field")
    assert reply.error["param"] == query.split("=")[0]


def test_custom_persona_create_and_update(emu: Emulator) -> None:
    incomplete = {"name": "Ab", "pipeline_type": "north_star"}
    assert send(emu, "POST", "/personas", incomplete).error["param"] == "type"
    created = send(emu, "POST", "/personas", {**incomplete, "name": "Route Test", "type": "B2C"})
    assert (created.status, created.json()["credits_charged"]) == (201, 300)
    patched = send(emu, "PATCH", f"/personas/{created.json()['id']}", {"pains": ["x"]})
    assert patched.json()["details"]["pains"] == ["x"]
    assert send(emu, "PATCH", f"/personas/{GEN_Z}", {"name": "Nope"}).status == 403


def test_usage_is_the_documented_example(emu: Emulator) -> None:
    assert send(emu, "GET", "/usage").json() == USAGE


def test_mave_reply_stream_and_thread(emu: Emulator) -> None:
    reply = send(emu, "POST", "/mave/chat", {"message": "EV market in Europe?"}).json()
    assert (reply["object"], reply["usage"]["credits_used"] >= 10) == ("mave_message", True)
    thread = send(emu, "GET", f"/mave/threads/{reply['thread_id']}").json()
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant"]
    streamed = send(emu, "POST", "/mave/chat", {"message": "EV market in Europe?", "stream": True})
    events = [json.loads(d) for d in streamed.data]
    assert "".join(e["content"] for e in events if e["type"] == "content") == reply["content"]
    assert [e["type"] for e in events][-3:] == ["sources", "validation", "done"]
    assert streamed.lines[0] == "event: content"
    assert send(emu, "POST", "/mave/chat", {}).error["code"] == "missing_field"
    assert send(emu, "POST", "/mave/chat", {"message": "x", "thread_id": "mave_thread_nope"}).status == 404


def test_news_routes(emu: Emulator) -> None:
    listed = send(emu, "GET", f"/news/stories/personalized?persona_ids={GEN_Z},{CMO}&size=2").json()
    assert len(listed["data"]) == 2 and [p["id"] for p in listed["personalization"]["personas"]] == [
        GEN_Z,
        CMO,
    ]
    details = send(emu, "GET", f"/news/stories/{STORY}?include_history=false").json()
    assert (details["id"], details["history"]) == (STORY, [])
    analysis = send(emu, "POST", f"/news/stories/{STORY}/analyze", {"persona_id": GEN_Z}).json()
    assert 60 <= analysis["analysis"]["confidence"] <= 90
    history = [{"role": "user", "content": "q"}] * 20
    answer = send(
        emu, "POST", f"/news/stories/{STORY}/chat", {"message": "Why?", "conversation_history": history}
    )
    assert "(turn 11)" in answer.json()["message"]["content"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "param"),
    [
        ("GET", "/news/stories/personalized", None, 400, "persona_ids"),
        ("GET", f"/news/stories/personalized?persona_ids={GEN_Z}&size=51", None, 400, "size"),
        ("GET", "/news/stories/personalized?persona_ids=clx_unknown", None, 400, "persona_ids"),
        ("POST", f"/news/stories/{STORY}/analyze", {"persona_id": "clx_unknown"}, 400, "persona_id"),
        ("POST", "/news/stories/st_nope/analyze", {"persona_id": GEN_Z}, 404, None),
        ("POST", f"/news/stories/{STORY}/chat", {"message": "x" * 2001}, 400, "message"),
        (
            "POST",
            f"/news/stories/{STORY}/chat",
            {"message": "?", "conversation_history": [{}] * 21},
            400,
            "conversation_history",
        ),
    ],
)
def test_news_errors(
    emu: Emulator, method: str, path: str, body: Any, status: int, param: str | None
) -> None:
    reply = send(emu, method, path, body)
    assert (reply.status, reply.error["param"]) == (status, param)
