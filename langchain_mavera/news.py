"""News for an audience (`/news/stories/...`): personalized stories, details, persona analysis, story chat.

Documented: `GET /news/stories/personalized` (`persona_ids` required and
comma-separated, `size` 1-50, default 15), `GET /news/stories/{id}`
(`include_history`, default true), `POST /news/stories/{id}/analyze`
(`persona_id`, "uses credits", 5-20 per the credits guide) and
`POST /news/stories/{id}/chat` (`message` at most 2000 characters,
`conversation_history` at most 20 items, "uses credits"). Inferred: the
history item shape `{role, content}`, the range of `analysis.confidence`
(0-100 in the example), the meaning of the sentiment numbers, and that the
two feeds are free. `GET /news/stories/trending` has no reference page and is
not wrapped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    AsyncCallbackManagerForToolRun,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
)
from langchain_core.documents import Document
from langchain_core.messages import BaseMessage
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator
from typing_extensions import Self

from langchain_mavera._conversations import ConversationState, conversation_of
from langchain_mavera._tool_errors import tool_errors
from langchain_mavera._transport import rest as _rest
from langchain_mavera.callbacks import (
    acredits_charged,
    arequest_starting,
    credits_charged,
    request_starting,
)

__all__ = [
    "MaveraNews",
    "MaveraNewsRetriever",
    "MaveraStoryAnalysisTool",
    "MaveraStoryChatTool",
    "NewsStory",
    "PersonaPerception",
    "StoryAnalysis",
    "StoryChatReply",
    "StoryDetails",
    "StoryKeyPoint",
]

_STORIES = "/news/stories"
MAX_SIZE = 50
MAX_MESSAGE_CHARS = 2000
MAX_HISTORY = 20


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class _StoryFields(_Lenient):
    """What the feed and the detail endpoint both say about a story."""

    id: str
    name: str = ""
    summary: str = ""
    short_summary: str | None = None
    image_url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    article_count: int | None = None
    unique_sources: int | None = None
    sentiment: dict[str, Any] | None = None
    """`{positive, negative, neutral}` numbers; their scale is not documented."""
    categories: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)


class NewsStory(_StoryFields):
    """A story as the personalized feed lists it (`key_points` are strings here)."""

    key_points: list[str] = Field(default_factory=list)

    @field_validator("key_points", mode="before")
    @classmethod
    def _points_as_text(cls, value: Any) -> Any:
        # The detail endpoint sends {point, references}; accept either shape here.
        if isinstance(value, list):
            return [item.get("point", "") if isinstance(item, dict) else item for item in value]
        return value


class StoryKeyPoint(_Lenient):
    """One key point of a story and the references behind it."""

    point: str = ""
    references: list[str] = Field(default_factory=list)


class StoryDetails(_StoryFields):
    """`GET /news/stories/{id}`: the full story (key points with references, Q&A, articles, history)."""

    slug: str | None = None
    unique_source_domains: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    people: list[dict[str, Any]] = Field(default_factory=list)
    key_points: list[StoryKeyPoint] = Field(default_factory=list)
    questions: list[dict[str, Any]] = Field(default_factory=list)
    selected_articles: list[dict[str, Any]] = Field(default_factory=list)
    history: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("key_points", mode="before")
    @classmethod
    def _points_as_objects(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"point": item} if isinstance(item, str) else item for item in value]
        return value


class PersonaPerception(_Lenient):
    """How one persona perceives a story (the `analysis` object)."""

    quick_view: str | None = None
    emotional_response: str | None = None
    cognitive_engagement: str | None = None
    behavioral_intent: str | None = None
    news_contextualization: str | None = None
    risk_and_opportunity: str | None = None
    confidence: float | None = None
    """The scale is not documented (78 in the example)."""


class _Usage(_Lenient):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    credits_used: int | float | None = None


class StoryAnalysis(_Lenient):
    """`POST /news/stories/{id}/analyze`: a persona's perception of a story, with its cost."""

    story_id: str | None = None
    story_name: str | None = None
    persona: dict[str, Any] = Field(default_factory=dict)
    """`{id, name, category}` of the persona."""
    analysis: PersonaPerception = Field(default_factory=PersonaPerception)
    usage: _Usage = Field(default_factory=_Usage)
    analyzed_at: str | None = None

    @property
    def credits_used(self) -> int | float | None:
        """The credits this request used, when the reply said."""
        return self.usage.credits_used

    def as_text(self) -> str:
        """The analysis as labelled lines, for a model or a person to read."""
        who = self.persona.get("name") or self.persona.get("id") or "The persona"
        labels = (
            ("Quick view", self.analysis.quick_view),
            ("Emotional response", self.analysis.emotional_response),
            ("Cognitive engagement", self.analysis.cognitive_engagement),
            ("Behavioral intent", self.analysis.behavioral_intent),
            ("Context", self.analysis.news_contextualization),
            ("Risk and opportunity", self.analysis.risk_and_opportunity),
            ("Confidence", None if self.analysis.confidence is None else f"{self.analysis.confidence:g}"),
        )
        lines = [f"{label}: {value}" for label, value in labels if value]
        return f"How {who} perceives '{self.story_name or self.story_id}':\n" + "\n".join(lines)


class StoryChatReply(_Lenient):
    """`POST /news/stories/{id}/chat`: the assistant's answer about a story."""

    story_id: str | None = None
    story_name: str | None = None
    message: dict[str, Any] = Field(default_factory=dict)
    usage: _Usage = Field(default_factory=_Usage)
    created_at: str | None = None

    @property
    def content(self) -> str:
        """The reply's text."""
        content = self.message.get("content")
        return content if isinstance(content, str) else ""

    @property
    def credits_used(self) -> int | float | None:
        """The credits this request used, when the reply said."""
        return self.usage.credits_used


# -- validation (before any request) ----------------------------------------------------------


def _persona_ids(value: object) -> str:
    ids = [value] if isinstance(value, str) else value
    if (
        not isinstance(ids, Sequence)
        or not ids
        or not all(isinstance(i, str) and i.strip() and "," not in i for i in ids)
    ):
        msg = f"persona_ids must be one persona id or a non-empty list of ids (no commas); got {value!r}."
        raise ValueError(msg)
    return ",".join(i.strip() for i in ids)


def _size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        msg = f"size must be an integer from 1 to {MAX_SIZE} (stories fetched), got {size!r}."
        raise ValueError(msg)
    return size


_ROLES = {"human": "user", "user": "user", "ai": "assistant", "assistant": "assistant"}


def _turn(item: Any) -> dict[str, str]:
    """One history item as `{role, content}`; accepts dicts, (role, text) pairs and messages."""
    role: Any
    content: Any
    if isinstance(item, BaseMessage):
        role, content = item.type, item.content
    elif isinstance(item, tuple) and len(item) == 2:
        role, content = item
    elif isinstance(item, dict):
        role, content = item.get("role"), item.get("content")
    else:
        role, content = None, None
    if role not in _ROLES or not isinstance(content, str):
        msg = (
            "conversation_history items must be {'role': 'user'|'assistant', 'content': str}, "
            f"(role, content) pairs or Human/AI messages; got {item!r}."
        )
        raise ValueError(msg)
    return {"role": _ROLES[role], "content": content}


def chat_body(message: object, history: Sequence[Any] | None) -> dict[str, Any]:
    """The story-chat body; the 2000-character and 20-item limits are enforced here."""
    if not isinstance(message, str) or not message.strip():
        msg = f"message must be a non-blank string; got {message!r}."
        raise ValueError(msg)
    if len(message) > MAX_MESSAGE_CHARS:
        msg = f"message must be at most {MAX_MESSAGE_CHARS} characters, got {len(message)}."
        raise ValueError(msg)
    turns = [_turn(item) for item in (history or [])]
    if len(turns) > MAX_HISTORY:
        msg = f"conversation_history may hold at most {MAX_HISTORY} items, got {len(turns)}."
        raise ValueError(msg)
    body: dict[str, Any] = {"message": message}
    if turns:
        body["conversation_history"] = turns
    return body


def _story_path(story_id: object, suffix: str = "") -> str:
    return f"{_STORIES}/{_rest.segment(story_id, 'story_id', 'st_9f2')}{suffix}"


def _analyze_body(persona_id: object) -> dict[str, Any]:
    if not isinstance(persona_id, str) or not persona_id.strip():
        msg = f"persona_id must be a non-blank string, e.g. 'clx1abc2d0001abcdef123456'; got {persona_id!r}."
        raise ValueError(msg)
    return {"persona_id": persona_id}


# -- client ----------------------------------------------------------------------------------


class MaveraNews:
    """The news endpoints, sharing a `ChatMavera`'s key, URL and clients.

    ```python
    from langchain_mavera import ChatMavera, MaveraNews

    news = MaveraNews(ChatMavera())  # or MaveraNews(api_key=..., base_url=...)
    stories = news.personalized(["clx1abc2d0001abcdef123456"], size=5)
    details = news.story(stories[0].id)
    analysis = news.analyze(stories[0].id, "clx1abc2d0001abcdef123456")  # 5-20 credits
    reply = news.chat(stories[0].id, "What changes for me?", history=[("user", "..."), ("assistant", "...")])
    ```
    """

    def __init__(self, source: Any = None, **settings: Any) -> None:
        if source is not None and settings:
            msg = "Pass either a ChatMavera to share or connection settings, not both."
            raise TypeError(msg)
        self._source = source if source is not None else _rest.connection(settings)

    def personalized(self, persona_ids: str | Sequence[str], size: int = 15) -> list[NewsStory]:
        """Stories matched to these personas (`GET /news/stories/personalized`)."""
        query = {"persona_ids": _persona_ids(persona_ids), "size": _size(size)}
        return _stories(_rest.request(self._source.client, "get", f"{_STORIES}/personalized", query=query))

    def story(self, story_id: str, *, include_history: bool = True) -> StoryDetails:
        """The full story (`GET /news/stories/{id}`)."""
        query = {"include_history": "true" if include_history else "false"}
        reply = _rest.request(self._source.client, "get", _story_path(story_id), query=query)
        return _rest.parse(StoryDetails, reply)

    def analyze(self, story_id: str, persona_id: str) -> StoryAnalysis:
        """How one persona perceives the story (`POST .../analyze`; 5-20 credits)."""
        path, body = _story_path(story_id, "/analyze"), _analyze_body(persona_id)
        return _rest.parse(StoryAnalysis, _rest.request(self._source.client, "post", path, body=body))

    def chat(self, story_id: str, message: str, history: Sequence[Any] | None = None) -> StoryChatReply:
        """Ask about the story (`POST .../chat`); `history` holds at most 20 earlier turns."""
        path, body = _story_path(story_id, "/chat"), chat_body(message, history)
        return _rest.parse(StoryChatReply, _rest.request(self._source.client, "post", path, body=body))

    async def apersonalized(self, persona_ids: str | Sequence[str], size: int = 15) -> list[NewsStory]:
        """Async twin of `personalized`."""
        query = {"persona_ids": _persona_ids(persona_ids), "size": _size(size)}
        path = f"{_STORIES}/personalized"
        return _stories(await _rest.arequest(self._source.async_client, "get", path, query=query))

    async def astory(self, story_id: str, *, include_history: bool = True) -> StoryDetails:
        """Async twin of `story`."""
        query = {"include_history": "true" if include_history else "false"}
        reply = await _rest.arequest(self._source.async_client, "get", _story_path(story_id), query=query)
        return _rest.parse(StoryDetails, reply)

    async def aanalyze(self, story_id: str, persona_id: str) -> StoryAnalysis:
        """Async twin of `analyze`."""
        path, body = _story_path(story_id, "/analyze"), _analyze_body(persona_id)
        reply = await _rest.arequest(self._source.async_client, "post", path, body=body)
        return _rest.parse(StoryAnalysis, reply)

    async def achat(
        self, story_id: str, message: str, history: Sequence[Any] | None = None
    ) -> StoryChatReply:
        """Async twin of `chat`."""
        path, body = _story_path(story_id, "/chat"), chat_body(message, history)
        reply = await _rest.arequest(self._source.async_client, "post", path, body=body)
        return _rest.parse(StoryChatReply, reply)


class _StoryList(_Lenient):
    data: list[NewsStory] = Field(default_factory=list)


def _stories(reply: Any) -> list[NewsStory]:
    return _rest.parse(_StoryList, reply).data


# -- retriever ---------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to say what a story is about.
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "was",
        "were",
        "this",
        "that",
        "these",
        "those",
        "with",
        "from",
        "about",
        "what",
        "which",
        "who",
        "how",
        "why",
        "when",
        "you",
        "your",
        "our",
        "their",
        "its",
        "into",
        "over",
        "under",
        "than",
        "then",
        "there",
        "here",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "does",
        "did",
        "not",
        "but",
        "all",
        "any",
        "more",
        "most",
        "some",
        "such",
        "only",
        "also",
        "just",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "as",
        "or",
        "is",
        "it",
        "be",
    ]
)


def _words(text: str) -> set[str]:
    """Content words, crudely singular, so "prices" meets "price" and "refills" meets "refill"."""
    return {word.rstrip("s") for word in _WORD.findall(text.lower()) if word not in _STOP and len(word) > 2}


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

        retriever = MaveraNewsRetriever(persona_ids=["clx1abc2d0001abcdef123456"], k=3)
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

    persona_ids: list[str] = Field(min_length=1)
    """Whose news: persona ids (one or more)."""
    size: int = Field(default=15, ge=1, le=MAX_SIZE)
    """Stories fetched per call, 1 to 50 (server default 15)."""
    k: int | None = Field(default=4, ge=1)
    """Most documents returned; None returns every fetched story."""

    @field_validator("persona_ids", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def _news(self) -> MaveraNews:
        return MaveraNews(self.mavera)

    def _documents(self, stories: list[NewsStory], query: str, k: int | None) -> list[Document]:
        limit = self.k if k is None else k
        ranked = _ranked(stories, query)
        return [story_document(story) for story in (ranked if limit is None else ranked[:limit])]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = _checked_k(k)
        return self._documents(self._news().personalized(self.persona_ids, self.size), query, limit)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = _checked_k(k)
        stories = await self._news().apersonalized(self.persona_ids, self.size)
        return self._documents(stories, query, limit)

    def details(self, story_id: str, *, include_history: bool = True) -> StoryDetails:
        """The full story behind a document (`metadata["id"]`)."""
        return self._news().story(story_id, include_history=include_history)

    async def adetails(self, story_id: str, *, include_history: bool = True) -> StoryDetails:
        """Async twin of `details`."""
        return await self._news().astory(story_id, include_history=include_history)


def _checked_k(k: object) -> int | None:
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        msg = f"k must be a positive integer (most documents returned), got {k!r}."
        raise ValueError(msg)
    return k


# -- tools -------------------------------------------------------------------------------------

# Endpoints named in the credit events the paid tools dispatch (see `callbacks.CREDITS_EVENT`).
_ANALYZE = f"{_STORIES}/{{id}}/analyze"
_CHAT = f"{_STORIES}/{{id}}/chat"


def _tokens(reply: StoryAnalysis | StoryChatReply) -> dict[str, Any]:
    return {"input_tokens": reply.usage.prompt_tokens, "output_tokens": reply.usage.completion_tokens}


_STORY_ID = "The news story id, e.g. from the news retriever's metadata['id']."


class _StoryInput(BaseModel):
    story_id: str = Field(description=_STORY_ID)


class _AnalysisInput(_StoryInput):
    persona_id: str = Field(description="The id of the persona whose perception to analyze.")


def _analysis_schema(persona_id: str | None, persona_ids: list[str]) -> type[BaseModel]:
    """What the model fills in: no persona with a fixed one, one of `persona_ids` where it may choose."""
    if not persona_ids:
        return _StoryInput if persona_id is not None else _AnalysisInput
    allowed: Any = Literal[tuple(persona_ids)]
    if persona_id is None:
        field = (allowed, Field(description="Whose perception to analyze: one of the listed persona ids."))
    else:
        field = (allowed | None, Field(None, description="One of the listed persona ids; omit: the default."))
    return create_model("StoryAnalysisInput", __base__=_StoryInput, persona_id=field)


class MaveraStoryAnalysisTool(_rest.MaveraConnection, BaseTool):
    r"""How a persona perceives a news story (`POST /news/stories/{id}/analyze`).

    Setup:
        ```python
        from langchain_mavera import MaveraStoryAnalysisTool

        tool = MaveraStoryAnalysisTool(persona_id="clx1abc2d0001abcdef123456")  # the model gives story_id
        tool = MaveraStoryAnalysisTool(persona_ids=["clx1abc2d0001abcdef123456", "clx5sbo8n0005stuvwx567890"])
        ```
        With a fixed `persona_id` the model is not offered a persona at all;
        with `persona_ids` it chooses one of them (the schema lists them);
        with neither it must give a persona id.

    Invoke:
        ```python
        tool.invoke({"story_id": "st_9f2"})
        # "How Gen Z Consumer perceives 'EU finalizes AI Act guidance':\nQuick view: ...\nConfidence: 78"
        ```
        As a `ToolCall` the `ToolMessage.artifact` is the typed `StoryAnalysis`
        (persona, the six perception fields, `confidence`, token usage and
        `credits_used`, 5-20 per analysis). The credits count in
        `get_mavera_callback()`, whose budget is checked before the request.
        An unknown story or a persona the server refuses comes back as the
        tool's output (`handle_tool_error=True`), so an agent can correct it.
    """

    name: str = "mavera_story_analysis"
    description: str = (
        "Analyzes how an audience persona perceives a news story: quick view, emotional response, "
        "engagement, behavioral intent, context, risks and opportunities, and a confidence score."
    )
    args_schema: type[BaseModel] = _AnalysisInput
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    handle_tool_error: bool | str | Callable[[ToolException], str] | None = True
    """Errors the model can act on (unknown story, refused persona, bad argument) come back as output."""

    persona_id: str | None = None
    """The persona used when a call names none; alone, the model is not offered a persona."""
    persona_ids: list[str] = Field(default_factory=list)
    """Persona ids the model may choose from (listed in the tool's schema)."""

    @model_validator(mode="after")
    def _schema(self) -> Self:
        ids = self.persona_ids
        if any(not isinstance(i, str) or not i.strip() for i in ids) or len(set(ids)) != len(ids):
            msg = f"persona_ids must be distinct, non-blank persona ids; got {ids!r}."
            raise ValueError(msg)
        if ids and self.persona_id is not None and self.persona_id not in ids:
            msg = f"persona_id {self.persona_id!r} must be one of persona_ids {ids!r}."
            raise ValueError(msg)
        self.args_schema = _analysis_schema(self.persona_id, ids)
        return self

    def _persona(self, persona_id: str | None) -> str:
        chosen = persona_id or self.persona_id
        if chosen is None:
            msg = (
                "persona_id is required: pass it in the call or set MaveraStoryAnalysisTool(persona_id=...)."
            )
            raise ValueError(msg)
        return chosen

    def _run(
        self,
        story_id: str,
        persona_id: str | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> tuple[str, StoryAnalysis]:
        with tool_errors(arguments=True):
            persona, _ = self._persona(persona_id), _story_path(story_id)
        request_starting(run_manager, _ANALYZE)
        with tool_errors():
            analysis = MaveraNews(self.mavera).analyze(story_id, persona)
        credits_charged(
            run_manager, _ANALYZE, analysis.credits_used, persona_id=persona, usage=_tokens(analysis)
        )
        return analysis.as_text(), analysis

    async def _arun(
        self,
        story_id: str,
        persona_id: str | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, StoryAnalysis]:
        with tool_errors(arguments=True):
            persona, _ = self._persona(persona_id), _story_path(story_id)
        await arequest_starting(run_manager, _ANALYZE)
        with tool_errors():
            analysis = await MaveraNews(self.mavera).aanalyze(story_id, persona)
        await acredits_charged(
            run_manager, _ANALYZE, analysis.credits_used, persona_id=persona, usage=_tokens(analysis)
        )
        return analysis.as_text(), analysis


class _ChatInput(BaseModel):
    story_id: str = Field(description="The news story id to ask about.")
    message: str = Field(description="The question about the story (at most 2000 characters).")


class MaveraStoryChatTool(_rest.MaveraConnection, ConversationState, BaseTool):
    """Questions about one news story (`POST /news/stories/{id}/chat`), with memory per conversation.

    Setup:
        ```python
        from langchain_mavera import MaveraStoryChatTool

        tool = MaveraStoryChatTool()
        ```

    Invoke:
        ```python
        config = {"configurable": {"thread_id": "user-42"}}  # the conversation, as LangGraph names it
        tool.invoke({"story_id": "st_9f2", "message": "What changes for small firms?"}, config)
        tool.invoke({"story_id": "st_9f2", "message": "And when?"}, config)  # sends the first exchange
        ```
        The API is stateless: the tool keeps each conversation's exchanges
        about each story and sends the most recent 20 items (the documented
        maximum) as `conversation_history`. The conversation is the run's
        `configurable.thread_id`, so one tool serves many users and no user's
        questions reach another's request; a call without one sends and keeps
        no history. At most 1000 (conversation, story) histories are kept,
        least recently used dropped. `remember=False` sends no history. The
        artifact is the typed `StoryChatReply` (with `credits_used`, counted
        by `get_mavera_callback()`).
    """

    name: str = "mavera_story_chat"
    description: str = "Answers a question about one news story, using the story's articles and key points."
    args_schema: type[BaseModel] = _ChatInput
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    handle_tool_error: bool | str | Callable[[ToolException], str] | None = True
    """Errors the model can act on (unknown story, bad argument) come back as the tool's output."""

    remember: bool = True
    """Keep each conversation's exchanges about a story and send them as history on its next question."""

    def history(self, story_id: str, conversation: str | None) -> list[dict[str, str]]:
        """The exchanges about a story remembered for `conversation`, oldest first."""
        if conversation is None:
            return []
        return list(self._conversations.get((conversation, story_id)) or [])

    def _sent_history(self, story_id: str, conversation: str | None) -> list[dict[str, str]]:
        return self.history(story_id, conversation)[-MAX_HISTORY:] if self.remember else []

    def _remember(
        self, story_id: str, conversation: str | None, message: str, reply: StoryChatReply
    ) -> tuple[str, StoryChatReply]:
        if self.remember and conversation is not None:
            exchange = [{"role": "user", "content": message}, {"role": "assistant", "content": reply.content}]
            self._conversations.update(
                (conversation, story_id), lambda turns: [*(turns or []), *exchange][-MAX_HISTORY:]
            )
        return reply.content, reply

    def _checked(self, story_id: str, message: str, config: RunnableConfig) -> tuple[str | None, list[Any]]:
        """The conversation and the history to send; bad input fails before the budget check."""
        conversation = conversation_of(config)
        history = self._sent_history(story_id, conversation)
        with tool_errors(arguments=True):
            chat_body(message, history)
            _story_path(story_id)
        return conversation, history

    def _run(
        self,
        story_id: str,
        message: str,
        *,
        config: RunnableConfig,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> tuple[str, StoryChatReply]:
        conversation, history = self._checked(story_id, message, config)
        request_starting(run_manager, _CHAT)
        with tool_errors():
            reply = MaveraNews(self.mavera).chat(story_id, message, history)
        credits_charged(run_manager, _CHAT, reply.credits_used, usage=_tokens(reply))
        return self._remember(story_id, conversation, message, reply)

    async def _arun(
        self,
        story_id: str,
        message: str,
        *,
        config: RunnableConfig,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, StoryChatReply]:
        conversation, history = self._checked(story_id, message, config)
        await arequest_starting(run_manager, _CHAT)
        with tool_errors():
            reply = await MaveraNews(self.mavera).achat(story_id, message, history)
        await acredits_charged(run_manager, _CHAT, reply.credits_used, usage=_tokens(reply))
        return self._remember(story_id, conversation, message, reply)
