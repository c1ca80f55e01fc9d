"""The HTTP exchange: one JSON request, or one SSE stream, over the openai SDK's client.

A POST is sent straight through the SDK client's pooled HTTP client, with the
headers, URL and JSON encoding the SDK itself computes (once per client, not
per call), and with the SDK's own retry decision, Retry-After sleeping and
status-error construction: what goes on the wire and what a failure raises are
the SDK's, without its per-request option copies and request building. A client
that uses SDK features this does not reproduce (a legacy httpx client, custom
auth, default query parameters) goes through the SDK's generic `post` instead.
Either way, no typed SDK models are built that we would only dump back to
dicts: the reply is decoded once, here. Every failure leaves this module as a
typed `MaveraError`.
"""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, NamedTuple

import httpx2
import openai
from openai._base_client import get_platform
from openai._base_client import log as _sdk_log
from openai._httpx2 import normalize_httpx2_timeout, request_exceptions, timeout_exceptions
from openai._models import FinalRequestOptions
from openai._utils import asyncify

from langchain_mavera._transport.error_mapping import error_from_openai, make_error, malformed_reply
from langchain_mavera._transport.json_body import encode_json_body
from langchain_mavera._transport.sse import DONE, LineReader, ServerSentEvent, SSEDecoder
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


def _options(timeout: Any, path: str) -> Any:
    options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    if path not in _RESENT_AFTER_READ_TIMEOUT:
        options["max_retries"] = 0  # the SDK's own loop cannot tell a read timeout from a connect one
    return options


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


# -- sending ---------------------------------------------------------------------------------

# The two headers the SDK sets per attempt; every other header is the same for all of a client's requests.
_PER_ATTEMPT = ("x-stainless-retry-count", "x-stainless-read-timeout")


class _Direct:
    """What the SDK computes identically for every POST of one client, computed once, by the SDK.

    `headers` come from the client's own `_build_headers` (auth, defaults,
    `X-Stainless-*`, ours), less the two it sets per attempt; URLs are joined
    to the base URL by the client's own `_prepare_url`.
    """

    __slots__ = ("_urls", "headers")

    def __init__(self, client: openai.OpenAI | openai.AsyncOpenAI) -> None:
        built = client._build_headers(FinalRequestOptions.construct(method="post", url=""))  # noqa: SLF001
        self.headers = [(name, value) for name, value in built.multi_items() if name not in _PER_ATTEMPT]
        self._urls: dict[str, tuple[httpx2.URL, str]] = {}

    def url(self, client: openai.OpenAI | openai.AsyncOpenAI, path: str) -> str:
        base = client.base_url
        cached = self._urls.get(path)
        if cached is None or cached[0] is not base:
            cached = self._urls[path] = (base, str(client._prepare_url(path)))  # noqa: SLF001
        return cached[1]

    def attempt_headers(self, timeout: Any, retries_taken: int) -> list[tuple[str, str]]:
        """The headers of one attempt, as the SDK's `_build_headers` sets them."""
        headers = [*self.headers, ("x-stainless-retry-count", str(retries_taken))]
        read = timeout.read if isinstance(timeout, httpx2.Timeout) else timeout
        if read is not None:
            headers.append(("x-stainless-read-timeout", str(read)))
        return headers


# Per SDK client: its `_Direct`, or None when it must go through the SDK's `post`.
_DIRECT: weakref.WeakKeyDictionary[Any, _Direct | None] = weakref.WeakKeyDictionary()


def _sends_directly(client: openai.OpenAI | openai.AsyncOpenAI, http_type: type) -> bool:
    """Whether the client uses nothing but what the direct path reproduces (all of ours do)."""
    security = FinalRequestOptions.construct(method="post", url="").security
    return (
        isinstance(client._client, http_type)  # noqa: SLF001  (not a legacy httpx client)
        and client._custom_auth(security) is None  # noqa: SLF001
        and getattr(client, "_provider_runtime", None) is None
        and getattr(client, "_api_key_provider", None) is None
        and getattr(client, "_workload_identity_auth", None) is None
        and client._idempotency_header is None  # noqa: SLF001
        and not client.default_query
    )


def _direct(client: openai.OpenAI) -> _Direct | None:
    try:
        return _DIRECT[client]
    except KeyError:
        direct = _Direct(client) if _sends_directly(client, httpx2.Client) else None
        _DIRECT[client] = direct
        return direct


async def _adirect(client: openai.AsyncOpenAI) -> _Direct | None:
    try:
        return _DIRECT[client]
    except KeyError:
        if client._platform is None:  # noqa: SLF001
            # What the SDK's async `request` does first: the platform headers may read files.
            client._platform = await asyncify(get_platform)()  # noqa: SLF001
        direct = _Direct(client) if _sends_directly(client, httpx2.AsyncClient) else None
        _DIRECT[client] = direct
        return direct


# Chat keeps the SDK's retries after a read timeout (`max_retries` is the caller's say there). The
# paid REST POSTs (Mave research, story analysis, story chat, persona creation) are slow and not
# idempotent: one that timed out after it was sent may be billed, so it is not sent again. A
# connect timeout sent nothing and is retried everywhere.
_RESENT_AFTER_READ_TIMEOUT = frozenset({"/chat/completions", "/responses"})


def _may_resend(path: str, error: BaseException) -> bool:
    return path in _RESENT_AFTER_READ_TIMEOUT or isinstance(error, httpx2.ConnectTimeout)


def _retry_options(path: str) -> FinalRequestOptions:
    """The options the SDK's retry sleep reads (the client's max_retries, as no override is given)."""
    return FinalRequestOptions.construct(method="post", url=path)


def _send(client: openai.OpenAI, direct: _Direct, path: str, content: bytes, timeout: Any) -> httpx2.Response:
    """POST the encoded body through the client's pooled HTTP client, retrying as the SDK's `request` does.

    Returns the unread response of the first 2xx; raises exactly the SDK
    exceptions its `request` raises (APITimeoutError, APIConnectionError, its
    status errors), so `error_from_openai` maps them the same way.
    """
    http = client._client  # noqa: SLF001
    url = direct.url(client, path)
    timeout = normalize_httpx2_timeout(client.timeout if timeout is None else timeout)
    max_retries = client.max_retries
    for retries_taken in range(max_retries + 1):
        retry = retries_taken < max_retries
        # The debug lines the SDK's `request` logs, on its own logger (with its header filter).
        _sdk_log.debug("Building HTTP request: method=%s retries_taken=%i", "POST", retries_taken)
        headers = direct.attempt_headers(timeout, retries_taken)
        request = http.build_request("POST", url, content=content, headers=headers, timeout=timeout)
        _sdk_log.debug("Sending HTTP Request: %s", "POST")
        try:
            response = http.send(request, stream=True)
        except timeout_exceptions() as err:
            _sdk_log.debug("Encountered a timeout exception: %s", type(err).__name__)
            if retry and _may_resend(path, err):
                client._sleep_for_retry(  # noqa: SLF001
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                    options=_retry_options(path),
                    response=None,
                )
                continue
            _sdk_log.debug("Raising timeout error")
            raise openai.APITimeoutError(request=request) from err
        except openai.OpenAIError:
            raise
        except request_exceptions() as err:
            _sdk_log.debug("Encountered exception: %s", type(err).__name__)
            if retry:
                client._sleep_for_retry(  # noqa: SLF001
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                    options=_retry_options(path),
                    response=None,
                )
                continue
            _sdk_log.debug("Raising connection error")
            raise openai.APIConnectionError(request=request) from err
        _sdk_log.debug("HTTP Response: %s %i", "POST", response.status_code)
        _sdk_log.debug("request_id: %s", response.headers.get("x-request-id"))
        if response.is_success:
            return response
        _sdk_log.debug("Encountered an HTTP status error: %i", response.status_code)
        if retry and client._should_retry(response):  # noqa: SLF001
            response.close()
            client._sleep_for_retry(  # noqa: SLF001
                retries_taken=retries_taken,
                max_retries=max_retries,
                options=_retry_options(path),
                response=response,
            )
            continue
        if not response.is_closed:
            response.read()
        _sdk_log.debug("Re-raising status error")
        raise client._make_status_error_from_response(response) from None  # noqa: SLF001
    raise AssertionError("unreachable: the last attempt returns or raises")


async def _asend(
    client: openai.AsyncOpenAI, direct: _Direct, path: str, content: bytes, timeout: Any
) -> httpx2.Response:
    """Async twin of `_send`."""
    http = client._client  # noqa: SLF001
    url = direct.url(client, path)
    timeout = normalize_httpx2_timeout(client.timeout if timeout is None else timeout)
    max_retries = client.max_retries
    for retries_taken in range(max_retries + 1):
        retry = retries_taken < max_retries
        # The debug lines the SDK's `request` logs, on its own logger (with its header filter).
        _sdk_log.debug("Building HTTP request: method=%s retries_taken=%i", "POST", retries_taken)
        headers = direct.attempt_headers(timeout, retries_taken)
        request = http.build_request("POST", url, content=content, headers=headers, timeout=timeout)
        _sdk_log.debug("Sending HTTP Request: %s", "POST")
        try:
            response = await http.send(request, stream=True)
        except timeout_exceptions() as err:
            _sdk_log.debug("Encountered a timeout exception: %s", type(err).__name__)
            if retry and _may_resend(path, err):
                await client._sleep_for_retry(  # noqa: SLF001
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                    options=_retry_options(path),
                    response=None,
                )
                continue
            _sdk_log.debug("Raising timeout error")
            raise openai.APITimeoutError(request=request) from err
        except openai.OpenAIError:
            raise
        except request_exceptions() as err:
            _sdk_log.debug("Encountered exception: %s", type(err).__name__)
            if retry:
                await client._sleep_for_retry(  # noqa: SLF001
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                    options=_retry_options(path),
                    response=None,
                )
                continue
            _sdk_log.debug("Raising connection error")
            raise openai.APIConnectionError(request=request) from err
        _sdk_log.debug("HTTP Response: %s %i", "POST", response.status_code)
        _sdk_log.debug("request_id: %s", response.headers.get("x-request-id"))
        if response.is_success:
            return response
        _sdk_log.debug("Encountered an HTTP status error: %i", response.status_code)
        if retry and client._should_retry(response):  # noqa: SLF001
            await response.aclose()
            await client._sleep_for_retry(  # noqa: SLF001
                retries_taken=retries_taken,
                max_retries=max_retries,
                options=_retry_options(path),
                response=response,
            )
            continue
        if not response.is_closed:
            await response.aread()
        _sdk_log.debug("Re-raising status error")
        raise client._make_status_error_from_response(response) from None  # noqa: SLF001
    raise AssertionError("unreachable: the last attempt returns or raises")


def _post(client: openai.OpenAI, path: str, content: bytes, timeout: Any) -> httpx2.Response:
    """POST the encoded body and return the unread response of a 2xx; anything else as a typed error."""
    try:
        direct = _direct(client)
        if direct is not None:
            return _send(client, direct, path, content, timeout)
        # With the raw response type asked for, the SDK returns it unread, before any Stream is built.
        response: httpx2.Response = client.post(  # type: ignore[assignment]
            path,
            content=content,
            cast_to=httpx2.Response,
            options=_options(timeout, path),
            stream=True,
            stream_cls=openai.Stream[Any],
        )
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    return response


async def _apost(client: openai.AsyncOpenAI, path: str, content: bytes, timeout: Any) -> httpx2.Response:
    """Async twin of `_post`."""
    try:
        direct = await _adirect(client)
        if direct is not None:
            return await _asend(client, direct, path, content, timeout)
        response: httpx2.Response = await client.post(  # type: ignore[assignment]
            path,
            content=content,
            cast_to=httpx2.Response,
            options=_options(timeout, path),
            stream=True,
            stream_cls=openai.AsyncStream[Any],
        )
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    return response


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
    content = encode_json_body(body)
    started = time.monotonic()
    response = _post(client, path, content, _capped(timeout, total_timeout))
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
    content = encode_json_body(body)
    started = time.monotonic()
    response = await _apost(client, path, content, _capped(timeout, total_timeout))
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


def _stream_timeout(timeout: Any, chunk_timeout: float | None, total_timeout: float | None) -> Any:
    """A read timeout bounds each wait for the next bytes: a per-chunk timeout.

    The user's own read timeout still holds when it is the stricter of the two,
    and no single wait outlasts `total_timeout`.
    """
    if chunk_timeout is None:
        return _capped(timeout, total_timeout)
    # Without a request timeout, keep the SDK's defaults for connect/write/pool rather than none.
    base = openai.DEFAULT_TIMEOUT if timeout is None else timeout
    if not isinstance(base, httpx2.Timeout):
        base = httpx2.Timeout(base)
    read = chunk_timeout if base.read is None else min(base.read, chunk_timeout)
    timeout = httpx2.Timeout(connect=base.connect, read=read, write=base.write, pool=base.pool)
    return _capped(timeout, total_timeout)


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
    content = encode_json_body(body)
    started = time.monotonic()
    response = _post(client, path, content, _stream_timeout(timeout, chunk_timeout, total_timeout))
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
    response = await _apost(client, path, content, _stream_timeout(timeout, chunk_timeout, total_timeout))
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
