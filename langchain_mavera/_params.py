"""The Mavera request parameters: their types, per-call validation and merging.

The same annotated types constrain the `ChatMavera` fields and the per-call
overrides, so a bad value fails the same way (a pydantic ValidationError naming
the parameter and the allowed values) whether it comes at construction, through
`.bind()` or as a call kwarg, and always before any HTTP request.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, PlainValidator, StrictBool, TypeAdapter
from typing_extensions import TypedDict

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

# Request-body keys that ChatMavera knows, in the order they are sent.
BODY_KEYS = (
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
)


class CallOverrides(TypedDict, total=False):
    """Everything a single call may override; anything else is refused."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    model: str
    persona_id: PersonaId
    analysis_mode: StrictBool
    reasoning_effort: Level
    verbosity: Level
    temperature: Temperature
    max_tokens: MaxTokens
    stop: Stop | None
    extra_body: dict[str, Any]
    tools: list[dict[str, Any]]
    tool_choice: str | dict[str, Any]
    parallel_tool_calls: bool
    response_format: dict[str, Any]
    stream: bool


_OVERRIDES = TypeAdapter(CallOverrides)


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
