"""The Mavera request parameters: their types, per-call validation and merging.

The same annotated types constrain the `ChatMavera` fields and the per-call
overrides, so a bad value fails the same way (a pydantic ValidationError naming
the parameter and the allowed values) whether it comes at construction, through
`.bind()` or as a call kwarg, and always before any HTTP request.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    SecretStr,
    StrictBool,
    TypeAdapter,
)
from typing_extensions import TypedDict

from langchain_mavera._large_urls import encode_splicing_large_urls

Level = Literal["low", "medium", "high"]
"""Allowed values of `reasoning_effort` and `verbosity`."""

_CUID = re.compile(r"c[a-z0-9]{20,}")


def _persona_id(value: str) -> str:
    if not value.strip():
        msg = (
            "persona_id must have at least 1 character and not be blank: a persona id "
            "from GET /personas, e.g. 'clx1abc2d0001abcdef123456'"
        )
        raise ValueError(msg)
    return value


def looks_like_persona_id(value: str) -> bool:
    """True for a CUID such as `clx1abc2d0001abcdef123456` (how Mavera spells persona ids).

    Persona names are human titles ("Gen Z Consumer") with capitals or spaces,
    so a lowercase `c` followed by 20 or more lowercase letters and digits is
    taken as an id and anything else as a name.
    """
    return _CUID.fullmatch(value) is not None


PersonaId = Annotated[str, AfterValidator(_persona_id)]
Temperature = Annotated[float, Field(ge=0, le=2)]
MaxTokens = Annotated[int, Field(ge=1)]
Stop = str | list[str]


MAX_SECONDS = 86_400.0
"""The longest wait any timeout may ask for (a day): larger values overflow socket and loop timers."""

Seconds = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]
"""A finite positive number of seconds, at most a day (`stream_chunk_timeout`, `total_timeout`)."""


def _seconds_ok(value: Any) -> bool:
    return value is None or (0 < value <= MAX_SECONDS)


def _timeout(value: Any) -> Any:
    """Seconds > 0, an `httpx2.Timeout` (a legacy `httpx.Timeout` is converted), or None.

    Checked at construction so a bad value does not wait for the first request to fail.
    The Timeout classes are looked up in `sys.modules`: a caller holding one has
    imported its module, and this keeps httpx2 out of `import langchain_mavera`.
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= MAX_SECONDS:
        return value
    current = sys.modules.get("httpx2")
    if current is not None and isinstance(value, current.Timeout):
        parts = (value.connect, value.read, value.write, value.pool)
        if all(_seconds_ok(part) for part in parts):
            return value
    legacy = sys.modules.get("httpx")
    if legacy is not None and isinstance(value, legacy.Timeout):
        import httpx2  # the SDK transport, needed only to convert

        return _timeout(
            httpx2.Timeout(connect=value.connect, read=value.read, write=value.write, pool=value.pool)
        )
    msg = (
        f"timeout must be seconds greater than 0 and at most {MAX_SECONDS:g} (a day), "
        f"an httpx2.Timeout with such values, or None, got {value!r}"
    )
    raise ValueError(msg)


RequestTimeout = Annotated[Any, PlainValidator(_timeout)]
"""The `timeout` field: positive seconds, an `httpx2.Timeout` (or legacy `httpx.Timeout`), or None."""


def _api_key(value: SecretStr) -> SecretStr:
    """Surrounding whitespace stripped (a key read from a file ends in a newline).

    A key that still cannot be an HTTP header value is refused here, with a
    message that does not show it: sent, it would fail inside the HTTP library
    with the whole `Authorization` header in the exception and its logs.
    """
    key = value.get_secret_value()
    stripped = key.strip()
    if not stripped:
        msg = "api_key is empty (or only whitespace): pass your Mavera key, e.g. api_key='mvra_live_...'."
        raise ValueError(msg)
    if stripped.isascii() and stripped.isprintable() and " " not in stripped:  # the common case, in C
        return value if stripped == key else SecretStr(stripped)
    bad = next((index for index, character in enumerate(stripped) if not _visible_ascii(character)), 0)
    msg = (
        f"api_key has a character that cannot be sent in an HTTP header (at position {bad + 1} of "
        f"{len(stripped)}; a space, control or non-ASCII character). The key is not shown. "
        "Copy it again from the Mavera dashboard."
    )
    raise ValueError(msg)


def _visible_ascii(character: str) -> bool:
    return "!" <= character <= "~"


def _as_secret(value: Any) -> Any:
    # Wrapped before anything can fail, so a validation error's `input` shows only '**********'.
    return SecretStr(value) if isinstance(value, str) else value


ApiKey = Annotated[SecretStr, AfterValidator(_api_key), BeforeValidator(_as_secret)]
"""The `api_key` field: a SecretStr, stripped, that can be sent as a header value."""

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _headers(value: dict[str, str]) -> dict[str, str]:
    """Names are HTTP tokens and values printable ASCII; a value is never echoed (it may be a secret)."""
    for name, header_value in value.items():
        if not _HEADER_NAME.fullmatch(name):
            msg = f"default_headers: {name!r} is not a valid HTTP header name (letters, digits, -_.)."
            raise ValueError(msg)
        if not all(character == "\t" or " " <= character <= "~" for character in header_value):
            msg = (
                f"default_headers[{name!r}] has a character that cannot be sent in an HTTP header "
                "(non-ASCII, or a control character such as a newline); the value is not shown."
            )
            raise ValueError(msg)
    return value


Headers = Annotated[dict[str, str], AfterValidator(_headers)]
"""The `default_headers` field: header names and values that can be sent as they are."""


def _http_client_of(kind: str, field: str) -> Any:
    def check(value: Any) -> Any:
        if value is None:
            return None
        import httpx2  # a caller holding a client has imported its library already

        expected = getattr(httpx2, kind)
        if isinstance(value, expected):
            return value
        module = type(value).__module__.split(".")[0]
        hint = (
            f" An {module}.{type(value).__name__} is not supported: the openai SDK's transport is httpx2, "
            f"and only its errors are mapped to Mavera errors; build the same client with httpx2.{kind}(...)."
            if module == "httpx"
            else ""
        )
        msg = f"{field} must be an httpx2.{kind} or None, got {type(value).__name__}.{hint}"
        raise ValueError(msg)

    return PlainValidator(check)


SyncHTTPClient = Annotated[Any, _http_client_of("Client", "http_client")]
"""The `http_client` field: an `httpx2.Client` (plain `httpx` clients are refused with a hint)."""
AsyncHTTPClient = Annotated[Any, _http_client_of("AsyncClient", "http_async_client")]
"""The `http_async_client` field: an `httpx2.AsyncClient`."""


@dataclass(frozen=True)
class RequestField:
    """One Mavera request-body field: its name (as sent on /chat/completions) and its type."""

    name: str
    type: Any
    """The annotated type a value must have, at construction and per call alike."""
    on_model: bool
    """Also a `ChatMavera` field: part of its default parameters, and so of the LLM-cache key."""
    sends_false: bool = False
    """`False` asks for something and is sent; for the other fields False, like None, means unset."""

    def is_set(self, value: Any) -> bool:
        """Whether `value` goes into the request body."""
        return value is not None and (value is not False or self.sends_false)


REQUEST_FIELDS = (
    RequestField("persona_id", PersonaId, on_model=True),
    RequestField("analysis_mode", StrictBool, on_model=True),
    RequestField("reasoning_effort", Level, on_model=True),
    RequestField("verbosity", Level, on_model=True),
    RequestField("temperature", Temperature, on_model=True),
    RequestField("max_tokens", MaxTokens, on_model=True),
    RequestField("stop", Stop | None, on_model=True),
    RequestField("tools", list[dict[str, Any]], on_model=False),
    RequestField("tool_choice", str | dict[str, Any], on_model=False),
    RequestField("parallel_tool_calls", bool, on_model=False, sends_false=True),
    RequestField("response_format", dict[str, Any], on_model=False),
)
"""The Mavera request-body fields this package knows, in the order they are sent: the one list.

The default parameters, the per-call validation and both wire formats read it,
so a new field is one line here (plus its translation on /responses, if any).
"""

BODY_KEYS = tuple(field.name for field in REQUEST_FIELDS)
MODEL_BODY_FIELDS = tuple(field for field in REQUEST_FIELDS if field.on_model)

# Per-call keys that are not body fields of their own: the model name, the pass-through body, streaming.
_CALL_ONLY: dict[str, Any] = {"model": str, "extra_body": dict[str, Any], "stream": bool}

# Everything a single call may override; anything else is refused. Built from the registry.
_CALL_FIELDS: dict[str, Any] = {**{field.name: field.type for field in REQUEST_FIELDS}, **_CALL_ONLY}


def _call_overrides() -> Any:
    typed: Any = TypedDict("CallOverrides", _CALL_FIELDS, total=False)  # type: ignore[misc]
    typed.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
    return typed


CallOverrides = _call_overrides()

_OVERRIDES: TypeAdapter[dict[str, Any]] = TypeAdapter(CallOverrides)


def validate_overrides(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Per-call kwargs checked against `CallOverrides` (ValidationError names the key).

    An unknown key is refused with a hint, because the SDK would otherwise fail
    late and obscurely, or the server would silently ignore it.
    """
    unknown = [key for key in kwargs if key not in CallOverrides.__annotations__]
    if unknown:
        known = f"Known: {', '.join(sorted(CallOverrides.__annotations__))}."
        raise TypeError(unknown_parameters_message("a Mavera call", unknown, known))
    return dict(_OVERRIDES.validate_python(kwargs))


def validate_stop(stop: Any) -> Any:
    """A call's `stop` argument, checked like the `stop` field (ValidationError names `stop`)."""
    return _OVERRIDES.validate_python({"stop": stop})["stop"]


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
            where = _BODY_PARAMETER.get(key) or (key if key in BODY_KEYS else f"extra_body[{key!r}]")
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


def unknown_parameters_message(where: str, unknown: Sequence[str], known: str = "") -> str:
    """Why an unknown keyword was refused, and the `extra_body` spelling that sends it anyway."""
    hint = ", ".join(f"{key!r}: ..." for key in unknown)
    known = f" {known}" if known else ""
    return (
        f"Unknown parameter(s) for {where}: {', '.join(unknown)}.{known} "
        f"To send an API field this package does not know, use extra_body={{{hint}}}."
    )


def merge(defaults: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Call values win per key; `extra_body` merges per key instead of replacing."""
    if not overrides:
        return defaults
    merged = {**defaults, **overrides}
    base_extra = defaults.get("extra_body")
    if base_extra and "extra_body" in overrides:
        merged["extra_body"] = {**base_extra, **overrides["extra_body"]}
    return merged
