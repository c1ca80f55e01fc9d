"""Tools over one news story: a persona's analysis of it, and a chat about it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Self

from langchain_core.callbacks import (
    AsyncCallbackManagerForToolRun,
    CallbackManagerForToolRun,
)
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, Field, create_model, model_validator

from langchain_mavera._conversations import ConversationState, conversation_of
from langchain_mavera._tool_errors import tool_errors
from langchain_mavera._transport import rest as _rest
from langchain_mavera.callbacks import (
    acredits_charged,
    arequest_starting,
    credits_charged,
    request_starting,
)
from langchain_mavera.news import (
    MAX_HISTORY,
    STORIES_PATH,
    MaveraNews,
    StoryAnalysis,
    StoryChatReply,
    chat_body,
    story_path,
)

__all__ = ["MaveraStoryAnalysisTool", "MaveraStoryChatTool"]

# Endpoints named in the credit events the paid tools dispatch (see `callbacks.CREDITS_EVENT`).
_ANALYZE = f"{STORIES_PATH}/{{id}}/analyze"
_CHAT = f"{STORIES_PATH}/{{id}}/chat"


def _tokens(reply: StoryAnalysis | StoryChatReply) -> dict[str, Any]:
    return {"input_tokens": reply.usage.prompt_tokens, "output_tokens": reply.usage.completion_tokens}


_STORY_ID = "The news story id, e.g. from the news retriever's metadata['id']."


class _StoryInput(BaseModel):
    story_id: str = Field(description=_STORY_ID)


class _AnalysisInput(_StoryInput):
    persona_id: str = Field(description="The id of the persona whose perception to analyze.")


def _analysis_schema(persona_id: str | None, personas: list[str]) -> type[BaseModel]:
    """What the model fills in: no persona with a fixed one, one of `personas` where it may choose."""
    if not personas:
        return _StoryInput if persona_id is not None else _AnalysisInput
    allowed: Any = Literal[tuple(personas)]
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
        tool = MaveraStoryAnalysisTool(personas=["clx1abc2d0001abcdef123456", "clx5sbo8n0005stuvwx567890"])
        ```
        With a fixed `persona_id` the model is not offered a persona at all;
        with `personas` it chooses one of them (the schema lists them);
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
    personas: list[str] = Field(default_factory=list)
    """Persona ids the model may choose from (listed in the tool's schema)."""

    @model_validator(mode="after")
    def _schema(self) -> Self:
        ids = self.personas
        if any(not isinstance(i, str) or not i.strip() for i in ids) or len(set(ids)) != len(ids):
            msg = f"personas must be distinct, non-blank persona ids; got {ids!r}."
            raise ValueError(msg)
        if ids and self.persona_id is not None and self.persona_id not in ids:
            msg = f"persona_id {self.persona_id!r} must be one of personas {ids!r}."
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
            persona, _ = self._persona(persona_id), story_path(story_id)
        request_starting(run_manager, _ANALYZE)
        with tool_errors():
            analysis = MaveraNews(model=self.model).analyze(story_id, persona)
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
            persona, _ = self._persona(persona_id), story_path(story_id)
        await arequest_starting(run_manager, _ANALYZE)
        with tool_errors():
            analysis = await MaveraNews(model=self.model).aanalyze(story_id, persona)
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
            story_path(story_id)
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
            reply = MaveraNews(model=self.model).chat(story_id, message, history)
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
            reply = await MaveraNews(model=self.model).achat(story_id, message, history)
        await acredits_charged(run_manager, _CHAT, reply.credits_used, usage=_tokens(reply))
        return self._remember(story_id, conversation, message, reply)
