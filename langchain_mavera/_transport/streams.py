"""SSE streams: one POST whose reply is read event by event, with chunk and total deadlines."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx2
import openai

from langchain_mavera._transport.error_mapping import make_error, malformed_reply
from langchain_mavera._transport.http import apost, capped, post, reason
from langchain_mavera._transport.json_body import encode_json_body
from langchain_mavera._transport.sse import DONE, LineReader, ServerSentEvent, SSEDecoder
from langchain_mavera.errors import (
    MaveraAPIError,
    MaveraError,
    MaveraStreamInterruptedError,
    MaveraTimeoutError,
)


def _stream_timeout(timeout: Any, chunk_timeout: float | None, total_timeout: float | None) -> Any:
    """A read timeout bounds each wait for the next bytes: a per-chunk timeout.

    The user's own read timeout still holds when it is the stricter of the two,
    and no single wait outlasts `total_timeout`.
    """
    if chunk_timeout is None:
        return capped(timeout, total_timeout)
    # Without a request timeout, keep the SDK's defaults for connect/write/pool rather than none.
    base = openai.DEFAULT_TIMEOUT if timeout is None else timeout
    if not isinstance(base, httpx2.Timeout):
        base = httpx2.Timeout(base)
    read = chunk_timeout if base.read is None else min(base.read, chunk_timeout)
    timeout = httpx2.Timeout(connect=base.connect, read=read, write=base.write, pool=base.pool)
    return capped(timeout, total_timeout)


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
    message = f"The stream was cut off: {reason(exc)}"
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
    content = encode_json_body(body)
    started = time.monotonic()
    response = post(client, path, content, _stream_timeout(timeout, chunk_timeout, total_timeout))
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
    content = encode_json_body(body)
    started = time.monotonic()
    response = await apost(client, path, content, _stream_timeout(timeout, chunk_timeout, total_timeout))
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
