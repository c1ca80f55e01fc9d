"""Tools offered to the model, in the OpenAI function-tool format Mavera takes.

Conversion is langchain-core's `convert_to_openai_tool`, so pydantic models,
TypedDicts, plain functions, `BaseTool`s and dict schemas all work the same way
as with other chat models. Only `tool_choice` needs mapping: LangChain's
vocabulary ("any", True, a bare tool name) onto the chat-completions one.

An agent binds the same tools again on every step, and converting one pydantic
tool costs hundreds of microseconds, so each conversion is remembered per tool
object (see `_ConversionCache`) and every caller gets its own copy of it.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

ToolLike: TypeAlias = dict[str, Any] | type | Callable[..., Any] | BaseTool
"""Anything `convert_to_openai_tool` accepts."""

ToolChoice: TypeAlias = dict[str, Any] | str | Literal["auto", "any", "required", "none"] | bool | None
"""A tool name, "auto", "any"/"required" (must call some tool), "none", True (= "required"), or a dict."""

_WIRE_CHOICES = frozenset({"auto", "required", "none"})


def _copied(value: Any) -> Any:
    """A fresh copy of a JSON-shaped value (dicts and lists rebuilt, leaves shared).

    Much cheaper than `copy.deepcopy`, and enough for a converted tool: its leaves
    are strings, numbers, booleans and None.
    """
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _fingerprint(tool: Any) -> Hashable | None:
    """What the conversion of `tool` depends on besides its identity; None: do not cache.

    Classes (pydantic models, TypedDicts) are fixed once defined. A function's
    description comes from its docstring. A `BaseTool` is a mutable object, so its
    name, description, argument schema and the metadata that selects a custom tool
    are part of the key: changing any of them converts it again.
    """
    if isinstance(tool, type):
        return ()
    if isinstance(tool, BaseTool):
        schema = tool.args_schema
        schema_key: Hashable = schema if isinstance(schema, type) or schema is None else _json_key(schema)
        metadata = tool.metadata or {}
        return (
            tool.name,
            tool.description,
            schema_key,
            _json_key(metadata.get("type")),
            _json_key(metadata.get("format")),
        )
    if callable(tool) and not isinstance(tool, Mapping):
        return (getattr(tool, "__doc__", None),)
    return None  # dicts: already close to the wire shape, and mutable by their owner


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


class _ConversionCache:
    """Converted tools, per tool object, weakly held: a forgotten tool leaves the cache.

    Keyed on `id()` with a weak reference checked on every hit (a `BaseTool` is
    unhashable), and the entry is dropped when the tool is collected, so an id
    reused by a new object never finds an old entry. Values are never handed
    out: callers get a copy, so mutating a bound tool dict cannot change what
    the next `bind_tools` sends.
    """

    _MAX_VARIANTS = 8  # per tool: (fingerprint, strict) pairs, bounded against endless mutation

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Any], dict[Hashable, dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def convert(self, tool: Any, strict: bool | None) -> dict[str, Any]:
        fingerprint = _fingerprint(tool)
        if fingerprint is None:
            return convert_to_openai_tool(tool, strict=strict)
        key = (fingerprint, strict)
        entry = self._entries.get(id(tool))
        if entry is not None and entry[0]() is tool:
            converted = entry[1].get(key)
            if converted is not None:
                copy: dict[str, Any] = _copied(converted)
                return copy
        converted = convert_to_openai_tool(tool, strict=strict)
        self._store(tool, key, _copied(converted))
        return converted

    def _store(self, tool: Any, key: Hashable, converted: dict[str, Any]) -> None:
        tool_id = id(tool)
        with self._lock:
            entry = self._entries.get(tool_id)
            if entry is None or entry[0]() is not tool:
                try:
                    ref = weakref.ref(tool, self._forgetter(tool_id))
                except TypeError:  # not weakly referenceable: convert it every time
                    return
                entry = self._entries[tool_id] = (ref, {})
            variants = entry[1]
            if len(variants) >= self._MAX_VARIANTS:
                variants.clear()
            variants[key] = converted

    def _forgetter(self, tool_id: int) -> Callable[[weakref.ref[Any]], None]:
        return lambda _ref: self._forget(tool_id)

    def _forget(self, tool_id: int) -> None:
        # Runs inside garbage collection, maybe while this thread holds the lock: no locking,
        # single dict operations only. The id cannot be reused before this callback has run.
        entry = self._entries.get(tool_id)
        if entry is not None and entry[0]() is None:
            self._entries.pop(tool_id, None)


_CONVERSIONS = _ConversionCache()


def format_tools(tools: Sequence[ToolLike], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """Every tool as `{"type": "function", "function": {name, description, parameters}}`.

    Each call returns new dicts: conversions are remembered per tool, never shared.
    """
    return [_CONVERSIONS.convert(tool, strict) for tool in tools]


def tool_names(formatted: Sequence[Mapping[str, Any]]) -> list[str]:
    """The function names of already formatted tools."""
    return [tool["function"]["name"] for tool in formatted if "function" in tool]


def format_tool_choice(choice: ToolChoice, names: Sequence[str]) -> str | dict[str, Any] | None:
    """LangChain's `tool_choice` in the chat-completions vocabulary.

    A tool name forces that tool; "any" and True mean "some tool must be
    called", which chat completions spells "required". A name we were not given
    fails here rather than as a 400 from the server.
    """
    if choice is None or choice is False:
        return None
    if choice is True or choice == "any":
        return "required"
    if isinstance(choice, Mapping):
        return dict(choice)
    if not isinstance(choice, str):
        msg = f"Unrecognized tool_choice {choice!r}: use a tool name, 'auto', 'any', 'none' or True."
        raise TypeError(msg)
    if choice in _WIRE_CHOICES:
        return choice
    if choice in names:
        return {"type": "function", "function": {"name": choice}}
    msg = (
        f"tool_choice={choice!r} is neither 'auto', 'any', 'required', 'none' nor the name of a bound tool "
        f"({', '.join(names) or 'no tools bound'})."
    )
    raise ValueError(msg)
