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
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    AsyncCallbackManagerForToolRun,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
)
from langchain_core.messages import AIMessageChunk
from pydantic import Field

from langchain_mavera._transport import http as _http
from langchain_mavera._transport import rest as _rest
from langchain_mavera._transport import streams
from langchain_mavera._transport.deadline import Deadline, aslot, slot
from langchain_mavera._transport.error_mapping import error_from_stream_event, make_error, malformed_guard
from langchain_mavera._transport.sse import DONE
from langchain_mavera.errors import MaveraError, MaveraStreamInterruptedError

__all__ = [
    "MaveValidation",
    "ResearchPersona",
    "ResearchResult",
    "ResearchSource",
]

PATH = "/mave/chat"
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


class ResearchSource(_rest.Lenient):
    """One cited source; the chat reply documents title, url, domain, the rest may be absent."""

    title: str | None = None
    url: str | None = None
    domain: str | None = None
    snippet: str | None = None
    source_type: str | None = None
    """`web`, `news`, `seo` or `knowledge_base` per the guide."""
    id: str | None = None


class ResearchPersona(_rest.Lenient):
    """A persona Mave chose while planning."""

    id: str | None = None
    name: str | None = None
    category: str | None = None


class MaveValidation(_rest.Lenient):
    """Mave's reality check. The guides promise it; the reference schema omits it, so it may be absent."""

    confidence_score: float | None = None
    hallucination_risk: str | None = None
    unsupported_claims: list[Any] = Field(default_factory=list)


class ResearchResult(_rest.Lenient):
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


def request_body(
    message: object, thread_id: str | None, workspace_id: str | None, stream: bool
) -> dict[str, Any]:
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
    return f"{str(client.base_url).rstrip('/')}{PATH}"


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
            return _parsed(_rest.request(source.client, "post", PATH, body=body, timeout=deadline.left()))
        state = _StreamState(sink)
        with streams.open_stream(source.client, PATH, body, timeout, None, deadline.left()) as response:
            try:
                for event in streams.iter_events(response):
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
                source.async_client, "post", PATH, body=body, timeout=deadline.left()
            )
            return _parsed(reply)
        pending: list[tuple[str, dict[str, Any]]] = []
        state = _StreamState(lambda name, data: pending.append((name, data)))
        async with streams.aopen_stream(
            source.async_client, PATH, body, timeout, None, deadline.left()
        ) as response:
            try:
                async for event in streams.aiter_events(response):
                    state.feed(event.event, event.data, response)
                    while pending and sink is not None:
                        outcome = sink(*pending.pop(0))
                        if asyncio.iscoroutine(outcome):
                            await outcome
                    pending.clear()
            except MaveraError as exc:
                raise state.keep_partial(exc) from exc.__cause__
            return state.result(response)


def sync_sink(
    run_manager: CallbackManagerForToolRun | CallbackManagerForRetrieverRun | None,
) -> _EventSink | None:
    if run_manager is None:
        return None
    child = run_manager.get_child()
    return lambda name, data: child.on_custom_event(name, data, run_id=run_manager.run_id)


def async_sink(
    run_manager: AsyncCallbackManagerForToolRun | AsyncCallbackManagerForRetrieverRun | None,
) -> Callable[[str, dict[str, Any]], Any] | None:
    if run_manager is None:
        return None
    child = run_manager.get_child()
    return lambda name, data: child.on_custom_event(name, data, run_id=run_manager.run_id)
