"""A request body as the JSON bytes that are sent, encoded once, with a clear error when it cannot be."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_mavera._transport._large_urls import encode_splicing_large_urls

REQUEST_BODY_KEYS = frozenset(
    {
        "persona_id",
        "analysis_mode",
        "reasoning_effort",
        "verbosity",
        "temperature",
        "max_tokens",
        "stop",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
    }
)
"""The chat request's own keys, named as themselves in an error (others as `extra_body[...]`).

The same names as `chat_models._params.REQUEST_FIELDS` (tests/chat_models/test_request_fields.py
checks they agree); spelled here because the transport sits below the chat model.
"""

# Where a body key came from, for the message: the request's own keys, else extra_body.
_BODY_PARAMETER = {"messages": "messages", "input": "messages", "instructions": "messages", "tools": "tools"}


def encode_json_body(body: Mapping[str, Any]) -> bytes:
    """The request body as the JSON bytes that are sent: encoded once, here, before any request.

    The settings are the openai SDK's own (`openapi_dumps`: UTF-8, compact,
    `ensure_ascii=False`, no NaN) without its fallback for datetimes and pydantic
    models, so what passes is byte for byte what the SDK would send. A body that
    cannot be sent (a `set`, `NaN`, an arbitrary object, a lone surrogate in
    message text) is refused with a ValueError naming the parameter; it would
    otherwise fail inside the HTTP library with a message naming nothing. Only
    that failure pays for encoding a second time, key by key, to find the culprit.
    """
    try:
        return encode_splicing_large_urls(body, _encode)
    except (TypeError, ValueError):
        pass
    for key, value in body.items():
        try:
            _encode(value)
        except (TypeError, ValueError) as exc:
            where = _BODY_PARAMETER.get(key) or (key if key in REQUEST_BODY_KEYS else f"extra_body[{key!r}]")
            msg = f"{where} cannot be sent as JSON: {_why(exc)}"
            raise ValueError(msg) from None
    return _encode(body)  # no one key fails alone: the encoder's own error


# The SDK's wire encoding (compact, UTF-8): a lone surrogate fails at `.encode()`, here, not in the transport.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _encode(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def _why(exc: Exception) -> str:
    if isinstance(exc, UnicodeEncodeError):
        return "its text holds a lone surrogate (an unpaired \\ud800-\\udfff), which is not valid Unicode."
    if isinstance(exc, ValueError) and "Out of range float" in str(exc):
        return "it holds NaN or infinity, which JSON cannot carry."
    return f"{exc}."
