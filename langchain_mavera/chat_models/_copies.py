"""How a `ChatMavera` is copied: a fresh construction that shares only what may be shared.

pydantic's copy would carry over state langchain-core and the model derive from
the settings (the serialized form behind LLM-cache keys and traces, the SDK
clients), so a copy with another persona could be served the original persona's
cached answer, or a copy with another key or URL reuse the old client. A copy is
therefore built anew from the fields; it shares the persona-name cache always,
and the client settings (with their SDK clients) only when they are unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

_ModelT = TypeVar("_ModelT", bound=BaseModel)

# Live objects a deep copy shares rather than clones (connection pools, caches, handlers).
_LIVE_FIELDS = frozenset(
    {"http_client", "http_async_client", "cache", "callbacks", "rate_limiter", "custom_get_token_ids"}
)


def _deep(name: str, value: Any) -> Any:
    return value if name in _LIVE_FIELDS else copy.deepcopy(value)


def fresh_copy(
    source: _ModelT, update: Mapping[str, Any] | None, *, deep: bool, client_fields: Iterable[str]
) -> _ModelT:
    """A new instance from `source`'s fields and `update` (validated, by name or alias)."""
    fields = type(source).model_fields
    by_alias = {field.alias: name for name, field in fields.items() if field.alias}
    changes = {by_alias.get(key, key): value for key, value in (update or {}).items()}
    values = {name: getattr(source, name) for name in fields}
    if deep:
        values = {name: _deep(name, value) for name, value in values.items()}
    fresh = type(source)(**{**values, **changes})
    fresh.__pydantic_fields_set__ = source.model_fields_set | set(changes)
    fresh.__pydantic_private__ = _shared_private(source, fresh, client_fields)
    return fresh


def _shared_private(source: BaseModel, fresh: BaseModel, client_fields: Iterable[str]) -> dict[str, Any]:
    """The copy's private state: resolved persona names always, clients only for the same settings."""
    private = dict(fresh.__pydantic_private__ or {})
    mine = source.__pydantic_private__ or {}
    private["_persona_resolver"] = mine["_persona_resolver"]
    if all(getattr(fresh, name) == getattr(source, name) for name in client_fields):
        private["_settings"] = mine["_settings"]
    return private
