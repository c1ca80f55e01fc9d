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

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from pydantic import Field, field_validator

from langchain_mavera._renames import refuse_extra_arguments, refuse_positional_model
from langchain_mavera._transport import rest as _rest
from langchain_mavera._transport.connection import ClientSource, model_or_settings

__all__ = [
    "MaveraNews",
    "NewsStory",
    "PersonaPerception",
    "StoryAnalysis",
    "StoryChatReply",
    "StoryDetails",
    "StoryKeyPoint",
]

STORIES_PATH = "/news/stories"
MAX_SIZE = 50
MAX_MESSAGE_CHARS = 2000
MAX_HISTORY = 20


class _StoryFields(_rest.Lenient):
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


class StoryKeyPoint(_rest.Lenient):
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


class PersonaPerception(_rest.Lenient):
    """How one persona perceives a story (the `analysis` object)."""

    quick_view: str | None = None
    emotional_response: str | None = None
    cognitive_engagement: str | None = None
    behavioral_intent: str | None = None
    news_contextualization: str | None = None
    risk_and_opportunity: str | None = None
    confidence: float | None = None
    """The scale is not documented (78 in the example)."""


class _Usage(_rest.Lenient):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    credits_used: int | float | None = None


class StoryAnalysis(_rest.Lenient):
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


class StoryChatReply(_rest.Lenient):
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
        msg = (
            "personas must be one persona id or a non-empty list of ids (no commas; names are not "
            f"looked up here); got {value!r}."
        )
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


def story_path(story_id: object, suffix: str = "") -> str:
    return f"{STORIES_PATH}/{_rest.segment(story_id, 'story_id', 'st_9f2')}{suffix}"


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

    news = MaveraNews(model=ChatMavera())  # or MaveraNews(api_key=..., base_url=...)
    stories = news.personalized(["clx1abc2d0001abcdef123456"], size=5)
    details = news.story(stories[0].id)
    analysis = news.analyze(stories[0].id, "clx1abc2d0001abcdef123456")  # 5-20 credits
    reply = news.chat(stories[0].id, "What changes for me?", history=[("user", "..."), ("assistant", "...")])
    ```
    """

    def __init__(self, *args: object, model: ClientSource | None = None, **settings: Any) -> None:
        refuse_positional_model("MaveraNews", args)
        self._source = model_or_settings("MaveraNews", model, settings)

    def personalized(
        self, personas: str | Sequence[str] | None = None, size: int = 15, **renamed: object
    ) -> list[NewsStory]:
        """Stories matched to these personas (`GET /news/stories/personalized`)."""
        refuse_extra_arguments("MaveraNews.personalized", renamed)
        query = {"persona_ids": _persona_ids(personas), "size": _size(size)}
        return _stories(
            _rest.request(self._source.client, "get", f"{STORIES_PATH}/personalized", query=query)
        )

    def story(self, story_id: str, *, include_history: bool = True) -> StoryDetails:
        """The full story (`GET /news/stories/{id}`)."""
        query = {"include_history": "true" if include_history else "false"}
        reply = _rest.request(self._source.client, "get", story_path(story_id), query=query)
        return _rest.parse(StoryDetails, reply)

    def analyze(self, story_id: str, persona_id: str) -> StoryAnalysis:
        """How one persona perceives the story (`POST .../analyze`; 5-20 credits)."""
        path, body = story_path(story_id, "/analyze"), _analyze_body(persona_id)
        return _rest.parse(StoryAnalysis, _rest.request(self._source.client, "post", path, body=body))

    def chat(self, story_id: str, message: str, history: Sequence[Any] | None = None) -> StoryChatReply:
        """Ask about the story (`POST .../chat`); `history` holds at most 20 earlier turns."""
        path, body = story_path(story_id, "/chat"), chat_body(message, history)
        return _rest.parse(StoryChatReply, _rest.request(self._source.client, "post", path, body=body))

    async def apersonalized(
        self, personas: str | Sequence[str] | None = None, size: int = 15, **renamed: object
    ) -> list[NewsStory]:
        """Async twin of `personalized`."""
        refuse_extra_arguments("MaveraNews.personalized", renamed)
        query = {"persona_ids": _persona_ids(personas), "size": _size(size)}
        path = f"{STORIES_PATH}/personalized"
        return _stories(await _rest.arequest(self._source.async_client, "get", path, query=query))

    async def astory(self, story_id: str, *, include_history: bool = True) -> StoryDetails:
        """Async twin of `story`."""
        query = {"include_history": "true" if include_history else "false"}
        reply = await _rest.arequest(self._source.async_client, "get", story_path(story_id), query=query)
        return _rest.parse(StoryDetails, reply)

    async def aanalyze(self, story_id: str, persona_id: str) -> StoryAnalysis:
        """Async twin of `analyze`."""
        path, body = story_path(story_id, "/analyze"), _analyze_body(persona_id)
        reply = await _rest.arequest(self._source.async_client, "post", path, body=body)
        return _rest.parse(StoryAnalysis, reply)

    async def achat(
        self, story_id: str, message: str, history: Sequence[Any] | None = None
    ) -> StoryChatReply:
        """Async twin of `chat`."""
        path, body = story_path(story_id, "/chat"), chat_body(message, history)
        reply = await _rest.arequest(self._source.async_client, "post", path, body=body)
        return _rest.parse(StoryChatReply, reply)


class _StoryList(_rest.Lenient):
    data: list[NewsStory] = Field(default_factory=list)


def _stories(reply: Any) -> list[NewsStory]:
    return _rest.parse(_StoryList, reply).data
