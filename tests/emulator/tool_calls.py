"""Deciding whether to call tools, which ones, and with what arguments.

The emulator has no model, so "deciding" means: call a tool when the caller
forces it, or when the user's words name it. Arguments are read off the
prompt (numbers in order, quoted strings in order) so tests can predict
them: "What is magic_function(3)?" gives ``{"input": 3}``.
"""

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .chat_request import ChatRequest, ToolSpec
from .hashing import digest
from .prompt import Prompt
from .schema_values import synthesize

# Name parts too vague to count as the user "mentioning" a tool.
# fmt: off
_VAGUE = frozenset(
    (
        "tool", "tools", "function", "func", "fn", "data", "info", "information", "call",
        "value", "values", "result", "results", "input", "output", "args", "arg", "get",
        "set", "fetch", "run", "make", "with", "from", "into", "this", "that", "have",
        "list", "create", "update", "delete", "new", "the",
    )
)
# fmt: on
_LOCATION_NAMES = ("location", "city", "place", "address", "country", "region", "where")
_TEXT_NAMES = (
    "description",
    "summary",
    "details",
    "notes",
    "reason",
    "text",
    "content",
    "message",
    "body",
    "comment",
)
_PLACE = re.compile(r"\b(?:in|at|for|near|to)\s+([A-Z][\w.'-]*(?:(?:,\s*|\s+)[A-Z][\w.'-]*)*)")


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # a JSON string, exactly as sent on the wire


def plan_tool_calls(req: ChatRequest, prompt: Prompt) -> tuple[ToolCall, ...]:
    if not req.tools or req.tool_choice.mode == "none" or req.last.role != "user":
        return ()
    chosen = _choose(req, prompt)
    source = _ArgumentSource(prompt, _property_names(chosen))
    calls: list[ToolCall] = []
    for index, tool in enumerate(chosen):
        arguments = synthesize(tool.parameters, source)
        if not isinstance(arguments, dict):
            arguments = {}
        calls.append(
            ToolCall(
                id="call_" + digest(req.fingerprint, str(index), tool.name)[:24],
                name=tool.name,
                # Unescaped so non-ASCII names survive byte-for-byte.
                arguments=json.dumps(arguments, ensure_ascii=False),
            )
        )
    return tuple(calls)


def _choose(req: ChatRequest, prompt: Prompt) -> list[ToolSpec]:
    choice = req.tool_choice
    if choice.name is not None:
        return [t for t in req.tools if t.name == choice.name][:1]
    mentioned = [t for t in req.tools if mentions(prompt.text, t.name)]
    if choice.mode == "required" and not mentioned:
        mentioned = [req.tools[0]]
    return mentioned if req.parallel_tool_calls else mentioned[:1]


def mentions(text: str, tool_name: str) -> bool:
    """True when the text names the tool or one of its distinctive words."""
    lowered = text.lower()
    if tool_name.lower() in lowered:
        return True
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", tool_name)
    parts = {p.lower() for p in re.split(r"[_\-.\s]+", spaced) if p}
    words = {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", lowered)}
    return any(len(part) >= 4 and part not in _VAGUE and part.rstrip("s") in words for part in parts)


def _property_names(tools: list[ToolSpec]) -> frozenset[str]:
    names: set[str] = set()
    for tool in tools:
        properties = tool.parameters.get("properties")
        if isinstance(properties, Mapping):
            names.update(str(key) for key in properties)
    return frozenset(names)


class _ArgumentSource:
    """Leaf values for tool arguments, consumed from the prompt in order."""

    def __init__(self, prompt: Prompt, property_names: frozenset[str]) -> None:
        self._prompt = prompt
        self._numbers: Iterator[int | float] = iter(prompt.numbers)
        # A quoted word that is itself a parameter name is a reference to the
        # parameter, not a value for it.
        self._quotes: Iterator[str] = iter(q for q in prompt.quotes if q not in property_names)

    def string(self, name: str, schema: Mapping[str, Any]) -> str:
        quoted = next(self._quotes, None)
        if quoted is not None:
            return quoted
        lowered = name.lower()
        if any(key in lowered for key in _LOCATION_NAMES):
            place = _PLACE.search(self._prompt.text)
            if place:
                return place.group(1).rstrip(".,")
        if any(key in lowered for key in _TEXT_NAMES):
            return self._prompt.text[:200]
        return self._prompt.focus

    def integer(self, name: str, schema: Mapping[str, Any]) -> int:
        return int(next(self._numbers, 1))

    def number(self, name: str, schema: Mapping[str, Any]) -> int | float:
        return next(self._numbers, 1)

    def wants_null(self, name: str) -> bool:
        return False
