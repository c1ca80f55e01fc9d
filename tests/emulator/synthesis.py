"""Values that conform to a JSON schema: tool-call arguments and ``response_format`` output.

The emulator has no model, so it calls a tool when the caller forces it or when the user's
words name it, and reads the arguments off the prompt (numbers in order, quoted strings in
order) so tests can predict them: "What is magic_function(3)?" gives ``{"input": 3}``.
Structured output names the persona and the topic in its strings, like the prose template.
The schema walk is shared; a source object decides what goes into each leaf.
"""

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .chat_request import ChatRequest, ToolSpec
from .language import WORDS, Prompt, compose_reply, speaker
from .wire import Chooser, digest

_MAX_DEPTH = 8  # recursive $refs (trees, linked lists) must still terminate
_VAGUE = frozenset(WORDS["vague_tool_words"])  # name parts too vague to count as a mention
_PLACE = re.compile(r"\b(?:in|at|for|near|to)\s+([A-Z][\w.'-]*(?:(?:,\s*|\s+)[A-Z][\w.'-]*)*)")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
_TITLE_NAMES = ("name", "title", "label", "headline", "subject", "topic")
_FORMATS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "12:00:00",
    "email": "persona@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # a JSON string, exactly as sent on the wire


class _Source:
    """Leaf values for a schema; tool arguments (``chooser`` None) consume the prompt in order."""

    def __init__(
        self, prompt: Prompt, chooser: Chooser | None, speaker: str = "", skip: frozenset[str] = frozenset()
    ) -> None:
        self.prompt, self.chooser, self.speaker = prompt, chooser, speaker
        self.numbers: Iterator[int | float] = iter(prompt.numbers)
        # A quoted word that is itself a parameter name refers to the parameter: not a value.
        self.quotes: Iterator[str] = iter(q for q in prompt.quotes if q not in skip)

    def string(self, name: str, schema: Mapping[str, Any]) -> str:
        focus, lowered = self.prompt.focus, name.lower()
        if self.chooser is None:
            quoted = next(self.quotes, None)
            if quoted is not None:
                return quoted
            place = _PLACE.search(self.prompt.text)
            if place and any(key in lowered for key in WORDS["location_names"]):
                return place.group(1).rstrip(".,")
            return self.prompt.text[:200] if any(key in lowered for key in WORDS["text_names"]) else focus
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            return _FORMATS[fmt]
        if fmt in ("uri", "url"):
            return "https://example.com/" + re.sub(r"\W+", "-", focus)
        if lowered in _TITLE_NAMES or lowered.endswith(("_name", "_title")):
            return focus[:1].upper() + focus[1:]
        return f"{self.speaker}, {name.replace('_', ' ')} on {focus}."

    def number(self, name: str, integral: bool) -> int | float:
        number = next(self.numbers, None)
        if number is not None:
            return int(number) if integral else number
        if self.chooser is None:
            return 1
        if integral:
            return self.chooser.integer(f"int:{name}", 1, 10)
        return round(1 + self.chooser.fraction(f"num:{name}") * 9, 1)

    def wants_null(self, name: str) -> bool:
        # "Give me the setup to a joke, no punchline" leaves punchline empty.
        pattern = rf"\b(no|without|skip|omit)\s+(the\s+|a\s+)?{re.escape(name)}"
        return self.chooser is not None and re.search(pattern, self.prompt.text, re.IGNORECASE) is not None


def synthesize(schema: Mapping[str, Any], source: _Source) -> Any:
    root = schema

    def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
        for _ in range(_MAX_DEPTH):
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                break
            node: Any = root if ref.startswith("#") else {}  # remote refs cannot be fetched offline
            for part in ref.lstrip("#").strip("/").split("/") if ref.startswith("#") else ():
                if part:
                    part = part.replace("~1", "/").replace("~0", "~")
                    node = node.get(part) if isinstance(node, Mapping) else None
            schema = {
                **(node if isinstance(node, Mapping) else {}),
                **{k: v for k, v in schema.items() if k != "$ref"},
            }
        return schema

    def value(schema: Mapping[str, Any], name: str, depth: int) -> Any:
        schema = resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                options = [resolve(o) for o in schema[key] if isinstance(o, Mapping)]
                concrete = [o for o in options if _kind(o) != "null"]
                if not concrete or (len(concrete) < len(options) and source.wants_null(name)):
                    return None
                return value(concrete[0], name, depth)
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            merged: dict[str, Any] = {}
            joined: dict[str, Any] = {}
            for part in (resolve(p) for p in schema["allOf"] if isinstance(p, Mapping)):
                joined.update(part.get("properties") or {})
                merged.update({k: v for k, v in part.items() if k != "properties"})
            if joined:
                merged |= {"properties": joined, "type": merged.get("type", "object")}
            return value(merged, name, depth)
        kind = _kind(schema)
        if kind == "object":
            properties = schema.get("properties")
            if not isinstance(properties, Mapping) or depth >= _MAX_DEPTH:
                return {}
            # Every listed property is filled, required or not: a fuller object exercises
            # more of the client's parsing than a minimal one.
            return {k: value(sub, k, depth + 1) for k, sub in properties.items() if isinstance(sub, Mapping)}
        if kind == "array":
            items = schema.get("items")
            if not isinstance(items, Mapping) or depth >= _MAX_DEPTH:
                return []
            count = max(1, int(schema.get("minItems", 1)))
            count = min(count, schema["maxItems"]) if isinstance(schema.get("maxItems"), int) else count
            singular = name[:-1] if name.endswith("s") and not name.endswith("ss") else name
            return [value(items, singular, depth + 1) for _ in range(count)]
        if kind in ("integer", "number"):
            return _clamp(source.number(name, kind == "integer"), schema, integral=kind == "integer")
        if kind == "null":
            return None
        return True if kind == "boolean" else source.string(name, schema)

    return value(schema, "value", 0)


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    return "object" if "properties" in schema else "array" if "items" in schema else "string"


def _clamp(value: int | float, schema: Mapping[str, Any], *, integral: bool) -> int | float:
    step = 1 if integral else 0.5
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        low = schema["exclusiveMinimum"] + step
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        high = schema["exclusiveMaximum"] - step
    if isinstance(low, int | float) and value < low:
        value = low
    if isinstance(high, int | float) and value > high:
        value = high
    return int(value) if integral else value


def mentions(text: str, tool_name: str) -> bool:
    """True when the text names the tool or one of its distinctive words."""
    lowered = text.lower()
    if tool_name.lower() in lowered:
        return True
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", tool_name)
    parts = {p.lower() for p in re.split(r"[_\-.\s]+", spaced) if p}
    words = {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", lowered)}
    return any(len(part) >= 4 and part not in _VAGUE and part.rstrip("s") in words for part in parts)


def plan_tool_calls(req: ChatRequest, prompt: Prompt) -> tuple[ToolCall, ...]:
    if not req.tools or req.tool_choice == "none" or req.last.role != "user":
        return ()
    chosen: list[ToolSpec]
    if req.forced_tool is not None:
        chosen = [t for t in req.tools if t.name == req.forced_tool][:1]
    else:
        chosen = [t for t in req.tools if mentions(prompt.text, t.name)]
        chosen = [req.tools[0]] if req.tool_choice == "required" and not chosen else chosen
        chosen = chosen if req.parallel_tool_calls else chosen[:1]
    names = {
        str(key)
        for tool in chosen
        if isinstance(tool.parameters.get("properties"), Mapping)
        for key in tool.parameters["properties"]
    }
    source = _Source(prompt, None, skip=frozenset(names))
    calls = []
    for index, tool in enumerate(chosen):
        arguments = synthesize(tool.parameters, source)
        call_id = "call_" + digest(req.fingerprint, str(index), tool.name)[:24]
        # Unescaped so non-ASCII names survive byte-for-byte.
        calls.append(
            ToolCall(
                call_id,
                tool.name,
                json.dumps(arguments if isinstance(arguments, dict) else {}, ensure_ascii=False),
            )
        )
    return tuple(calls)


def structured_content(req: ChatRequest, prompt: Prompt, chooser: Chooser) -> str | None:
    """JSON text for the requested format, or None for plain text."""
    source = _Source(prompt, chooser, speaker(req.persona))
    if req.format_kind == "json_schema":
        value = synthesize(req.schema or {}, source)
    elif req.format_kind == "json_object":
        keys = [q for q in prompt.quotes if _KEY.match(q)]
        value = (
            {key: source.string(key, {}) for key in dict.fromkeys(keys)}
            if keys
            else {"answer": compose_reply(req)}
        )
    else:
        return None
    # Spaces after separators give the stream natural word boundaries.
    return json.dumps(value, ensure_ascii=False)
