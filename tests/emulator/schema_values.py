"""Synthesis of a value that conforms to a JSON schema.

Used for both tool-call arguments and ``response_format`` JSON. The schema
walk is generic; *what* goes into each leaf is decided by a
:class:`ValueSource`, so tools can echo numbers from the prompt while
structured output writes sentences naming the persona and topic.
"""

from collections.abc import Mapping
from typing import Any, Protocol

_MAX_DEPTH = 8  # recursive $refs (trees, linked lists) must still terminate


class ValueSource(Protocol):
    def string(self, name: str, schema: Mapping[str, Any]) -> str: ...

    def integer(self, name: str, schema: Mapping[str, Any]) -> int: ...

    def number(self, name: str, schema: Mapping[str, Any]) -> int | float: ...

    def wants_null(self, name: str) -> bool:
        """Whether an optional (nullable) field should be left empty."""
        ...


def synthesize(schema: Mapping[str, Any], source: ValueSource) -> Any:
    return _Walker(schema, source).value(schema, "value", 0)


class _Walker:
    def __init__(self, root: Mapping[str, Any], source: ValueSource) -> None:
        self._root = root
        self._source = source

    def value(self, schema: Mapping[str, Any], name: str, depth: int) -> Any:
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self._alternatives(schema[key], name, depth)
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            return self.value(self._merge(schema["allOf"]), name, depth)
        kind = _kind(schema)
        if kind == "null":
            return None
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "integer":
            return _clamp(self._source.integer(name, schema), schema, integral=True)
        if kind == "number":
            return _clamp(self._source.number(name, schema), schema, integral=False)
        if kind == "boolean":
            return True
        return self._source.string(name, schema)

    def _alternatives(self, options: list[Any], name: str, depth: int) -> Any:
        resolved = [self._resolve(o) for o in options if isinstance(o, Mapping)]
        concrete = [o for o in resolved if _kind(o) != "null"]
        nullable = len(concrete) < len(resolved)
        if not concrete or (nullable and self._source.wants_null(name)):
            return None
        return self.value(concrete[0], name, depth)

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties")
        if not isinstance(properties, Mapping) or depth >= _MAX_DEPTH:
            return {}
        result: dict[str, Any] = {}
        # Every listed property is filled, required or not: a fuller object
        # exercises more of the client's parsing than a minimal one.
        for key, sub in properties.items():
            if isinstance(sub, Mapping):
                result[key] = self.value(sub, key, depth + 1)
        return result

    def _array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        items = schema.get("items")
        if not isinstance(items, Mapping) or depth >= _MAX_DEPTH:
            return []
        count = max(1, int(schema.get("minItems", 1)))
        maximum = schema.get("maxItems")
        if isinstance(maximum, int):
            count = min(count, maximum)
        return [self.value(items, _singular(name), depth + 1) for _ in range(count)]

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        seen = 0
        while isinstance(schema.get("$ref"), str) and seen < _MAX_DEPTH:
            target = self._pointer(schema["$ref"])
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra}
            seen += 1
        return schema

    def _pointer(self, ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#"):
            return {}  # remote refs cannot be fetched offline
        node: Any = self._root
        for part in ref.lstrip("#").strip("/").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, Mapping) else None
        return node if isinstance(node, Mapping) else {}

    def _merge(self, parts: list[Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        for part in parts:
            if not isinstance(part, Mapping):
                continue
            resolved = self._resolve(part)
            properties.update(resolved.get("properties") or {})
            merged.update({k: v for k, v in resolved.items() if k != "properties"})
        if properties:
            merged["properties"] = properties
            merged.setdefault("type", "object")
        return merged


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        concrete = [k for k in kind if k != "null"]
        kind = concrete[0] if concrete else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _clamp(value: int | float, schema: Mapping[str, Any], *, integral: bool) -> int | float:
    step = 1 if integral else 0.5
    low = schema.get("minimum")
    high = schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        low = schema["exclusiveMinimum"] + step
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        high = schema["exclusiveMaximum"] - step
    if isinstance(low, int | float) and value < low:
        value = low
    if isinstance(high, int | float) and value > high:
        value = high
    return int(value) if integral else value


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name
