"""Fault injection: a FIFO queue of misbehaviours for the next requests.

The offline fault suite pushes :class:`Fault` objects and then drives the
client; the server asks the queue for a fault once a request is authorised
and routed, so auth and validation tests are never disturbed by leftovers.

Kinds:

- ``status``: answer ``status`` with the documented error JSON for it
  (``retry_after`` adds a ``Retry-After`` header, ``message``/``code``
  override the defaults).
- ``close``: close the socket without sending any response.
- ``malformed``: 200 with ``body`` and ``content_type`` sent verbatim.
- ``bad_analysis``: the normal answer, but ``analysis`` replaced by
  ``analysis_value`` (a string by default), streaming or not.
- ``cut_stream``: send ``after_chunks`` SSE events, then drop the connection
  (no finish_reason, no ``[DONE]``). ``graceful=True`` ends the HTTP body
  cleanly instead, modelling a server that simply stops talking.
- ``slow_stream``: send ``after_chunks`` events, sleep ``delay`` seconds,
  then continue normally.
- ``stream_error``: send ``after_chunks`` events, then
  ``data: {"error": {...}}``, then end the stream.
- ``sse_comments``: put a ``: keep-alive`` comment before every event.

Stream kinds only match streaming requests (``"stream": true``) and stay
queued otherwise, so a test can push one before a non-streaming warm-up call.
"""

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias, get_args

from .errors import ApiError, rate_limit_message
from .wire import (
    Abort,
    Comment,
    JsonReply,
    Pause,
    RawReply,
    Reply,
    StreamItem,
    StreamReply,
)

FaultKind: TypeAlias = Literal[
    "status",
    "close",
    "malformed",
    "bad_analysis",
    "cut_stream",
    "slow_stream",
    "stream_error",
    "sse_comments",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
STREAM_KINDS = frozenset({"cut_stream", "slow_stream", "stream_error", "sse_comments"})
ANY_PATH = "*"


@dataclass
class Fault:
    kind: FaultKind
    path: str = "/chat/completions"  # relative to /api/v1; "*" matches all
    times: int = 1
    status: int = 500
    retry_after: int | None = None
    message: str | None = None
    code: str | None = None
    after_chunks: int = 3
    delay: float = 1.0
    graceful: bool = False
    error: dict[str, Any] | None = None
    body: str | bytes = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    content_type: str = "text/html"
    analysis_value: Any = "analysis unavailable"
    comment: str = "keep-alive"
    _used: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            known = ", ".join(FAULT_KINDS)
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {known}")
        if self.times < 1:
            raise ValueError("times must be >= 1")

    @property
    def streaming_only(self) -> bool:
        return self.kind in STREAM_KINDS

    def matches(self, path: str, *, streaming: bool) -> bool:
        if self.path not in (ANY_PATH, path):
            return False
        return streaming or not self.streaming_only


class FaultQueue:
    """Thread-safe FIFO; a fault with ``times=n`` serves n matching requests."""

    def __init__(self) -> None:
        self._items: list[Fault] = []
        self._lock = threading.Lock()

    def push(self, fault: Fault) -> Fault:
        with self._lock:
            self._items.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._items)

    def take(self, path: str, *, streaming: bool) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._items):
                if fault.matches(path, streaming=streaming):
                    fault._used += 1
                    if fault._used >= fault.times:
                        del self._items[index]
                    return fault
        return None


def immediate_reply(fault: Fault) -> Reply | None:
    """The reply for faults that replace the handler entirely."""
    if fault.kind == "status":
        raise _status_error(fault)
    if fault.kind == "malformed":
        body = fault.body
        raw = body.encode("utf-8") if isinstance(body, str) else body
        return RawReply(body=raw, content_type=fault.content_type)
    return None


def _status_error(fault: Fault) -> ApiError:
    headers: dict[str, str] = {}
    message = fault.message
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
        if fault.status == 429 and message is None:
            message = rate_limit_message(fault.retry_after)
    return ApiError(fault.status, message, code=fault.code, headers=headers)


def distort(reply: Reply, fault: Fault) -> Reply:
    """Apply a fault that bends an otherwise normal reply."""
    if fault.kind == "bad_analysis":
        return _bad_analysis(reply, fault.analysis_value)
    if isinstance(reply, StreamReply) and fault.kind in STREAM_KINDS:
        items = list(_stream_fault(reply.items, fault))
        return replace(reply, items=items)
    return reply


def _bad_analysis(reply: Reply, value: Any) -> Reply:
    if isinstance(reply, JsonReply) and isinstance(reply.body, dict):
        return replace(reply, body={**reply.body, "analysis": value})
    if isinstance(reply, StreamReply):
        items = list(reply.items)
        # Ride on the chunk that carries usage, where real analysis would be.
        for index, item in enumerate(items):
            if isinstance(item, dict) and "usage" in item:
                items[index] = {**item, "analysis": value}
        return replace(reply, items=items)
    return reply


def _stream_fault(items: Sequence[StreamItem], fault: Fault) -> Iterator[StreamItem]:
    if fault.kind == "sse_comments":
        for item in items:
            if isinstance(item, dict | str):
                yield Comment(fault.comment)
            yield item
        return
    limit = max(0, fault.after_chunks)
    if fault.kind in ("cut_stream", "stream_error"):
        # Never let the finish chunk through: the point is an unfinished stream.
        limit = min(limit, _first_finish_index(items))
    sent = 0
    interrupted = False
    for item in items:
        is_event = isinstance(item, dict | str)
        if is_event and not interrupted and sent == limit:
            interrupted = True
            yield from _interruption(fault)
            if fault.kind != "slow_stream":
                return
        yield item
        if is_event:
            sent += 1
    if not interrupted:
        yield from _interruption(fault)


def _interruption(fault: Fault) -> Iterator[StreamItem]:
    if fault.kind == "slow_stream":
        yield Pause(fault.delay)
    elif fault.kind == "cut_stream":
        if not fault.graceful:
            yield Abort()
    elif fault.kind == "stream_error":
        default = ApiError(500, fault.message, code=fault.code).body()["error"]
        yield {"error": fault.error or default}


def _first_finish_index(items: Sequence[StreamItem]) -> int:
    position = 0
    for item in items:
        if isinstance(item, str):
            return position
        if isinstance(item, dict):
            choices = item.get("choices") or []
            if any(choice.get("finish_reason") for choice in choices) or not choices:
                return position
            position += 1
    return position
