"""Fault injection: a FIFO queue of misbehaviours for the next requests.

Tests push :class:`Fault` objects, then drive the client; the server asks the queue for a
fault once a request is authorised and routed, so auth and validation tests are never
disturbed by leftovers. Kinds:

- ``status``: answer ``status`` with the documented error JSON for it (``retry_after`` adds a
  ``Retry-After`` header, ``message``/``code`` override the defaults).
- ``close``: close the socket without sending any response.
- ``malformed``: 200 with ``body`` and ``content_type`` sent verbatim.
- ``bad_analysis``: the normal answer, but ``analysis`` replaced by ``analysis_value``.
- ``cut_stream``: send ``after_chunks`` SSE events, then drop the connection (no
  finish_reason, no ``[DONE]``); ``graceful=True`` ends the HTTP body cleanly instead.
- ``slow_stream``: send ``after_chunks`` events, sleep ``delay`` seconds, then go on.
- ``stream_error``: send ``after_chunks`` events, then ``data: {"error": {...}}``, then end.
- ``sse_comments``: put a ``: keep-alive`` comment before every event.

Stream kinds only match streaming requests (``"stream": true``) and stay queued otherwise, so
a test can push one before a non-streaming warm-up call.
"""

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias, get_args

from .wire import (
    Abort,
    ApiError,
    Comment,
    JsonReply,
    Pause,
    RawReply,
    Reply,
    StreamItem,
    StreamReply,
    rate_limit_message,
)

FaultKind: TypeAlias = Literal[
    "status", "close", "malformed", "bad_analysis", "cut_stream", "slow_stream", "stream_error",
    "sse_comments",
]  # fmt: skip
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
STREAM_KINDS = frozenset({"cut_stream", "slow_stream", "stream_error", "sse_comments"})


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
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {', '.join(FAULT_KINDS)}")
        if self.times < 1:
            raise ValueError("times must be >= 1")

    def matches(self, path: str, *, streaming: bool) -> bool:
        return self.path in ("*", path) and (streaming or self.kind not in STREAM_KINDS)


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
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        message = fault.message
        if fault.status == 429 and message is None and fault.retry_after is not None:
            message = rate_limit_message(fault.retry_after)
        raise ApiError(fault.status, message, code=fault.code, headers=headers)
    if fault.kind == "malformed":
        raw = fault.body.encode("utf-8") if isinstance(fault.body, str) else fault.body
        return RawReply(body=raw, content_type=fault.content_type)
    return None


def distort(reply: Reply, fault: Fault) -> Reply:
    """Apply a fault that bends an otherwise normal reply."""
    if fault.kind == "bad_analysis":
        if isinstance(reply, JsonReply) and isinstance(reply.body, dict):
            return replace(reply, body={**reply.body, "analysis": fault.analysis_value})
        if isinstance(reply, StreamReply):
            # Ride on the chunk that carries usage, where real analysis would be.
            items = [
                {**item, "analysis": fault.analysis_value}
                if isinstance(item, dict) and "usage" in item
                else item
                for item in reply.items
            ]
            return replace(reply, items=items)
    if isinstance(reply, StreamReply) and fault.kind in STREAM_KINDS:
        return replace(reply, items=list(_stream_fault(reply.items, fault)))
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
        sent += is_event
    if not interrupted:
        yield from _interruption(fault)


def _interruption(fault: Fault) -> Iterator[StreamItem]:
    if fault.kind == "slow_stream":
        yield Pause(fault.delay)
    elif fault.kind == "cut_stream" and not fault.graceful:
        yield Abort()
    elif fault.kind == "stream_error":
        yield {"error": fault.error or ApiError(500, fault.message, code=fault.code).body()["error"]}


def _first_finish_index(items: Sequence[StreamItem]) -> int:
    """How many events come before the one that finishes the stream."""
    position = 0
    for item in items:
        if isinstance(item, str):
            return position
        if isinstance(item, dict):
            kind = item.get("type")
            if isinstance(kind, str):  # a Responses or Mave event
                if kind in ("response.completed", "response.incomplete"):
                    return position
            elif not item.get("choices") or any(c.get("finish_reason") for c in item["choices"]):
                return position
            position += 1
    return position
