"""Conversation state for tools one server shares between users: keyed by the run's conversation.

A tool built once and used by every request must not carry one user's Mave
thread or story-chat history into another user's call. State is therefore
kept per conversation, and the conversation is the one LangChain users
already name: `config["configurable"]["thread_id"]` (what LangGraph
checkpointers and `create_agent` key a conversation by). A call without one
is stateless. Each tool's store is bounded (least recently used entries are
dropped), copies of a tool get a store of their own, and the store pickles
and deep-copies (its lock is rebuilt, never copied).
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, PrivateAttr

__all__ = ["MAX_CONVERSATIONS", "ConversationState", "ConversationStore", "conversation_of"]

MAX_CONVERSATIONS = 1000
"""Entries a tool remembers (Mave threads, or story histories per conversation and story)."""

_V = TypeVar("_V")


def conversation_of(config: RunnableConfig | None) -> str | None:
    """The run's conversation: `config["configurable"]["thread_id"]`, or None when the run names none."""
    configurable = (config or {}).get("configurable") or {}
    value = configurable.get("thread_id")
    return None if value is None or value == "" else str(value)


class ConversationStore(Generic[_V]):
    """A thread-safe LRU map from a conversation key to its state, at most `limit` entries."""

    def __init__(self, limit: int = MAX_CONVERSATIONS) -> None:
        self.limit = limit
        self._items: OrderedDict[Hashable, _V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def update(self, key: Hashable, change: Callable[[_V | None], _V]) -> _V:
        """Replace the entry with `change(old)` atomically: concurrent turns of one key never interleave."""
        with self._lock:
            value = self._items[key] = change(self._items.get(key))
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
            return value

    def __len__(self) -> int:
        return len(self._items)

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {"limit": self.limit, "items": list(self._items.items())}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["limit"])  # type: ignore[misc]
        self._items.update(state["items"])

    def __copy__(self) -> ConversationStore[_V]:
        fresh: ConversationStore[_V] = ConversationStore(self.limit)
        fresh.__setstate__(self.__getstate__())
        return fresh

    def __deepcopy__(self, memo: dict[int, Any]) -> ConversationStore[_V]:
        fresh: ConversationStore[_V] = ConversationStore(self.limit)
        fresh.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return fresh


class ConversationState(BaseModel):
    """Mixin for a tool with per-conversation state: `model_copy()` gives the copy a store of its own."""

    _conversations: ConversationStore[Any] = PrivateAttr(default_factory=ConversationStore)

    def __copy__(self) -> Any:
        fresh = super().__copy__()
        fresh._conversations = copy.deepcopy(self._conversations)  # noqa: SLF001
        return fresh
