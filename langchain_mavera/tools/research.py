"""`MaveraResearchTool`: Mave research as an agent tool, its thread kept per conversation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForToolRun,
    CallbackManagerForToolRun,
)
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, Field

from langchain_mavera._conversations import ConversationState, conversation_of
from langchain_mavera._tool_errors import tool_errors
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

__all__ = ["MaveraResearchTool"]


class _ResearchInput(BaseModel):
    # No thread id here: a model would invent one. Threads belong to the run's conversation.
    query: str = Field(description="The research question, in plain language.")


class MaveraResearchTool(_rest.MaveraConnection, ConversationState, BaseTool):
    r"""Mave research as a tool: a question in, a researched answer with citations out.

    Setup:
        ```python
        from langchain_mavera import ChatMavera, MaveraResearchTool

        tool = MaveraResearchTool()  # MAVERA_API_KEY, as for ChatMavera
        tool = MaveraResearchTool(model=ChatMavera(), streaming=True)  # share a model's clients
        ```

    Invoke:
        ```python
        tool.invoke({"query": "How do shoppers under 30 feel about refillable packaging?"})
        # 'Research summary for: How do shoppers under 30 feel about refillable packaging? ...
        #  61% of shoppers under 30 would pay more ... [1] ...\n\nSources:\n[1] Refill packaging
        #  survey 2026 - https://research.example.org/refill-2026\n...'
        ```
        Called by a model (a `ToolCall`), it returns a `ToolMessage` whose
        `artifact` holds `thread_id`, `sources`, `personas_used`, `validation`
        (when Mave sends it), `credits_used` and `message_id`.

    Threads:
        Mave threads belong to the run's conversation, named as LangGraph
        names it: `config={"configurable": {"thread_id": "user-42"}}` (what
        `create_agent` with a checkpointer is invoked with). The first call
        in a conversation opens a Mave thread and later calls in that
        conversation continue it (`tool.mave_thread("user-42")`), so one tool
        serves many users and none continues another's thread. A call without
        a conversation remembers nothing. `MaveraResearchTool(thread_id=...)`
        is the thread every conversation starts from (None opens a new one);
        `keep_thread=False` remembers no thread. The tool remembers the
        threads of its 1000 most recently active conversations. The thread id
        is never a call argument, so a model cannot invent one.

    Stream:
        With `streaming=True` the answer is streamed and each event is
        dispatched as a custom callback event (`mavera_research_content`,
        `mavera_research_sources`, `mavera_research_validation`,
        `mavera_research_done`), visible in `astream_events` and handlers'
        `on_custom_event`.

    Costs 10-75 credits per question (documented range), counted by
    `get_mavera_callback()` (whose budget is checked before the request); at
    most 10 calls run at once across tools in a process.
    """

    name: str = "mavera_research"
    description: str = (
        "Researches a market, audience or trend question with Mave, Mavera's research agent "
        "(web, news and SEO sources, audience personas) and returns an answer with numbered "
        "citations and its sources. Slow (up to a minute or more) and paid: ask one focused question."
    )
    args_schema: type[BaseModel] = _ResearchInput
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    handle_tool_error: bool | str | Callable[[ToolException], str] | None = True
    """Errors the model can act on (a refused request, a bad argument) come back as the tool's output."""

    workspace_id: str | None = None
    """Workspace to research in; the server default is your default workspace."""
    streaming: bool = False
    """Stream the answer and dispatch each event to callbacks."""
    timeout: float | None = Field(default=DEFAULT_TIMEOUT, gt=0)
    """Seconds to wait for the answer (Mave can take 30-90 s)."""
    keep_thread: bool = True
    """Remember the thread each answer is in, so the conversation's next call continues it."""
    thread_id: str | None = None
    """The thread each conversation starts from (None opens a new one); never changed by answers."""

    def mave_thread(self, conversation: str | None) -> str | None:
        """The Mave thread the next call in `conversation` continues (None: it opens a new one)."""
        remembered = None if conversation is None else self._conversations.get(conversation)
        return remembered or self.thread_id

    def _request(self, query: str, conversation: str | None) -> dict[str, Any]:
        return request_body(query, self.mave_thread(conversation), self.workspace_id, self.streaming)

    def _finish(self, result: ResearchResult, conversation: str | None) -> tuple[str, dict[str, Any]]:
        thread = result.thread_id
        if self.keep_thread and thread and conversation is not None:
            self._conversations.update(conversation, lambda _: thread)
        return _with_sources(result), result.artifact()

    def _run(
        self,
        query: str,
        *,
        config: RunnableConfig,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> tuple[str, dict[str, Any]]:
        conversation = conversation_of(config)
        with tool_errors(arguments=True):
            body = self._request(query, conversation)
        request_starting(run_manager, PATH)
        with tool_errors():
            result = research(self, body, timeout=self.timeout, sink=sync_sink(run_manager))
        credits_charged(run_manager, PATH, result.credits_used)
        return self._finish(result, conversation)

    async def _arun(
        self,
        query: str,
        *,
        config: RunnableConfig,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, dict[str, Any]]:
        conversation = conversation_of(config)
        with tool_errors(arguments=True):
            body = self._request(query, conversation)
        await arequest_starting(run_manager, PATH)
        with tool_errors():
            result = await aresearch(self, body, timeout=self.timeout, sink=async_sink(run_manager))
        await acredits_charged(run_manager, PATH, result.credits_used)
        return self._finish(result, conversation)


def _with_sources(result: ResearchResult) -> str:
    """The answer followed by its numbered sources, so a model can cite them."""
    lines = [f"[{index}] {_label(source)}" for index, source in enumerate(result.sources, start=1)]
    return result.content if not lines else f"{result.content}\n\nSources:\n" + "\n".join(lines)


def _label(source: ResearchSource) -> str:
    parts = [part for part in (source.title, source.url) if part]
    return " - ".join(parts) or (source.domain or "(untitled source)")
