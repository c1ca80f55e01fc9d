"""`MaveraNewsRetriever`: personalized news stories as Documents, ranked by the query's words."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field, field_validator

from langchain_mavera._transport import rest as _rest
from langchain_mavera.news import MAX_SIZE, MaveraNews, NewsStory, StoryDetails
from langchain_mavera.retrievers._common import checked_k, content_words

__all__ = ["MaveraNewsRetriever", "story_document"]


def _words(text: str) -> set[str]:
    """Content words of three letters or more: stories have always been ranked on those."""
    return {word for word in content_words(text) if len(word) > 2}


def _ranked(stories: list[NewsStory], query: str) -> list[NewsStory]:
    """Stories sharing more words with the query first; ties keep the server's order."""
    wanted = _words(query)
    if not wanted:
        return stories

    def overlap(story: NewsStory) -> int:
        text = " ".join([story.name, story.summary, *story.key_points, *story.topics, *story.categories])
        return len(wanted & _words(text))

    return sorted(stories, key=lambda story: -overlap(story))


def story_document(story: NewsStory) -> Document:
    """Summary and key points as content; id, name, categories, topics, sentiment, timestamps as metadata."""
    points = "\n".join(f"- {point}" for point in story.key_points)
    content = f"{story.name}\n\n{story.summary}" + (f"\n\nKey points:\n{points}" if points else "")
    metadata = {
        "id": story.id,
        "name": story.name,
        "categories": list(story.categories),
        "topics": list(story.topics),
        "sentiment": story.sentiment,
        "created_at": story.created_at,
        "updated_at": story.updated_at,
        "article_count": story.article_count,
        "unique_sources": story.unique_sources,
        "image_url": story.image_url,
    }
    return Document(page_content=content, metadata=metadata, id=story.id)


class MaveraNewsRetriever(_rest.MaveraConnection, BaseRetriever):
    r"""Personalized news stories for one or more personas, as `Document`s.

    Setup:
        ```python
        from langchain_mavera import MaveraNewsRetriever

        retriever = MaveraNewsRetriever(personas=["clx1abc2d0001abcdef123456"], k=3)
        ```

    Invoke:
        ```python
        docs = retriever.invoke("AI regulation")
        docs[0].page_content  # 'EU finalizes AI Act guidance\n\nThe European Commission ...'

        docs[0].metadata["id"], docs[0].metadata["categories"], docs[0].metadata["sentiment"]
        details = retriever.details(docs[0].metadata["id"])  # the full story, on demand
        ```
        The feed itself takes no query: `size` stories are fetched for the
        personas, then ranked here by the words they share with the query
        (a blank query keeps Mavera's order), and the first `k` returned.
    """

    personas: list[str] = Field(min_length=1)
    """Whose news: persona ids (one or more)."""
    size: int = Field(default=15, ge=1, le=MAX_SIZE)
    """Stories fetched per call, 1 to 50 (server default 15)."""
    k: int | None = Field(default=4, ge=1)
    """Most documents returned; None returns every fetched story."""

    @field_validator("personas", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def _news(self) -> MaveraNews:
        return MaveraNews(model=self.model)

    def _documents(self, stories: list[NewsStory], query: str, k: int | None) -> list[Document]:
        limit = self.k if k is None else k
        ranked = _ranked(stories, query)
        return [story_document(story) for story in (ranked if limit is None else ranked[:limit])]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = checked_k(k)
        return self._documents(self._news().personalized(self.personas, self.size), query, limit)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = checked_k(k)
        stories = await self._news().apersonalized(self.personas, self.size)
        return self._documents(stories, query, limit)

    def details(self, story_id: str, *, include_history: bool = True) -> StoryDetails:
        """The full story behind a document (`metadata["id"]`)."""
        return self._news().story(story_id, include_history=include_history)

    async def adetails(self, story_id: str, *, include_history: bool = True) -> StoryDetails:
        """Async twin of `details`."""
        return await self._news().astory(story_id, include_history=include_history)
