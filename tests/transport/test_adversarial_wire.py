"""Replies that misbehave byte by byte, on a raw socket: each ends typed, once, with what arrived.

The rule: a Mavera reply can never produce a raw library exception or a hang,
and a reply whose 2xx status line has arrived is never POSTed again.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from langchain_mavera import (
    ChatMavera,
    MaveraAPIError,
    MaveraConnectionError,
    MaveraError,
    MaveraInsufficientCreditsError,
    MaveraStreamInterruptedError,
    MaveraTimeoutError,
)
from tests.loopback import (
    RESET,
    chunk,
    completion_bytes,
    event,
    finish,
    head,
    run_loopback,
    sse_head,
)

pytestmark = pytest.mark.loopback


def _model(base_url: str, **kwargs: Any) -> ChatMavera:
    kwargs.setdefault("api_key", "mvra_live_RAWSOCKET_secret_0123456789")
    kwargs.setdefault("max_retries", 2)
    return ChatMavera(base_url=base_url, **kwargs)


def _text(chunks: Any) -> str:
    return "".join(str(piece.content) for piece in chunks)


async def _atext(chunks: Any) -> str:
    return "".join([str(piece.content) async for piece in chunks])


def _responses_stream(text: str) -> list[bytes]:
    delta = {"type": "response.output_text.delta", "output_index": 0, "delta": text}
    done = {
        "type": "response.completed",
        "response": {"id": "resp_raw", "model": "mavera-1", "status": "completed", "output": []},
    }
    return [event(delta), event(done), event("[DONE]")]


# -- 1. U+2028, U+2029 and U+0085 are text, not line endings ----------------------------------

SEPARATORS = ["\u2028", "\u2029", "\u0085"]


@pytest.mark.parametrize("separator", SEPARATORS, ids=["U+2028", "U+2029", "U+0085"])
@pytest.mark.parametrize("responses", [False, True], ids=["chat", "responses"])
def test_unicode_line_separators_inside_json_strings_survive(separator: str, responses: bool) -> None:
    text = f"one{separator}two"
    body = _responses_stream(text) if responses else [event(chunk(text)), event(finish()), event("[DONE]")]
    with run_loopback(lambda _: [sse_head(), *body]) as server:
        model = _model(server.base_url, use_responses_api=responses)
        assert _text(model.stream("hi")) == text


@pytest.mark.parametrize("separator", SEPARATORS, ids=["U+2028", "U+2029", "U+0085"])
async def test_unicode_line_separators_async(separator: str) -> None:
    text = f"one{separator}two"
    with run_loopback(lambda _: [sse_head(), event(chunk(text)), event(finish()), event("[DONE]")]) as server:
        assert await _atext(_model(server.base_url).astream("hi")) == text


# -- 2. SSE is UTF-8: a BOM is skipped, a declared charset is not obeyed -------------------------


def test_byte_order_mark_does_not_drop_the_first_event() -> None:
    body = [b"\xef\xbb\xbf" + event(chunk("first")), event(chunk(" second")), event(finish())]
    with run_loopback(lambda _: [sse_head(), *body]) as server:
        assert _text(_model(server.base_url).stream("hi")) == "first second"


def test_declared_latin1_charset_is_ignored_for_utf8_streams() -> None:
    text = "café ☕"
    body = [event(chunk(text)), event(finish())]
    headers = sse_head().replace(b"text/event-stream", b"text/event-stream; charset=iso-8859-1")
    with run_loopback(lambda _: [headers, *body]) as server:
        assert _text(_model(server.base_url).stream("hi")) == text


def test_crlf_and_lone_cr_line_endings_frame_events() -> None:
    first = json.dumps(chunk("a"))
    second = json.dumps(chunk("b"))
    body = [f"data: {first}\r\n\r\ndata: {second}\r\r".encode(), event(finish())]
    with run_loopback(lambda _: [sse_head(), *body]) as server:
        assert _text(_model(server.base_url).stream("hi")) == "ab"


# -- 3. No header value fails a call --------------------------------------------------------------


@pytest.mark.parametrize("reset", ["inf", "1e400", "nan", "-inf", "soon"])
def test_unparseable_rate_limit_reset_is_dropped_not_raised(reset: str) -> None:
    headers = {"content_type": "application/json", "x_ratelimit_limit": "600", "x_ratelimit_reset": reset}
    with run_loopback(lambda _: [head(**headers), completion_bytes()]) as server:
        message = _model(server.base_url).invoke("hi")
    assert message.content == "Hello from the persona."
    assert message.response_metadata["rate_limit"] == {"limit": 600}


def test_unparseable_rate_limit_reset_on_a_stream() -> None:
    with run_loopback(
        lambda _: [sse_head(x_ratelimit_reset="inf"), event(chunk("ok")), event(finish())]
    ) as server:
        chunks = list(_model(server.base_url).stream("hi"))
    assert _text(chunks) == "ok"
    assert "rate_limit" not in chunks[-1].response_metadata


# -- 4. Reply shapes that used to escape as library exceptions ----------------------------------


def test_non_string_id_on_the_last_chunk_is_dropped() -> None:
    body = [event(chunk("ok")), event({**finish(), "id": {"not": "a string"}}), event("[DONE]")]
    with run_loopback(lambda _: [sse_head(), *body]) as server:
        chunks = list(_model(server.base_url).stream("hi"))
    assert _text(chunks) == "ok"


def test_non_string_id_in_a_reply_is_dropped() -> None:
    body = json.loads(completion_bytes())
    body["id"] = 12345
    with run_loopback(lambda _: [head(content_type="application/json"), json.dumps(body).encode()]) as server:
        message = _model(server.base_url).invoke("hi")
    assert message.content == "Hello from the persona."


def test_deeply_nested_json_in_a_stream_is_a_typed_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with (
        run_loopback(lambda _: [sse_head(), event(chunk("ok")), event(deep)]) as server,
        pytest.raises(MaveraAPIError) as caught,
    ):
        list(_model(server.base_url).stream("hi"))
    assert caught.value.partial is not None
    assert caught.value.partial.content == "ok"
    assert caught.value.raw_text is not None


def test_deeply_nested_json_in_a_reply_is_a_typed_error() -> None:
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    with (
        run_loopback(lambda _: [head(content_type="application/json"), deep]) as server,
        pytest.raises(MaveraAPIError) as caught,
    ):
        _model(server.base_url).invoke("hi")
    assert caught.value.raw_text is not None
    assert server.posts == 1


def test_stream_declared_gzip_but_plain_is_a_typed_error() -> None:
    with (
        run_loopback(
            lambda _: [sse_head(content_encoding="gzip"), event(chunk("ok")), event(finish())]
        ) as server,
        pytest.raises(MaveraAPIError) as caught,
    ):
        list(_model(server.base_url).stream("hi"))
    assert "gzip" in str(caught.value) or "decod" in str(caught.value)
    assert server.posts == 1


@pytest.mark.parametrize("responses", [False, True], ids=["chat", "responses"])
def test_in_stream_error_string_keeps_the_server_message(responses: bool) -> None:
    body = [event(chunk("Par")), event({"error": "credits ran out mid-answer"})]
    with run_loopback(lambda _: [sse_head(), *body]) as server, pytest.raises(MaveraError) as caught:
        list(_model(server.base_url, use_responses_api=responses).stream("hi"))
    assert caught.value.server_message == "credits ran out mid-answer"
    assert "credits ran out mid-answer" in str(caught.value)


def test_in_reply_error_string_keeps_the_server_message() -> None:
    with (
        run_loopback(
            lambda _: [head(content_type="application/json"), b'{"error": "out of credits"}']
        ) as server,
        pytest.raises(MaveraError) as caught,
    ):
        _model(server.base_url).invoke("hi")
    assert caught.value.server_message == "out of credits"


def test_stream_cut_mid_line_without_framing_is_interrupted() -> None:
    cut = b'data: {"id": "chatcmpl-raw", "choices": [{"index": 0, "delta": {"content": "wor'
    with (
        run_loopback(lambda _: [sse_head(), event(chunk("Hello, ")), cut]) as server,
        pytest.raises(MaveraStreamInterruptedError) as caught,
    ):
        list(_model(server.base_url).stream("hi"))
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hello, "
    assert server.posts == 1


async def test_stream_cut_mid_line_async() -> None:
    cut = b'data: {"id": "chatcmpl-raw", "choi'
    with (
        run_loopback(lambda _: [sse_head(), event(chunk("Hello")), cut]) as server,
        pytest.raises(MaveraStreamInterruptedError) as caught,
    ):
        await _atext(_model(server.base_url).astream("hi"))
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hello"


def test_error_object_mid_stream_still_typed_by_code() -> None:
    error = {"error": {"message": "no credits", "type": "x", "code": "credits_exhausted"}}
    with (
        run_loopback(lambda _: [sse_head(), event(chunk("a")), event(error)]) as server,
        pytest.raises(MaveraInsufficientCreditsError),
    ):
        list(_model(server.base_url).stream("hi"))


# -- 9. A reset mid-request says what happened ---------------------------------------------------


def test_connection_reset_names_what_happened() -> None:
    with (
        run_loopback(lambda _: [RESET]) as server,
        pytest.raises(MaveraConnectionError) as caught,
    ):  # read the request, then reset the connection
        _model(server.base_url, max_retries=0).invoke("hi")
    message = str(caught.value)
    assert not message.rstrip().endswith(":")
    assert len(message.split("Could not connect to Mavera", 1)[-1].strip(" :")) > 3


# -- A 2xx reply whose body fails is never POSTed again -----------------------------------------


def _cut_body(_: dict[str, Any]) -> list[Any]:
    body = completion_bytes()
    return [head(content_type="application/json", content_length=str(len(body))), body[:40]]


def _stalled_body(_: dict[str, Any]) -> list[Any]:
    body = completion_bytes()
    return [head(content_type="application/json", content_length=str(len(body))), body[:40], 30.0]


def _bad_gzip_body(_: dict[str, Any]) -> list[Any]:
    body = completion_bytes()
    return [head(content_type="application/json", content_encoding="gzip"), body]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (_cut_body, MaveraError),
        (_stalled_body, MaveraTimeoutError),
        (_bad_gzip_body, MaveraAPIError),
    ],
    ids=["cut", "stalled", "undecodable-gzip"],
)
def test_a_failed_2xx_body_is_posted_exactly_once(script: Any, expected: type[Exception]) -> None:
    with run_loopback(script) as server, pytest.raises(expected) as caught:
        _model(server.base_url, timeout=1).invoke("hi")
    assert server.posts == 1
    if script is not _bad_gzip_body:
        assert caught.value.raw_text is not None  # type: ignore[attr-defined]
        assert caught.value.raw_text == completion_bytes().decode()[:40]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "script", [_cut_body, _stalled_body, _bad_gzip_body], ids=["cut", "stalled", "undecodable-gzip"]
)
async def test_a_failed_2xx_body_is_posted_exactly_once_async(script: Any) -> None:
    with run_loopback(script) as server, pytest.raises(MaveraError):
        await _model(server.base_url, timeout=1).ainvoke("hi")
    assert server.posts == 1


def test_a_good_gzip_body_still_decodes() -> None:
    body = gzip.compress(completion_bytes())
    headers = head(content_type="application/json", content_encoding="gzip", content_length=str(len(body)))
    with run_loopback(lambda _: [headers, body]) as server:
        assert _model(server.base_url).invoke("hi").content == "Hello from the persona."


@pytest.mark.parametrize("error", ["ReadError", "WriteError", "RemoteProtocolError", "ConnectError"])
def test_transport_error_with_an_empty_message_still_says_what_happened(error: str) -> None:
    import httpx2

    from tests.fake_mavera import FakeMavera

    def hang_up(request: httpx2.Request) -> httpx2.Response:
        raise getattr(httpx2, error)("")

    with pytest.raises(MaveraConnectionError) as caught:
        FakeMavera(hang_up).model(max_retries=0).invoke("hi")
    assert str(caught.value).rstrip()[-1] != ":"
    assert error in str(caught.value) or "reset" in str(caught.value).lower()
