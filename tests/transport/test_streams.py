"""Streams that break: cut, stalled, erroring, or padded with SSE comments."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import openai
import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler

from langchain_mavera import (
    ChatMavera,
    MaveraAPIError,
    MaveraInsufficientCreditsError,
    MaveraRateLimitError,
    MaveraStreamInterruptedError,
    MaveraTimeoutError,
)
from tests.fake_mavera import FakeMavera, ok, raw, sse, stream_chunks
from tests.loopback import run_loopback

pytestmark = pytest.mark.loopback

CUT = httpx2.RemoteProtocolError("peer closed connection without sending complete message body")


class Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str | list[str | dict[str, Any]], **kwargs: Any) -> None:
        assert isinstance(token, str)
        self.tokens.append(token)


class AsyncTokens(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    async def on_llm_new_token(self, token: str | list[str | dict[str, Any]], **kwargs: Any) -> None:
        assert isinstance(token, str)
        self.tokens.append(token)


def _drain(chunks: Iterator[Any], seen: list[str]) -> None:
    for chunk in chunks:
        seen.append(str(chunk.content))


async def _adrain(chunks: AsyncIterator[Any], seen: list[str]) -> None:
    async for chunk in chunks:
        seen.append(str(chunk.content))


def _unfinished(*pieces: str) -> list[str]:
    return stream_chunks(list(pieces), finish=False)


@pytest.mark.parametrize("error", [CUT, None], ids=["connection-dropped", "body-ended-early"])
def test_cut_stream_raises_after_delivering_what_arrived(error: Exception | None) -> None:
    script = FakeMavera(sse(_unfinished("Hel", "lo, ", "wor"), error))
    handler = Tokens()
    seen: list[str] = []
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        _drain(script.model().stream("hi", config={"callbacks": [handler]}), seen)
    assert seen == ["Hel", "lo, ", "wor"]
    assert handler.tokens == ["Hel", "lo, ", "wor"]
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hello, wor"
    assert len(script.requests) == 1  # a half-delivered answer is not silently re-asked


@pytest.mark.parametrize("error", [CUT, None], ids=["connection-dropped", "body-ended-early"])
async def test_cut_stream_async(error: Exception | None) -> None:
    script = FakeMavera(sse(_unfinished("Hel", "lo"), error))
    handler = AsyncTokens()
    seen: list[str] = []
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        await _adrain(script.model().astream("hi", config={"callbacks": [handler]}), seen)
    assert seen == ["Hel", "lo"]
    assert handler.tokens == ["Hel", "lo"]
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hello"


def test_cut_stream_under_invoke_keeps_the_partial() -> None:
    script = FakeMavera(sse(_unfinished("Hel", "lo"), CUT))
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        script.model(streaming=True).invoke("hi")
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hello"


def test_finish_reason_without_done_is_complete() -> None:
    lines = stream_chunks(["a", "b"])[:-1]  # no [DONE], but a finish_reason arrived
    text = "".join(str(c.content) for c in FakeMavera(sse(lines)).model().stream("hi"))
    assert text == "ab"


def _error_event(code: str, message: str) -> str:
    return "data: " + json.dumps({"error": {"message": message, "type": "x", "code": code}}) + "\n\n"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("credits_exhausted", MaveraInsufficientCreditsError), ("rate_limit_exceeded", MaveraRateLimitError)],
)
def test_error_object_inside_stream_is_typed(code: str, expected: type[Exception]) -> None:
    lines = [*_unfinished("Par", "tial"), _error_event(code, "gone mid-answer")]
    with pytest.raises(expected) as caught:
        list(FakeMavera(sse(lines)).model().stream("hi"))
    assert caught.value.code == code  # type: ignore[attr-defined]
    assert caught.value.server_message == "gone mid-answer"  # type: ignore[attr-defined]
    assert caught.value.partial.content == "Partial"  # type: ignore[attr-defined]


def test_error_object_inside_stream_keeps_the_response_for_openai_handlers() -> None:
    lines = [*_unfinished("x"), _error_event("rate_limit_exceeded", "slow down")]
    reply = sse(lines)

    def with_request_id(request: httpx2.Request) -> httpx2.Response:
        response = reply(request)
        response.headers["x-request-id"] = "req_stream_1"
        return response

    with pytest.raises(openai.RateLimitError) as caught:
        list(FakeMavera(with_request_id).model().stream("hi"))
    assert caught.value.response.headers["x-request-id"] == "req_stream_1"
    assert caught.value.request_id == "req_stream_1"
    assert caught.value.status_code is None  # a 200 stream: no HTTP status to report


async def test_error_object_inside_stream_async() -> None:
    lines = [*_unfinished("x"), _error_event("credits_exhausted", "no credits")]
    with pytest.raises(MaveraInsufficientCreditsError):
        async for _ in FakeMavera(sse(lines)).model().astream("hi"):
            pass


def test_sse_comment_lines_are_ignored() -> None:
    lines = [": keep-alive\n\n"] + [f": ping\n{line}" for line in stream_chunks(["a", "b"])]
    chunks = list(FakeMavera(sse(lines)).model().stream("hi"))
    assert "".join(str(c.content) for c in chunks) == "ab"
    assert chunks[-1].response_metadata["finish_reason"] == "stop"


def test_stalled_stream_times_out_after_stream_chunk_timeout() -> None:
    with run_loopback() as server:
        server.stall_seconds = 2.0
        model = ChatMavera(
            api_key=server.api_key, base_url=server.base_url, stream_chunk_timeout=0.2, max_retries=0
        )
        seen: list[str] = []
        with pytest.raises(MaveraTimeoutError) as caught:
            _drain(model.stream("hi"), seen)
    assert seen == ["Hel"]
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hel"
    assert "next stream chunk" in str(caught.value)


async def test_stalled_stream_times_out_async() -> None:
    with run_loopback() as server:
        server.stall_seconds = 2.0
        model = ChatMavera(
            api_key=server.api_key, base_url=server.base_url, stream_chunk_timeout=0.2, max_retries=0
        )
        with pytest.raises(MaveraTimeoutError) as caught:
            async for _ in model.astream("hi"):
                pass
    assert caught.value.partial.content == "Hel"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (None, {"connect": 5.0, "read": 0.5, "write": 600.0, "pool": 600.0}),
        (30.0, {"connect": 30.0, "read": 0.5, "write": 30.0, "pool": 30.0}),
        # A user read timeout stricter than the chunk timeout is kept, not loosened.
        (0.2, {"connect": 0.2, "read": 0.2, "write": 0.2, "pool": 0.2}),
        (
            httpx2.Timeout(10.0, read=0.3),
            {"connect": 10.0, "read": 0.3, "write": 10.0, "pool": 10.0},
        ),
        (
            httpx2.Timeout(10.0, read=None),
            {"connect": 10.0, "read": 0.5, "write": 10.0, "pool": 10.0},
        ),
    ],
)
def test_stream_read_timeout_is_the_stricter_of_timeout_and_stream_chunk_timeout(
    timeout: Any, expected: dict[str, float]
) -> None:
    seen: list[dict[str, Any]] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.extensions["timeout"])
        return sse(stream_chunks(["a"]))(request)

    script = FakeMavera(record)
    list(script.model(timeout=timeout, stream_chunk_timeout=0.5).stream("hi"))
    assert seen == [expected]


GATEWAY_PAGE = "<html><body>502 Bad Gateway</body></html>"


@pytest.mark.parametrize(
    ("reply", "content_type", "body_start"),
    [
        (raw(200, GATEWAY_PAGE), "text/html", "<html>"),
        (ok(), "application/json", '{"id":"chatcmpl-1"'),
    ],
    ids=["html-gateway-page", "json-completion-ignoring-stream"],
)
def test_a_200_that_is_not_an_event_stream_is_a_malformed_reply(
    reply: Any, content_type: str, body_start: str
) -> None:
    with pytest.raises(MaveraAPIError) as caught:
        list(FakeMavera(reply).model(max_retries=0).stream("hi"))
    assert not isinstance(caught.value, MaveraStreamInterruptedError)
    assert f"expected an event stream, got {content_type}" in str(caught.value)
    assert caught.value.raw_text is not None
    assert caught.value.raw_text.startswith(body_start)


async def test_a_200_that_is_not_an_event_stream_is_a_malformed_reply_async() -> None:
    with pytest.raises(MaveraAPIError) as caught:
        async for _ in FakeMavera(raw(200, GATEWAY_PAGE)).model(max_retries=0).astream("hi"):
            pass
    assert not isinstance(caught.value, MaveraStreamInterruptedError)
    assert caught.value.raw_text == GATEWAY_PAGE
