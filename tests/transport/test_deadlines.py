"""Every call has an upper bound: a trickling body or a stream of keep-alive comments ends typed.

The bounds asserted are the documented ones with a wide margin (the server
would otherwise keep going for 30 s or more), so these are not timing tests of
performance: they prove a call ends, typed, keeping what arrived.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from langchain_mavera import ChatMavera, MaveraTimeoutError
from tests.loopback import Step, chunk, completion_bytes, event, finish, head, run_loopback, sse_head

pytestmark = pytest.mark.loopback


def _model(base_url: str, **kwargs: Any) -> ChatMavera:
    return ChatMavera(api_key="mvra_live_RAWSOCKET_secret_0123456789", base_url=base_url, **kwargs)


def _trickled_body(_: dict[str, Any]) -> list[Any]:
    body = completion_bytes()
    steps: list[Any] = [head(content_type="application/json", content_length=str(len(body)))]
    for byte in body:
        steps += [bytes([byte]), 0.25]  # each byte well inside the read timeout
    return steps


def _pings(_: dict[str, Any]) -> list[Any]:
    return [sse_head(), event(chunk("Hel")), *[b": ping\n\n", 0.2] * 200, event(finish())]


def _slow_chunks(_: dict[str, Any]) -> list[Any]:
    return [sse_head(), *[event(chunk("x")), 0.3] * 200, event(finish())]


def test_invoke_whose_body_trickles_ends_within_timeout() -> None:
    with run_loopback(_trickled_body) as server:
        started = time.monotonic()
        with pytest.raises(MaveraTimeoutError) as caught:
            _model(server.base_url, timeout=1).invoke("hi")
        elapsed = time.monotonic() - started
    assert elapsed < 10  # the body alone would take over 60 s
    assert server.posts == 1
    assert caught.value.raw_text  # the bytes that arrived are kept


async def test_ainvoke_whose_body_trickles_ends_within_total_timeout() -> None:
    with run_loopback(_trickled_body) as server:
        started = time.monotonic()
        with pytest.raises(MaveraTimeoutError):
            await _model(server.base_url, total_timeout=1).ainvoke("hi")
        elapsed = time.monotonic() - started
    assert elapsed < 10
    assert server.posts == 1


def test_keep_alive_comments_do_not_extend_the_chunk_timeout() -> None:
    with run_loopback(_pings) as server:
        started = time.monotonic()
        with pytest.raises(MaveraTimeoutError) as caught:
            list(_model(server.base_url, stream_chunk_timeout=1).stream("hi"))
        elapsed = time.monotonic() - started
    assert elapsed < 10  # the comments alone go on for 40 s
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hel"


async def test_keep_alive_comments_async() -> None:
    with run_loopback(_pings) as server, pytest.raises(MaveraTimeoutError) as caught:
        async for _ in _model(server.base_url, stream_chunk_timeout=1).astream("hi"):
            pass
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hel"


def test_total_timeout_bounds_a_stream_of_real_chunks() -> None:
    with run_loopback(_slow_chunks) as server:
        started = time.monotonic()
        with pytest.raises(MaveraTimeoutError) as caught:
            list(_model(server.base_url, total_timeout=1.5).stream("hi"))
        elapsed = time.monotonic() - started
    assert elapsed < 10  # the chunks alone go on for 60 s
    assert caught.value.partial is not None
    assert str(caught.value.partial.content).startswith("xx")


async def test_total_timeout_bounds_an_async_stream() -> None:
    with run_loopback(_slow_chunks) as server, pytest.raises(MaveraTimeoutError) as caught:
        async for _ in _model(server.base_url, total_timeout=1.5).astream("hi"):
            pass
    assert caught.value.partial is not None


def test_keep_alive_comments_within_the_limits_are_tolerated() -> None:
    ping: list[Step] = [b": ping\n\n", 0.1]
    script: list[Step] = [sse_head(), *ping * 4, event(chunk("ok")), event(finish())]
    with run_loopback(lambda _: script) as server:
        model = _model(server.base_url, stream_chunk_timeout=2, total_timeout=20)
        assert "".join(str(piece.content) for piece in model.stream("hi")) == "ok"


def test_total_timeout_leaves_a_quick_invoke_alone() -> None:
    with run_loopback(lambda _: [head(content_type="application/json"), completion_bytes()]) as server:
        assert _model(server.base_url, total_timeout=5).invoke("hi").content == "Hello from the persona."


@pytest.mark.parametrize("field", ["timeout", "total_timeout", "stream_chunk_timeout"])
@pytest.mark.parametrize("value", [float("inf"), 1e308, float("nan"), 0, -1])
def test_unusable_timeouts_are_refused_at_construction(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        ChatMavera(api_key="mvra_live_x", **{field: value})
