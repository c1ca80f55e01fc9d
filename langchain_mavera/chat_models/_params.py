"""The Mavera request parameters: their types, per-call validation and merging.

The same annotated types constrain the `ChatMavera` fields and the per-call
overrides, so a bad value fails the same way (a pydantic ValidationError naming
the parameter and the allowed values) whether it comes at construction, through
`.bind()` or as a call kwarg, and always before any HTTP request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    TypeAdapter,
)
from typing_extensions import TypedDict

Level = Literal["low", "medium", "high"]
"""Allowed values of `reasoning_effort` and `verbosity`."""


def _persona_id(value: str) -> str:
    if not value.strip():
        msg = (
            "persona_id must have at least 1 character and not be blank: a persona id "
            "from GET /personas, e.g. 'clx1abc2d0001abcdef123456'"
        )
        raise ValueError(msg)
    return value


PersonaId = Annotated[str, AfterValidator(_persona_id)]
Temperature = Annotated[float, Field(ge=0, le=2)]
MaxTokens = Annotated[int, Field(ge=1)]
Stop = str | list[str]


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


def unknown_parameters_message(where: str, unknown: Sequence[str], known: str = "") -> str:
    """Why an unknown keyword was refused, and the `extra_body` spelling that sends it anyway."""
    known = f" {known}" if known else ""
    # `model_kwargs` is the OpenAI integration's bag of fields: wrapping it in extra_body would
    # send a body field literally named "model_kwargs", so say how to pass its entries instead.
    fields = [key for key in unknown if key != "model_kwargs"]
    advice = []
    if "model_kwargs" in unknown:
        advice.append(
            "model_kwargs is the OpenAI integration's spelling and is not taken here: pass Mavera's "
            "own fields as arguments (e.g. temperature=0.2) and API fields this package does not "
            "know as the entries of extra_body={...}, not model_kwargs itself."
        )
    if fields:
        hint = ", ".join(f"{key!r}: ..." for key in fields)
        advice.append(f"To send an API field this package does not know, use extra_body={{{hint}}}.")
    return f"Unknown parameter(s) for {where}: {', '.join(unknown)}.{known} " + " ".join(advice)


def merge(defaults: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Call values win per key; `extra_body` merges per key instead of replacing."""
    if not overrides:
        return defaults
    merged = {**defaults, **overrides}
    base_extra = defaults.get("extra_body")
    if base_extra and "extra_body" in overrides:
        merged["extra_body"] = {**base_extra, **overrides["extra_body"]}
    return merged
