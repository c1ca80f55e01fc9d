"""The HTTP exchange: one JSON request, or one SSE stream, through the openai SDK.

Requests go through the SDK's generic `post` with the raw response asked for,
which keeps its retries, backoff and timeouts but skips building typed SDK
models that we would only dump back to dicts: the reply is decoded once, here.
Every failure leaves this module as a typed `MaveraError`.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, NamedTuple

import httpx2
import openai

from langchain_mavera._error_mapping import error_from_openai, make_error, malformed_reply
from langchain_mavera._params import check_json_body
from langchain_mavera._sse import DONE, LineReader, ServerSentEvent, SSEDecoder
from langchain_mavera.errors import (
    MaveraAPIError,
    MaveraError,
    MaveraStreamInterruptedError,
    MaveraTimeoutError,
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
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python recurses
        raise malformed_reply(response, "the body is not JSON", response.text) from None
    if not isinstance(body, dict):
        raise malformed_reply(response, f"expected a JSON object, got {type(body).__name__}", response.text)
    return body


def _read_timeout(timeout: Any) -> float | None:
    """The per-read wait a request's `timeout` sets: its number, or the Timeout's read value."""
    if timeout is None:
        timeout = openai.DEFAULT_TIMEOUT
    if isinstance(timeout, httpx2.Timeout):
        return timeout.read
    return float(timeout)


def _capped(timeout: Any, total_timeout: float | None) -> Any:
    """The request's timeout with no single wait longer than `total_timeout`."""
    if total_timeout is None:
        return timeout
    base = openai.DEFAULT_TIMEOUT if timeout is None else timeout
    if not isinstance(base, httpx2.Timeout):
        base = httpx2.Timeout(base)
    read = total_timeout if base.read is None else min(base.read, total_timeout)
    return httpx2.Timeout(connect=base.connect, read=read, write=base.write, pool=base.pool)


def _body_deadline(started: float, timeout: Any, total_timeout: float | None) -> float | None:
    """When a reply's body must be complete: `timeout` after its headers, and `total_timeout` after sending.

    A body that trickles in a byte at a time never trips a per-read timeout;
    this bounds the whole body instead.
    """
    read = _read_timeout(timeout)
    deadlines = [time.monotonic() + read] if read is not None else []
    if total_timeout is not None:
        deadlines.append(started + total_timeout)
    return min(deadlines) if deadlines else None


def _body_error(exc: Exception, response: httpx2.Response, received: bytes) -> MaveraError:
    """The typed error for a 2xx body that failed part-way; what arrived is kept as `raw_text`."""
    raw_text = received.decode("utf-8", "replace")
    if isinstance(exc, httpx2.DecodingError):
        encoding = response.headers.get("content-encoding", "")
        return malformed_reply(response, f"the body could not be decoded ({encoding}): {exc}", raw_text)
    if isinstance(exc, httpx2.TimeoutException | TimeoutError):
        cls: type[MaveraError] = MaveraTimeoutError
        message = "Timed out reading Mavera's reply; it was not re-sent, as it may have been billed."
    else:
        cls = MaveraStreamInterruptedError
        message = (
            f"Mavera's reply was cut off ({_reason(exc)}); it was not re-sent, as it may have been billed."
        )
    return make_error(cls, message, request=response.request, raw_text=raw_text)


def _reason(exc: BaseException) -> str:
    # Some transport errors have an empty message; their type still says what happened.
    return str(exc) or type(exc).__name__


_BODY_ERRORS = (httpx2.TransportError, httpx2.DecodingError, TimeoutError)


def _read_body(response: httpx2.Response, deadline: float | None) -> None:
    parts: list[bytes] = []
    try:
        try:
            for part in response.iter_bytes():
                parts.append(part)
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError
        finally:
            response.close()
    except _BODY_ERRORS as exc:
        raise _body_error(exc, response, b"".join(parts)) from exc
    response._content = b"".join(parts)  # noqa: SLF001  (what httpx2's own read() stores)


async def _aread_body(response: httpx2.Response, deadline: float | None) -> None:
    parts: list[bytes] = []
    try:
        try:
            async for part in response.aiter_bytes():
                parts.append(part)
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError
        finally:
            await response.aclose()
    except _BODY_ERRORS as exc:
        raise _body_error(exc, response, b"".join(parts)) from exc
    response._content = b"".join(parts)  # noqa: SLF001  (what httpx2's own aread() stores)


def post_json(
    client: openai.OpenAI,
    path: str,
    body: dict[str, Any],
    timeout: Any = None,
    total_timeout: float | None = None,
) -> JSONReply:
    """POST `body` and decode the JSON reply.

    The SDK retries only until a status line arrives: the body is read here, so
    a 2xx reply whose body fails is never POSTed again (it may have been billed).
    """
    check_json_body(body)
    started = time.monotonic()
    try:
        response: httpx2.Response = client.post(  # type: ignore[assignment]
            path,
            body=body,
            cast_to=httpx2.Response,
            options=_options(_capped(timeout, total_timeout)),
            stream=True,
            stream_cls=openai.Stream[Any],
        )
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    _read_body(response, _body_deadline(started, timeout, total_timeout))
    return JSONReply(decode_json(response), response)


async def apost_json(
    client: openai.AsyncOpenAI,
    path: str,
    body: dict[str, Any],
    timeout: Any = None,
    total_timeout: float | None = None,
) -> JSONReply:
    """Async twin of `post_json`."""
    check_json_body(body)
    started = time.monotonic()
    try:
        response: httpx2.Response = await client.post(  # type: ignore[assignment]
            path,
            body=body,
            cast_to=httpx2.Response,
            options=_options(_capped(timeout, total_timeout)),
            stream=True,
            stream_cls=openai.AsyncStream[Any],
        )
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    await _aread_body(response, _body_deadline(started, timeout, total_timeout))
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


def _stream_options(timeout: Any, chunk_timeout: float | None, total_timeout: float | None) -> Any:
    """A read timeout bounds each wait for the next bytes: a per-chunk timeout.

    The user's own read timeout still holds when it is the stricter of the two,
    and no single wait outlasts `total_timeout`.
    """
    if chunk_timeout is None:
        return _options(_capped(timeout, total_timeout))
    # Without a request timeout, keep the SDK's defaults for connect/write/pool rather than none.
    base = openai.DEFAULT_TIMEOUT if timeout is None else timeout
    if not isinstance(base, httpx2.Timeout):
        base = httpx2.Timeout(base)
    read = chunk_timeout if base.read is None else min(base.read, chunk_timeout)
    timeout = httpx2.Timeout(connect=base.connect, read=read, write=base.write, pool=base.pool)
    return {"timeout": _capped(timeout, total_timeout)}


class StreamClock:
    """The limits of one stream beyond a single read's timeout.

    `deadline` ends the whole stream (`total_timeout` after it was sent);
    `chunk_timeout` is the longest run of keep-alive comments without an event,
    since each comment resets the read timeout but is not a chunk.
    """

    __slots__ = ("_last_event", "chunk_timeout", "deadline")

    def __init__(self, started: float, chunk_timeout: float | None, total_timeout: float | None) -> None:
        self.deadline = None if total_timeout is None else started + total_timeout
        self.chunk_timeout = chunk_timeout
        self._last_event = started

    def check(self, dispatched: bool, response: httpx2.Response) -> None:
        """Called once per network read, with whether it completed any event."""
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            message = "The stream ran past total_timeout; the answer is incomplete."
            raise make_error(MaveraTimeoutError, message, request=response.request)
        if dispatched:
            self._last_event = now
        elif self.chunk_timeout is not None and now - self._last_event > self.chunk_timeout:
            message = "Timed out waiting for the next stream chunk (only keep-alive comments arrived)."
            raise make_error(MaveraTimeoutError, message, request=response.request)


# Where `open_stream` leaves the stream's clock for `iter_events` to read.
_CLOCK = "langchain_mavera.clock"


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
    if isinstance(exc, httpx2.DecodingError):
        encoding = response.headers.get("content-encoding", "")
        message = f"Malformed reply from Mavera: the stream could not be decoded ({encoding}): {exc}"
        return make_error(MaveraAPIError, message, request=response.request)
    message = f"The stream was cut off: {_reason(exc)}"
    return make_error(MaveraStreamInterruptedError, message, request=response.request)


_STREAM_ERRORS = (httpx2.TransportError, httpx2.DecodingError)


@contextmanager
def open_stream(
    client: openai.OpenAI,
    path: str,
    body: dict[str, Any],
    timeout: Any,
    chunk_timeout: float | None,
    total_timeout: float | None = None,
) -> Iterator[httpx2.Response]:
    """POST `body` for an SSE stream; the response is closed on exit."""
    check_json_body(body)
    started = time.monotonic()
    try:
        # With the raw response type asked for, the SDK returns it unread, before any Stream is built.
        response: httpx2.Response = client.post(  # type: ignore[assignment]
            path,
            body=body,
            cast_to=httpx2.Response,
            options=_stream_options(timeout, chunk_timeout, total_timeout),
            stream=True,
            stream_cls=openai.Stream[Any],
        )
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    try:
        if not _is_event_stream(response):
            try:
                response.read()
            except _STREAM_ERRORS as exc:
                raise _transport_error(exc, response) from exc
            raise _not_an_event_stream(response)
        response.extensions[_CLOCK] = StreamClock(started, chunk_timeout, total_timeout)
        yield response
    finally:
        response.close()


@asynccontextmanager
async def aopen_stream(
    client: openai.AsyncOpenAI,
    path: str,
    body: dict[str, Any],
    timeout: Any,
    chunk_timeout: float | None,
    total_timeout: float | None = None,
) -> AsyncIterator[httpx2.Response]:
    """Async twin of `open_stream`."""
    check_json_body(body)
    started = time.monotonic()
    try:
        response: httpx2.Response = await client.post(  # type: ignore[assignment]
            path,
            body=body,
            cast_to=httpx2.Response,
            options=_stream_options(timeout, chunk_timeout, total_timeout),
            stream=True,
            stream_cls=openai.AsyncStream[Any],
        )
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    try:
        if not _is_event_stream(response):
            try:
                await response.aread()
            except _STREAM_ERRORS as exc:
                raise _transport_error(exc, response) from exc
            raise _not_an_event_stream(response)
        response.extensions[_CLOCK] = StreamClock(started, chunk_timeout, total_timeout)
        yield response
    finally:
        await response.aclose()


def _is_whole(data: str) -> bool:
    """Whether an event's data, left without a line ending at the end of the stream, is complete."""
    if data == DONE:
        return True
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


def _last_event(reader: LineReader, decoder: SSEDecoder, response: httpx2.Response) -> ServerSentEvent | None:
    """The event still pending at the end of the stream, if it is whole.

    A stream may end without the final blank line, and that last event is
    used; but one that stops in the middle of a line was cut off.
    """
    tail = reader.tail()
    if tail:
        decoder.feed(tail)
    event = decoder.flush()
    if event is not None and tail and not _is_whole(event.data):
        message = "The stream was cut off in the middle of a line; the answer is incomplete."
        raise make_error(MaveraStreamInterruptedError, message, request=response.request)
    return event


def iter_events(response: httpx2.Response) -> Iterator[ServerSentEvent]:
    """The SSE events of a streaming response, transport failures made typed."""
    reader = LineReader()
    decoder = SSEDecoder()
    clock: StreamClock | None = response.extensions.get(_CLOCK)
    try:
        for data in response.iter_bytes():
            dispatched = False
            for line in reader.feed(data):
                event = decoder.feed(line)
                if event is not None:
                    dispatched = True
                    yield event
            if clock is not None:
                clock.check(dispatched, response)
    except _STREAM_ERRORS as exc:
        raise _transport_error(exc, response) from exc
    event = _last_event(reader, decoder, response)
    if event is not None:
        yield event


async def aiter_events(response: httpx2.Response) -> AsyncIterator[ServerSentEvent]:
    """Async twin of `iter_events`."""
    reader = LineReader()
    decoder = SSEDecoder()
    clock: StreamClock | None = response.extensions.get(_CLOCK)
    try:
        async for data in response.aiter_bytes():
            dispatched = False
            for line in reader.feed(data):
                event = decoder.feed(line)
                if event is not None:
                    dispatched = True
                    yield event
            if clock is not None:
                clock.check(dispatched, response)
    except _STREAM_ERRORS as exc:
        raise _transport_error(exc, response) from exc
    event = _last_event(reader, decoder, response)
    if event is not None:
        yield event
