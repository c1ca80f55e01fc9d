"""`MaveraResearchRetriever`: a Mave research answer and its cited sources as Documents."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from langchain_mavera._transport import rest as _rest
from langchain_mavera.callbacks import (
    acredits_charged,
    arequest_starting,
    credits_charged,
    request_starting,
)
from langchain_mavera.research import (
    DEFAULT_TIMEOUT,
    PATH,
    ResearchResult,
    ResearchSource,
    aresearch,
    async_sink,
    request_body,
    research,
    sync_sink,
)
from langchain_mavera.retrievers._common import checked_k

__all__ = ["MaveraResearchRetriever"]


class MaveraResearchRetriever(_rest.MaveraConnection, BaseRetriever):
    """Mave research as a retriever: the answer and its sources as `Document`s.

    Setup:
        ```python
        from langchain_mavera import MaveraResearchRetriever

        retriever = MaveraResearchRetriever(k=4)
        ```

    Invoke:
        ```python
        docs = retriever.invoke("How do shoppers under 30 feel about refillable packaging?")
        docs[0].metadata["type"]   # 'answer': Mave's answer with citations
        docs[1].page_content       # '61% of shoppers under 30 would pay more ...' (the snippet)
        docs[1].metadata  # {'type': 'source', 'citation': 1, 'title': ..., 'url': ..., 'domain': ...}
        ```
        The first document is the answer (`include_answer=False` drops it),
        then one per source in citation order; a source without a snippet
        uses its title as content. `k` caps the number of documents (also per
        call: `invoke(query, k=2)`). Each call starts a new Mave thread unless
        `thread_id` is set, and costs 10-75 credits (counted by
        `get_mavera_callback()`, as for the tool).
    """

    k: int | None = Field(default=None, ge=1)
    """Most documents returned (answer included); None returns all."""
    include_answer: bool = True
    """Put Mave's answer first, as a document of `type: "answer"`."""
    thread_id: str | None = None
    """Research inside this thread (follow-ups build on its earlier research)."""
    workspace_id: str | None = None
    streaming: bool = False
    """Stream the answer and dispatch each event to callbacks, as the tool does."""
    timeout: float | None = Field(default=DEFAULT_TIMEOUT, gt=0)

    def _documents(self, result: ResearchResult, k: int | None) -> list[Document]:
        docs = [_answer_document(result)] if self.include_answer else []
        docs += [_source_document(source, index, result) for index, source in enumerate(result.sources, 1)]
        limit = self.k if k is None else k
        return docs if limit is None else docs[:limit]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = checked_k(k)
        body = request_body(query, self.thread_id, self.workspace_id, self.streaming)
        request_starting(run_manager, PATH)
        result = research(self, body, timeout=self.timeout, sink=sync_sink(run_manager))
        credits_charged(run_manager, PATH, result.credits_used)
        return self._documents(result, limit)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = checked_k(k)
        body = request_body(query, self.thread_id, self.workspace_id, self.streaming)
        await arequest_starting(run_manager, PATH)
        result = await aresearch(self, body, timeout=self.timeout, sink=async_sink(run_manager))
        await acredits_charged(run_manager, PATH, result.credits_used)
        return self._documents(result, limit)


def _common(result: ResearchResult) -> dict[str, Any]:
    return {"thread_id": result.thread_id, "message_id": result.id}


def _answer_document(result: ResearchResult) -> Document:
    metadata = {
        "type": "answer",
        **_common(result),
        "personas_used": [persona.model_dump(exclude_none=True) for persona in result.personas_used],
        "credits_used": result.credits_used,
    }
    if result.validation is not None:
        metadata["validation"] = result.validation.model_dump(exclude_none=True)
    return Document(page_content=result.content, metadata=metadata)


def _source_document(source: ResearchSource, citation: int, result: ResearchResult) -> Document:
    fields = source.model_dump(exclude_none=True)
    content = source.snippet or source.title or source.url or ""
    return Document(
        page_content=content, metadata={"type": "source", "citation": citation, **fields, **_common(result)}
    )
