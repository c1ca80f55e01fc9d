"""Sending straight through the SDK's HTTP client puts exactly the SDK's request on the wire.

Each case runs twice against the same script: once on the direct path and once
with it switched off (every request through the SDK's own `post`), and compares
what arrived: method, URL, every header in order (retry count and read timeout
included, across a retry), body bytes and the timeouts the transport was given,
and what a failure raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from langchain_mavera import MaveraAPIError, MaveraConnectionError, MaveraError
from langchain_mavera._transport import _sdk
from tests.fake_mavera import FakeMavera, ok, sse, status, stream_chunks

Seen = list[tuple[str, str, list[tuple[bytes, bytes]], bytes, Any]]
Run = Callable[[Any], Any]

_SETTINGS: list[dict[str, Any]] = [
    {},
    {"request_timeout": 12.5},
    {"request_timeout": httpx2.Timeout(20.0, connect=3.0), "total_timeout": 9.0},
    {"stream_chunk_timeout": 4.0, "total_timeout": 30.0, "default_headers": {"X-Team": "research"}},
]


def _retried_then(final: Any) -> list[Any]:
    # A retryable 503 with a 1 ms Retry-After, so the retry path (and its headers) is covered quickly.
    return [status(503, "overloaded", "busy", **{"retry-after-ms": "1"}), final]


def _seen(
    direct: bool, replies: list[Any], run: Run, monkeypatch: pytest.MonkeyPatch, **settings: Any
) -> Seen:
    with monkeypatch.context() as patch:
        if not direct:
            patch.setattr(_sdk, "sends_directly", lambda client, http_type: False)
        script = FakeMavera(*replies)
        model = script.model(max_retries=2, **settings)
        run(model)
    return [
        (
            request.method,
            str(request.url),
            list(request.headers.raw),
            request.content,
            request.extensions.get("timeout"),
        )
        for request in script.requests
    ]


def _invoke(model: Any) -> Any:
    return model.invoke("hello")


def _stream(model: Any) -> Any:
    return list(model.stream("hello"))


def _ainvoke(model: Any) -> Any:
    return asyncio.run(model.ainvoke("hello"))


def _astream(model: Any) -> Any:
    async def collect() -> list[Any]:
        return [chunk async for chunk in model.astream("hello")]

    return asyncio.run(collect())


@pytest.mark.parametrize("settings", _SETTINGS)
@pytest.mark.parametrize(
    ("run", "final"),
    [
        (_invoke, ok()),
        (_ainvoke, ok()),
        (_stream, sse(stream_chunks(["a", "b"]))),
        (_astream, sse(stream_chunks(["a", "b"]))),
    ],
)
def test_the_wire_is_the_sdks(
    run: Run, final: Any, settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = _retried_then(final)
    direct = _seen(True, replies, run, monkeypatch, **settings)
    through_sdk = _seen(False, replies, run, monkeypatch, **settings)
    assert len(direct) == 2
    assert direct == through_sdk
    names = [name.lower() for name, _ in direct[1][2]]
    assert (b"x-stainless-retry-count", b"1") in direct[1][2]
    assert b"authorization" in names
    assert b"openai-organization" not in names


def _raised(direct: bool, replies: list[Any], run: Run, monkeypatch: pytest.MonkeyPatch) -> MaveraError:
    with pytest.raises(MaveraError) as caught:
        _seen(direct, replies, run, monkeypatch)
    return caught.value


def _connection_refused(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ConnectError("connection refused", request=request)


def _timed_out(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ReadTimeout("read timed out", request=request)


@pytest.mark.parametrize("run", [_invoke, _ainvoke, _stream, _astream])
@pytest.mark.parametrize(
    "replies",
    [
        [status(400, "invalid_request", "persona_id is not known")],
        [status(500, "server_error", "boom", **{"retry-after-ms": "1", "x-should-retry": "false"})],
        [_connection_refused],
        [_timed_out],
    ],
)
def test_failures_raise_what_the_sdk_path_raises(
    run: Run, replies: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = _raised(True, replies, run, monkeypatch)
    through_sdk = _raised(False, replies, run, monkeypatch)
    assert type(direct) is type(through_sdk)
    assert str(direct) == str(through_sdk)
    assert getattr(direct, "status_code", None) == getattr(through_sdk, "status_code", None)
    assert type(direct.__cause__) is type(through_sdk.__cause__)
    if isinstance(direct, MaveraConnectionError):
        assert isinstance(direct.__cause__.__cause__, httpx2.ConnectError)  # type: ignore[union-attr]
    assert isinstance(direct, MaveraAPIError | MaveraConnectionError | MaveraError)


def test_a_client_the_direct_path_does_not_reproduce_goes_through_the_sdk() -> None:
    import openai

    plain = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", http_client=httpx2.Client())
    with_query = openai.OpenAI(
        api_key="k", base_url="http://127.0.0.1:9/v1", http_client=httpx2.Client(), default_query={"a": "b"}
    )
    assert _sdk.sender(plain) is not None
    assert _sdk.sender(with_query) is None


def test_chat_maveras_own_clients_send_directly() -> None:
    from langchain_mavera import ChatMavera

    model = ChatMavera(api_key="mvra_test_unit", base_url="http://127.0.0.1:9/api/v1")
    assert _sdk.sender(model.client) is not None

    async def direct_async() -> Any:
        return await _sdk.asender(model.async_client)

    assert asyncio.run(direct_async()) is not None
