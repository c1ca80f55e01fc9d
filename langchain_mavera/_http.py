"""The HTTP exchange: one JSON request, or one SSE stream, through the openai SDK.

Requests go through the SDK's generic `post` with the raw response asked for,
which keeps its retries, backoff and timeouts but skips building typed SDK
models that we would only dump back to dicts: the reply is decoded once, here.
Every failure leaves this module as a typed `MaveraError`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, NamedTuple

import httpx2
import openai

from langchain_mavera._sse import ServerSentEvent, SSEDecoder
from langchain_mavera.errors import (
    MaveraError,
    MaveraStreamInterruptedError,
    MaveraTimeoutError,
    error_from_openai,
    make_error,
    malformed_reply,
)


class JSONReply(NamedTuple):
    """A decoded JSON object and the HTTP response it came in."""

    body: dict[str, Any]
    response: httpx2.Response


def _options(timeout: Any) -> Any:
    return {} if timeout is None else {"timeout": timeout}


def decode_json(response: httpx2.Response) -> dict[str, Any]:
    """The response body as a JSON object, or a MaveraAPIError keeping the raw text."""
    raw = response.content
    try:
        body = json.loads(raw)
    except ValueError:
        raise malformed_reply(response, "the body is not JSON", response.text) from None
    if not isinstance(body, dict):
        raise malformed_reply(response, f"expected a JSON object, got {type(body).__name__}", response.text)
    return body


def post_json(client: openai.OpenAI, path: str, body: dict[str, Any], timeout: Any = None) -> JSONReply:
    """POST `body` and decode the JSON reply."""
    try:
        response = client.post(path, body=body, cast_to=httpx2.Response, options=_options(timeout))
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    return JSONReply(decode_json(response), response)


async def apost_json(
    client: openai.AsyncOpenAI, path: str, body: dict[str, Any], timeout: Any = None
) -> JSONReply:
    """Async twin of `post_json`."""
    try:
        response = await client.post(path, body=body, cast_to=httpx2.Response, options=_options(timeout))
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    await response.aread()
    return JSONReply(decode_json(response), response)


def get_json(client: openai.OpenAI, path: str, query: dict[str, Any] | None = None) -> JSONReply:
    """GET `path` with `query` and decode the JSON reply."""
    try:
        response = client.get(path, cast_to=httpx2.Response, options={"params": query or {}})
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    return JSONReply(decode_json(response), response)


async def aget_json(client: openai.AsyncOpenAI, path: str, query: dict[str, Any] | None = None) -> JSONReply:
    """Async twin of `get_json`."""
    try:
        response = await client.get(path, cast_to=httpx2.Response, options={"params": query or {}})
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    await response.aread()
    return JSONReply(decode_json(response), response)


def _stream_options(timeout: Any, chunk_timeout: float | None) -> Any:
    """A read timeout bounds each wait for the next bytes: a per-chunk timeout.

    The user's own read timeout still holds when it is the stricter of the two.
    """
    if chunk_timeout is None:
        return _options(timeout)
    # Without a request timeout, keep the SDK's defaults for connect/write/pool rather than none.
    base = openai.DEFAULT_TIMEOUT if timeout is None else timeout
    if not isinstance(base, httpx2.Timeout):
        base = httpx2.Timeout(base)
    read = chunk_timeout if base.read is None else min(base.read, chunk_timeout)
    return {"timeout": httpx2.Timeout(connect=base.connect, read=read, write=base.write, pool=base.pool)}


def _is_event_stream(response: httpx2.Response) -> bool:
    # A reply with no content-type at all is left to the SSE reader rather than refused.
    content_type = response.headers.get("content-type")
    return content_type is None or content_type.split(";")[0].strip().lower() == "text/event-stream"


def _not_an_event_stream(response: httpx2.Response) -> MaveraError:
    """A 200 that is not SSE (a gateway's HTML page, a JSON completion): Mavera's fault, body kept."""
    content_type = response.headers.get("content-type")
    return malformed_reply(response, f"expected an event stream, got {content_type}", response.text)


def _transport_error(exc: Exception, response: httpx2.Response) -> MaveraError:
    if isinstance(exc, httpx2.TimeoutException):
        message = "Timed out waiting for the next stream chunk."
        return make_error(MaveraTimeoutError, message, request=response.request)
    message = f"The stream was cut off: {exc}"
    return make_error(MaveraStreamInterruptedError, message, request=response.request)


@contextmanager
def open_stream(
    client: openai.OpenAI, path: str, body: dict[str, Any], timeout: Any, chunk_timeout: float | None
) -> Iterator[httpx2.Response]:
    """POST `body` for an SSE stream; the response is closed on exit."""
    try:
        # With the raw response type asked for, the SDK returns it unread, before any Stream is built.
        response: httpx2.Response = client.post(  # type: ignore[assignment]
            path,
            body=body,
            cast_to=httpx2.Response,
            options=_stream_options(timeout, chunk_timeout),
            stream=True,
            stream_cls=openai.Stream[Any],
        )
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    try:
        if not _is_event_stream(response):
            try:
                response.read()
            except httpx2.TransportError as exc:
                raise _transport_error(exc, response) from exc
            raise _not_an_event_stream(response)
        yield response
    finally:
        response.close()


@asynccontextmanager
async def aopen_stream(
    client: openai.AsyncOpenAI, path: str, body: dict[str, Any], timeout: Any, chunk_timeout: float | None
) -> AsyncIterator[httpx2.Response]:
    """Async twin of `open_stream`."""
    try:
        response: httpx2.Response = await client.post(  # type: ignore[assignment]
            path,
            body=body,
            cast_to=httpx2.Response,
            options=_stream_options(timeout, chunk_timeout),
            stream=True,
            stream_cls=openai.AsyncStream[Any],
        )
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    try:
        if not _is_event_stream(response):
            try:
                await response.aread()
            except httpx2.TransportError as exc:
                raise _transport_error(exc, response) from exc
            raise _not_an_event_stream(response)
        yield response
    finally:
        await response.aclose()


def iter_events(response: httpx2.Response) -> Iterator[ServerSentEvent]:
    """The SSE events of a streaming response, transport failures made typed."""
    decoder = SSEDecoder()
    try:
        for line in response.iter_lines():
            event = decoder.feed(line)
            if event is not None:
                yield event
    except httpx2.TransportError as exc:
        raise _transport_error(exc, response) from exc
    event = decoder.flush()
    if event is not None:
        yield event


async def aiter_events(response: httpx2.Response) -> AsyncIterator[ServerSentEvent]:
    """Async twin of `iter_events`."""
    decoder = SSEDecoder()
    try:
        async for line in response.aiter_lines():
            event = decoder.feed(line)
            if event is not None:
                yield event
    except httpx2.TransportError as exc:
        raise _transport_error(exc, response) from exc
    event = decoder.flush()
    if event is not None:
        yield event
