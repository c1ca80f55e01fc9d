"""`MaveraPersonaRetriever`: route a query to the most relevant Mavera personas.

Personas come from `GET /personas` (free), fetched once and cached on the
retriever. Each is a `Document` whose content is its name and description and
whose metadata holds `id`, `name`, `category`, `is_custom` and `is_expert`.

Ranking, best first: a persona whose id is the query or whose name equals it
(ignoring case); then names close
to the query (the same close-match rule `MaveraPersonas.find` uses to suggest
names); then personas sharing words with the query, each word weighted by how
rare it is in the catalogue, words of the name counting three times.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field, PrivateAttr, model_validator

from langchain_mavera._persona_resolver import Account
from langchain_mavera._renames import refuse_renamed_arguments
from langchain_mavera.chat_models import ChatMavera
from langchain_mavera.personas import MaveraPersona, close_names
from langchain_mavera.retrievers._common import content_words

__all__ = ["MaveraPersonaRetriever", "persona_document"]

_NAME_WEIGHT = 3
"""A word of the name counts this many times a word of the description: names define the audience."""


def persona_document(persona: MaveraPersona) -> Document:
    """A persona as a Document: name and description as content, identity in metadata."""
    content = persona.name if not persona.description else f"{persona.name}\n{persona.description}"
    return Document(
        page_content=content,
        id=persona.id,
        metadata={
            "id": persona.id,
            "name": persona.name,
            "category": persona.category,
            "is_custom": persona.is_custom,
            "is_expert": persona.is_expert,
        },
    )


def rank(personas: list[MaveraPersona], query: str, k: int) -> list[MaveraPersona]:
    """The `k` personas most relevant to `query`, best first (see the module docstring)."""
    wanted = query.strip().casefold()
    exact = [p for p in personas if p.id == query.strip() or p.name.strip().casefold() == wanted]
    close = close_names(query, (p.name for p in personas), n=len(personas))
    by_name: dict[str, list[MaveraPersona]] = {}
    for persona in personas:
        by_name.setdefault(persona.name, []).append(persona)
    ranked = exact + [p for name in close for p in by_name[name] if p not in exact]
    ranked += [p for p in _by_sharedcontent_words(personas, query) if p not in ranked]
    return ranked[:k]


def _by_sharedcontent_words(personas: list[MaveraPersona], query: str) -> list[MaveraPersona]:
    names = [content_words(p.name) for p in personas]
    texts = [name | content_words(p.description) for name, p in zip(names, personas, strict=True)]
    frequency = Counter(word for text in texts for word in text)
    terms = content_words(query)

    def score(index: int) -> float:
        total = 0.0
        for term in terms & texts[index]:
            weight = math.log(1 + len(personas) / frequency[term])
            total += _NAME_WEIGHT * weight if term in names[index] else weight
        return total

    scores = [score(index) for index in range(len(personas))]
    order = sorted(range(len(personas)), key=lambda index: -scores[index])
    return [personas[index] for index in order if scores[index] > 0]


class MaveraPersonaRetriever(BaseRetriever):
    """Find the Mavera personas most relevant to a query, as Documents.

    Setup:
        ```python
        from langchain_mavera import ChatMavera, MaveraPersonaRetriever

        model = ChatMavera()
        retriever = MaveraPersonaRetriever(model=model, k=2)  # shares the model's key and clients
        ```

    Invoke:
        ```python
        docs = retriever.invoke("Is a $9 refill pouch worth it for farmers?")
        [(d.metadata["name"], d.metadata["id"]) for d in docs]
        ```
        ```txt
        [('Rural Farmer', 'clxarfm7t0010wxyzab678901')]
        ```
        Route the question to the best persona:
        `model.with_persona(docs[0].metadata["id"])`.

    `k` may also be given per call: `retriever.invoke(query, k=1)`.
    The persona list is fetched once (`GET /personas`, no credits) and cached;
    `refresh()` drops the cache. `category` and `is_custom` filter the list.
    """

    model: ChatMavera = Field(default_factory=ChatMavera)
    """Whose key, base URL and clients list the personas."""
    k: int = Field(default=3, ge=1)
    """How many personas to return."""
    category: str | None = None
    """Only personas of this category (server-side filter)."""
    is_custom: bool | None = None
    """True for your custom personas only, False for Mavera's own."""

    # The list, with the account and filters it was fetched for: a copy onto another account (or
    # a model whose key changed), or with other filters, must not rank the first one's personas.
    _cache: tuple[tuple[Account, dict[str, Any]], list[MaveraPersona]] | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @model_validator(mode="before")
    @classmethod
    def _refuse_renamed(cls, values: Any) -> Any:
        # A retriever ignores keywords it does not know: an old `mavera=` would otherwise be dropped
        # and the personas listed with a default ChatMavera(), on MAVERA_API_KEY's account.
        if isinstance(values, dict):
            refuse_renamed_arguments(cls.__name__, values)
        return values

    def refresh(self) -> None:
        """Forget the cached persona list; the next query fetches it again."""
        self._cache = None

    def _filters(self) -> dict[str, Any]:
        return {"category": self.category, "is_custom": self.is_custom, "limit": 100}

    def _cached(self, account: Account) -> list[MaveraPersona] | None:
        cache = self._cache
        return cache[1] if cache is not None and cache[0] == (account, self._filters()) else None

    def _personas(self) -> list[MaveraPersona]:
        account = self.model.client_settings.account
        with self._lock:
            personas = self._cached(account)
            if personas is None:
                personas = self.model.personas.list(**self._filters())
                self._cache = ((account, self._filters()), personas)
            return personas

    async def _apersonas(self) -> list[MaveraPersona]:
        account = self.model.client_settings.account
        personas = self._cached(account)
        if personas is None:
            personas = await self.model.personas.alist(**self._filters())
            self._cache = ((account, self._filters()), personas)
        return personas

    def _limit(self, k: object) -> int:
        """`k` given at invoke, else the retriever's own."""
        if k is None:
            return self.k
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            msg = f"k must be a positive integer (personas returned), got {k!r}."
            raise ValueError(msg)
        return k

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = self._limit(k)
        return [persona_document(p) for p in rank(self._personas(), query, limit)]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = self._limit(k)
        return [persona_document(p) for p in rank(await self._apersonas(), query, limit)]
