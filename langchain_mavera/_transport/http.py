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
from typing import Any, NamedTuple

import httpx2
import openai

from langchain_mavera._transport._sdk import asend, asender, send, sender, store_content
from langchain_mavera._transport.error_mapping import error_from_openai, make_error, malformed_reply
from langchain_mavera._transport.json_body import encode_json_body
from langchain_mavera._transport.resend import RESENT_AFTER_READ_TIMEOUT
from langchain_mavera.errors import (
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
    if path not in RESENT_AFTER_READ_TIMEOUT:
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


def capped(timeout: Any, total_timeout: float | None) -> Any:
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
            f"Mavera's reply was cut off ({reason(exc)}); it was not re-sent, as it may have been billed."
        )
    return make_error(cls, message, request=response.request, raw_text=raw_text)


def reason(exc: BaseException) -> str:
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
    store_content(response, b"".join(parts))


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
    store_content(response, b"".join(parts))


def post(client: openai.OpenAI, path: str, content: bytes, timeout: Any) -> httpx2.Response:
    """POST the encoded body and return the unread response of a 2xx; anything else as a typed error."""
    try:
        direct = sender(client)
        if direct is not None:
            return send(client, direct, path, content, timeout)
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


async def apost(client: openai.AsyncOpenAI, path: str, content: bytes, timeout: Any) -> httpx2.Response:
    """Async twin of `post`."""
    try:
        direct = await asender(client)
        if direct is not None:
            return await asend(client, direct, path, content, timeout)
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
    response = post(client, path, content, capped(timeout, total_timeout))
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
    response = await apost(client, path, content, capped(timeout, total_timeout))
    await _aread_body(response, _body_deadline(started, timeout, total_timeout))
    return JSONReply(decode_json(response), response)
