"""Typed errors built from what Mavera sent: a status response, an SDK exception, a stream event.

The classes live in `errors`; this module picks the class (status first, then
the body's `code` or `type`) and fills in what the server said.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import httpx2
import openai

from langchain_mavera.errors import (
    MaveraAPIError,
    MaveraAuthenticationError,
    MaveraConnectionError,
    MaveraError,
    MaveraInsufficientCreditsError,
    MaveraInvalidRequestError,
    MaveraNotFoundError,
    MaveraPermissionDeniedError,
    MaveraPersonaNotFoundError,
    MaveraRateLimitError,
    MaveraServerError,
    MaveraTimeoutError,
)

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessageChunk

_BY_STATUS: dict[int, type[MaveraError]] = {
    400: MaveraInvalidRequestError,
    401: MaveraAuthenticationError,
    402: MaveraInsufficientCreditsError,
    403: MaveraPermissionDeniedError,
    404: MaveraNotFoundError,
    409: MaveraInvalidRequestError,
    422: MaveraInvalidRequestError,
    429: MaveraRateLimitError,
}

# An error object inside a stream has no HTTP status, so its code or type decides.
_BY_CODE: dict[str, type[MaveraError]] = {
    "invalid_persona": MaveraPersonaNotFoundError,
    "missing_api_key": MaveraAuthenticationError,
    "invalid_api_key": MaveraAuthenticationError,
    "revoked_api_key": MaveraAuthenticationError,
    "expired_api_key": MaveraAuthenticationError,
    "authentication_error": MaveraAuthenticationError,
    "credits_exhausted": MaveraInsufficientCreditsError,
    "budget_exceeded": MaveraInsufficientCreditsError,
    "insufficient_credits": MaveraInsufficientCreditsError,
    "rate_limit_exceeded": MaveraRateLimitError,
    "rate_limit_error": MaveraRateLimitError,
    "forbidden": MaveraPermissionDeniedError,
    "internal_error": MaveraServerError,
    "service_unavailable": MaveraServerError,
}


def _error_fields(body: object) -> dict[str, Any]:
    """The documented `{"error": {message, type, code, param}}` object, or {}."""
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            return dict(inner)
        if isinstance(inner, str) and inner:  # `{"error": "<message>"}`: the string is the message
            return {"message": inner}
    return {}


def _class_for(status: int | None, fields: Mapping[str, Any]) -> type[MaveraError]:
    code = fields.get("code")
    if code == "invalid_persona" or (status in (400, 404) and fields.get("param") == "persona_id"):
        return MaveraPersonaNotFoundError
    if status is not None:
        if status in _BY_STATUS:
            return _BY_STATUS[status]
        if status >= 500:
            return MaveraServerError
        return MaveraAPIError
    for key in (code, fields.get("type")):
        if isinstance(key, str) and key in _BY_CODE:
            return _BY_CODE[key]
    return MaveraAPIError


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Retry-After as finite, non-negative seconds (an HTTP date is converted), else None."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds: float | None = float(value)
    except ValueError:
        seconds = _seconds_until(value)
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def _seconds_until(http_date: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT even when it does not say so
        when = when.replace(tzinfo=datetime.UTC)
    return (when - datetime.datetime.now(datetime.UTC)).total_seconds()


def _describe(server_message: str, status: int | None, fields: Mapping[str, Any]) -> str:
    details = [f"HTTP {status}"] if status is not None else []
    details += [f"{key}={fields[key]}" for key in ("type", "code", "param") if fields.get(key)]
    return f"{server_message} ({', '.join(details)})" if details else server_message


def make_error(
    cls: type[MaveraError] | None,
    server_message: str,
    *,
    request: httpx2.Request,
    response: httpx2.Response | None = None,
    body: object = None,
    raw_text: str | None = None,
    partial: BaseMessageChunk | None = None,
) -> MaveraError:
    """Build a typed error; `cls=None` picks the class from status and body.

    The openai base initialisers are called directly because their signatures
    differ per class, while ours all carry the same fields.
    """
    status = response.status_code if response is not None and response.status_code >= 400 else None
    fields = _error_fields(body)
    if cls is None:
        cls = _class_for(status, fields)
    message = _describe(server_message, status, fields)
    error: Any = cls.__new__(cls)
    if isinstance(error, openai.APIStatusError) and response is not None:
        openai.APIStatusError.__init__(error, message, response=response, body=fields or body)
    else:
        openai.APIError.__init__(error, message, request, body=fields or body)
    error.status_code = status
    error.error_type = fields.get("type")
    error.code = fields.get("code")
    error.param = fields.get("param")
    error.server_message = server_message
    error.raw_text = raw_text
    error.partial = partial
    if isinstance(error, MaveraRateLimitError) and response is not None:
        error.retry_after = _retry_after(response.headers)
    return cast("MaveraError", error)


def error_from_status(response: httpx2.Response, *, partial: BaseMessageChunk | None = None) -> MaveraError:
    """The typed error for a 4xx/5xx response, keeping the server's message."""
    text = response.text
    try:
        body: object = json.loads(text)
    except ValueError:
        body = None
    fields = _error_fields(body)
    server_message = fields.get("message") or text.strip()[:500] or response.reason_phrase
    return make_error(
        None,
        str(server_message),
        request=response.request,
        response=response,
        body=body,
        raw_text=None if fields else text,
        partial=partial,
    )


def error_from_openai(exc: openai.APIError) -> MaveraError:
    """Translate an exception raised by the openai SDK into our typed error."""
    if isinstance(exc, MaveraError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        return error_from_status(exc.response)
    if isinstance(exc, openai.APITimeoutError):
        return make_error(MaveraTimeoutError, "Request to Mavera timed out.", request=exc.request)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        # Some transport errors have an empty message; their type still says what happened.
        reason = f": {str(cause) or type(cause).__name__}" if cause else ""
        return make_error(MaveraConnectionError, f"Could not connect to Mavera{reason}", request=exc.request)
    return make_error(MaveraAPIError, exc.message, request=exc.request, body=exc.body)


def error_from_stream_event(
    payload: Mapping[str, Any], response: httpx2.Response, partial: BaseMessageChunk | None
) -> MaveraError:
    """The typed error for an `{"error": {...}}` object received inside a stream."""
    fields = _error_fields(payload)
    message = str(fields.get("message") or "Mavera reported an error mid-stream.")
    # The response rides along so the openai status-error classes get `.response` and `.request_id`.
    return make_error(
        None, message, request=response.request, response=response, body=payload, partial=partial
    )


@contextmanager
def malformed_guard(response: httpx2.Response, raw_text: str) -> Iterator[None]:
    """Turn a shape error while reading a reply into a `MaveraAPIError` with the raw text.

    A reply of an unexpected shape (a string where an object belongs, a number
    as content) must surface as Mavera's fault, never as a KeyError or
    TypeError that looks like a bug in the caller's code.
    """
    try:
        yield
    except MaveraError:
        raise
    except SHAPE_ERRORS as exc:
        raise unexpected_shape(response, raw_text, exc) from exc


SHAPE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError)
"""What reading a reply of an unexpected shape raises; the stream loop catches these itself."""


def unexpected_shape(response: httpx2.Response, raw_text: str, exc: Exception) -> MaveraAPIError:
    """The error `malformed_guard` raises for a shape error `exc` (one that is not a MaveraError)."""
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    what = f"unexpected shape ({type(exc).__name__}: {first_line})"
    return malformed_reply(response, what, raw_text)


def malformed_reply(response: httpx2.Response, what: str, raw_text: str) -> MaveraAPIError:
    """A `MaveraAPIError` for a reply we cannot use, with its raw text attached."""
    preview = raw_text.strip()[:200]
    message = f"Malformed reply from Mavera: {what}. Body starts: {preview!r}"
    return cast(
        "MaveraAPIError", make_error(MaveraAPIError, message, request=response.request, raw_text=raw_text)
    )
