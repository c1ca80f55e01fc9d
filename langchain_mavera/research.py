"""Mave research (`POST /mave/chat`): a researched answer with citations, as a tool and a retriever.

Mave plans, searches the web, news, SEO data and your knowledge base, picks
personas itself, then answers with inline citations. Answers take seconds to
minutes (the docs say 5-30 s in one place and 30-90 s in another), so the
default timeout is 180 s. At most 10 Mave requests may run at once (a
documented cap): calls here wait for a slot, per process for threads and per
event loop for asyncio.

Documented: the request (`message`, `thread_id`, `workspace_id`, `stream`),
the `mave_message` reply (`content`, `sources[{title,url,domain}]`,
`personas_used[{id,name}]`, `usage.credits_used`) and the stream event names
`content`, `sources`, `validation`, `done`. Inferred (read liberally): the
stream framing (an `event:` line or a `type` key), the keys inside each event,
the thread id and usage on `done`, the `validation` keys (`confidence_score`,
`hallucination_risk`), and `snippet`/`source_type` on sources.
"""

from __future__ import annotations

import asyncio
import json
import threading
import weakref
from collections.abc import Callable
from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    AsyncCallbackManagerForToolRun,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
)
from langchain_core.documents import Document
from langchain_core.messages import AIMessageChunk
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, ConfigDict, Field

from langchain_mavera._conversations import ConversationState, conversation_of
from langchain_mavera._tool_errors import tool_errors
from langchain_mavera._transport import http as _http
from langchain_mavera._transport import rest as _rest
from langchain_mavera._transport.deadline import Deadline, aslot, slot
from langchain_mavera._transport.error_mapping import error_from_stream_event, make_error, malformed_guard
from langchain_mavera._transport.sse import DONE
from langchain_mavera.callbacks import (
    acredits_charged,
    arequest_starting,
    credits_charged,
    request_starting,
)
from langchain_mavera.errors import MaveraError, MaveraStreamInterruptedError

__all__ = [
    "MaveValidation",
    "MaveraResearchRetriever",
    "MaveraResearchTool",
    "ResearchPersona",
    "ResearchResult",
    "ResearchSource",
]

_PATH = "/mave/chat"
MAX_CONCURRENT = 10
"""Documented cap on concurrent `/mave/chat` requests."""
DEFAULT_TIMEOUT = 180.0
"""Seconds; above the documented 30-90 s for a first answer."""
EVENT_PREFIX = "mavera_research_"
"""Custom callback events are named `mavera_research_content`, `_sources`, `_validation`, `_done`."""

_sync_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_async_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)
_async_slots_lock = threading.Lock()


def _loop_slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    with _async_slots_lock:
        slots = _async_slots.get(loop)
        if slots is None:
            slots = _async_slots[loop] = asyncio.Semaphore(MAX_CONCURRENT)
    return slots


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class ResearchSource(_Lenient):
    """One cited source; the chat reply documents title, url, domain, the rest may be absent."""

    title: str | None = None
    url: str | None = None
    domain: str | None = None
    snippet: str | None = None
    source_type: str | None = None
    """`web`, `news`, `seo` or `knowledge_base` per the guide."""
    id: str | None = None


class ResearchPersona(_Lenient):
    """A persona Mave chose while planning."""

    id: str | None = None
    name: str | None = None
    category: str | None = None


class MaveValidation(_Lenient):
    """Mave's reality check. The guides promise it; the reference schema omits it, so it may be absent."""

    confidence_score: float | None = None
    hallucination_risk: str | None = None
    unsupported_claims: list[Any] = Field(default_factory=list)


class ResearchResult(_Lenient):
    """A researched answer (`mave_message`), or the same assembled from a stream."""

    content: str = ""
    """The answer, with inline citations like `[1]`."""
    thread_id: str | None = None
    id: str | None = None
    sources: list[ResearchSource] = Field(default_factory=list)
    personas_used: list[ResearchPersona] = Field(default_factory=list)
    validation: MaveValidation | None = None
    credits_used: int | float | None = None
    created_at: str | None = None

    @classmethod
    def from_reply(cls, body: dict[str, Any]) -> ResearchResult:
        """The result read from a research reply body."""
        usage = body.get("usage")
        credits = usage.get("credits_used") if isinstance(usage, dict) else None
        fields = {key: value for key, value in body.items() if key not in ("usage", "object", "role")}
        return cls.model_validate({**fields, "credits_used": credits})

    def artifact(self) -> dict[str, Any]:
        """What the tool returns beside the answer text."""
        return {
            "thread_id": self.thread_id,
            "sources": [source.model_dump(exclude_none=True) for source in self.sources],
            "personas_used": [persona.model_dump(exclude_none=True) for persona in self.personas_used],
            "validation": None if self.validation is None else self.validation.model_dump(exclude_none=True),
            "credits_used": self.credits_used,
            "message_id": self.id,
        }


# -- request -----------------------------------------------------------------------------------

_EventSink = Callable[[str, dict[str, Any]], None]


def _body(message: object, thread_id: str | None, workspace_id: str | None, stream: bool) -> dict[str, Any]:
    """The request body, strict: only documented keys; a bad message fails before any request."""
    if not isinstance(message, str) or not message.strip():
        msg = f"query must be a non-blank string (the research question); got {message!r}."
        raise ValueError(msg)
    for name, value in (("thread_id", thread_id), ("workspace_id", workspace_id)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            msg = f"{name} must be a non-blank string or None; got {value!r}."
            raise ValueError(msg)
    body: dict[str, Any] = {"message": message}
    if thread_id is not None:
        body["thread_id"] = thread_id
    if workspace_id is not None:
        body["workspace_id"] = workspace_id
    if stream:
        body["stream"] = True
    return body


class _StreamState:
    """Assembles a `ResearchResult` from stream events, either framing, any key spelling."""

    def __init__(self, sink: _EventSink | None) -> None:
        self.sink = sink
        self.text: list[str] = []
        self.fields: dict[str, Any] = {}
        self.done = False

    def feed(self, name: str | None, raw: str, response: Any) -> None:
        if raw.strip() == DONE:
            self.done = True
            return
        with malformed_guard(response, raw):
            payload = json.loads(raw)
            if not isinstance(payload, dict):
                raise TypeError(f"event data is a {type(payload).__name__}, not an object")
        if "error" in payload:
            raise error_from_stream_event(payload, response, self.partial())
        kind = name or payload.get("type")
        data = self._apply(kind, payload)
        if data is not None and self.sink is not None and isinstance(kind, str):
            self.sink(EVENT_PREFIX + kind, data)

    def _apply(self, kind: object, payload: dict[str, Any]) -> dict[str, Any] | None:
        if kind == "content":
            piece = payload.get("content", payload.get("delta", payload.get("text", "")))
            piece = piece if isinstance(piece, str) else ""
            self.text.append(piece)
            return {"text": piece}
        if kind == "sources":
            sources = payload.get("sources", payload.get("data", []))
            self.fields["sources"] = sources
            return {"sources": sources}
        if kind == "validation":
            validation = payload.get("validation", {k: v for k, v in payload.items() if k != "type"})
            self.fields["validation"] = validation
            return {"validation": validation}
        if kind == "done":
            self.done = True
            rest = {k: v for k, v in payload.items() if k not in ("type", "content")}
            self.fields.update(rest)
            return rest
        return None  # phase-progress or other undocumented events: ignored

    def partial(self) -> AIMessageChunk:
        return AIMessageChunk(content="".join(self.text))

    def keep_partial(self, error: MaveraError) -> MaveraError:
        """The answer text received so far rides on the error: nothing that arrived is lost."""
        if error.partial is None:
            error.partial = self.partial()
        return error

    def result(self, response: Any) -> ResearchResult:
        if not self.done:
            message = "The Mave stream ended before its `done` event."
            error = make_error(MaveraStreamInterruptedError, message, request=response.request)
            error.partial = self.partial()
            raise error
        with malformed_guard(response, json.dumps(self.fields, default=str)):
            return ResearchResult.from_reply({**self.fields, "content": "".join(self.text)})


def _parsed(reply: _http.JSONReply) -> ResearchResult:
    with malformed_guard(reply.response, reply.response.text):
        return ResearchResult.from_reply(reply.body)


_SLOT = "one of the 10 research slots (other research calls hold them)"


def _url(client: Any) -> str:
    return f"{str(client.base_url).rstrip('/')}{_PATH}"


def research(
    source: Any,
    body: dict[str, Any],
    *,
    timeout: float | None,
    sink: _EventSink | None = None,
) -> ResearchResult:
    """One `POST /mave/chat`, waiting for one of the 10 slots first; `timeout` bounds it all."""
    deadline = Deadline(timeout)
    with slot(_sync_slots, deadline, _SLOT, _url(source.client)):
        if not body.get("stream"):
            return _parsed(_rest.request(source.client, "post", _PATH, body=body, timeout=deadline.left()))
        state = _StreamState(sink)
        with _http.open_stream(source.client, _PATH, body, timeout, None, deadline.left()) as response:
            try:
                for event in _http.iter_events(response):
                    state.feed(event.event, event.data, response)
            except MaveraError as exc:
                raise state.keep_partial(exc) from exc.__cause__
            return state.result(response)


async def aresearch(
    source: Any,
    body: dict[str, Any],
    *,
    timeout: float | None,
    sink: Callable[[str, dict[str, Any]], Any] | None = None,
) -> ResearchResult:
    """Async twin of `research`; `sink` may be a coroutine function."""
    deadline = Deadline(timeout)
    async with aslot(_loop_slots(), deadline, _SLOT, _url(source.async_client)):
        if not body.get("stream"):
            reply = await _rest.arequest(
                source.async_client, "post", _PATH, body=body, timeout=deadline.left()
            )
            return _parsed(reply)
        pending: list[tuple[str, dict[str, Any]]] = []
        state = _StreamState(lambda name, data: pending.append((name, data)))
        async with _http.aopen_stream(
            source.async_client, _PATH, body, timeout, None, deadline.left()
        ) as response:
            try:
                async for event in _http.aiter_events(response):
                    state.feed(event.event, event.data, response)
                    while pending and sink is not None:
                        outcome = sink(*pending.pop(0))
                        if asyncio.iscoroutine(outcome):
                            await outcome
                    pending.clear()
            except MaveraError as exc:
                raise state.keep_partial(exc) from exc.__cause__
            return state.result(response)


def _sync_sink(
    run_manager: CallbackManagerForToolRun | CallbackManagerForRetrieverRun | None,
) -> _EventSink | None:
    if run_manager is None:
        return None
    child = run_manager.get_child()
    return lambda name, data: child.on_custom_event(name, data, run_id=run_manager.run_id)


def _async_sink(
    run_manager: AsyncCallbackManagerForToolRun | AsyncCallbackManagerForRetrieverRun | None,
) -> Callable[[str, dict[str, Any]], Any] | None:
    if run_manager is None:
        return None
    child = run_manager.get_child()
    return lambda name, data: child.on_custom_event(name, data, run_id=run_manager.run_id)


# -- tool --------------------------------------------------------------------------------------


class _ResearchInput(BaseModel):
    # No thread id here: a model would invent one. Threads belong to the run's conversation.
    query: str = Field(description="The research question, in plain language.")


class MaveraResearchTool(_rest.MaveraConnection, ConversationState, BaseTool):
    r"""Mave research as a tool: a question in, a researched answer with citations out.

    Setup:
        ```python
        from langchain_mavera import ChatMavera, MaveraResearchTool

        tool = MaveraResearchTool()  # MAVERA_API_KEY, as for ChatMavera
        tool = MaveraResearchTool(mavera=ChatMavera(), streaming=True)  # share a model's clients
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
        return _body(query, self.mave_thread(conversation), self.workspace_id, self.streaming)

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
        request_starting(run_manager, _PATH)
        with tool_errors():
            result = research(self, body, timeout=self.timeout, sink=_sync_sink(run_manager))
        credits_charged(run_manager, _PATH, result.credits_used)
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
        await arequest_starting(run_manager, _PATH)
        with tool_errors():
            result = await aresearch(self, body, timeout=self.timeout, sink=_async_sink(run_manager))
        await acredits_charged(run_manager, _PATH, result.credits_used)
        return self._finish(result, conversation)


def _with_sources(result: ResearchResult) -> str:
    """The answer followed by its numbered sources, so a model can cite them."""
    lines = [f"[{index}] {_label(source)}" for index, source in enumerate(result.sources, start=1)]
    return result.content if not lines else f"{result.content}\n\nSources:\n" + "\n".join(lines)


def _label(source: ResearchSource) -> str:
    parts = [part for part in (source.title, source.url) if part]
    return " - ".join(parts) or (source.domain or "(untitled source)")


# -- retriever ---------------------------------------------------------------------------------


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
        limit = _checked_k(k)
        body = _body(query, self.thread_id, self.workspace_id, self.streaming)
        request_starting(run_manager, _PATH)
        result = research(self, body, timeout=self.timeout, sink=_sync_sink(run_manager))
        credits_charged(run_manager, _PATH, result.credits_used)
        return self._documents(result, limit)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        limit = _checked_k(k)
        body = _body(query, self.thread_id, self.workspace_id, self.streaming)
        await arequest_starting(run_manager, _PATH)
        result = await aresearch(self, body, timeout=self.timeout, sink=_async_sink(run_manager))
        await acredits_charged(run_manager, _PATH, result.credits_used)
        return self._documents(result, limit)


def _checked_k(k: object) -> int | None:
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        msg = f"k must be a positive integer (most documents returned), got {k!r}."
        raise ValueError(msg)
    return k


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
