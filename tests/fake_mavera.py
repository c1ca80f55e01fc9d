"""An in-process Mavera on `httpx2.MockTransport`: the one fake transport of the unit tests.

`FakeMavera(*replies)` answers each model call (POST) with the next scripted
reply; after the last, the last one repeats. A reply is a response body (served
as 200 JSON) or a function of the request (see `ok`, `status`, `raw`, `sse`).
With no replies it echoes: "Answer from <persona_id>" on whichever wire format
the path names (chat completions or Responses), streamed word by word when the
request asks to stream. `GET`s (the persona catalogue) are answered from
`catalogue` when one is given, and recorded apart in `lookups`. Every request is
kept, so a test can count attempts and inspect exactly what was sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx2

from langchain_mavera import ChatMavera

API_KEY = "mvra_live_SECRET_decafbad_0123456789"
BASE_URL = "https://app.mavera.io/api/v1"
CREDITS = 2
"""The credits the echo reports for every answer."""

Reply = Callable[[httpx2.Request], httpx2.Response]

_ECHO_USAGE = {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12, "credits_used": CREDITS}
_ECHO_RESPONSES_USAGE = {"input_tokens": 5, "output_tokens": 7, "total_tokens": 12, "credits_used": CREDITS}


# --- reply bodies ---------------------------------------------------------------------------------


def completion(
    content: str | None = "Hello from the persona.", tool_calls: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A chat completion body; with `tool_calls` it finishes with `tool_calls`."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "mavera-1",
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12, "credits_used": 1},
    }


def tool_call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def stream_chunks(pieces: list[str], *, finish: bool = True) -> list[str]:
    """SSE `data:` lines for a streamed chat answer; `finish=False` leaves out the ending."""
    events = [
        {"id": "chatcmpl-1", "model": "mavera-1", "choices": [{"index": 0, "delta": {"content": piece}}]}
        for piece in pieces
    ]
    lines = [f"data: {json.dumps(event)}\n\n" for event in events]
    if finish:
        last = {
            "id": "chatcmpl-1",
            "model": "mavera-1",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        lines += [f"data: {json.dumps(last)}\n\n", "data: [DONE]\n\n"]
    return lines


def sse_events(*events: dict[str, Any], named: bool = False, done: bool = True) -> list[str]:
    """SSE lines for whole events; `named` adds the `event:` line the Responses API sends."""
    lines = [(f"event: {e['type']}\n" if named else "") + f"data: {json.dumps(e)}\n\n" for e in events]
    return lines + (["data: [DONE]\n\n"] if done else [])


# --- replies --------------------------------------------------------------------------------------


def ok(body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    return lambda request: httpx2.Response(200, json=completion() if body is None else body, headers=headers)


def status(code: int, error_code: str, message: str, **headers: str) -> Reply:
    body = {"error": {"message": message, "type": "error", "code": error_code}}
    return lambda request: httpx2.Response(code, json=body, headers=headers)


def raw(code: int, text: str, content_type: str = "text/html") -> Reply:
    return lambda request: httpx2.Response(code, text=text, headers={"content-type": content_type})


class _Body(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A streamed body that can fail part-way, like a dropped connection."""

    def __init__(self, lines: list[str], error: Exception | None) -> None:
        self._lines = lines
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        for line in self._lines:
            yield line.encode()
        if self._error is not None:
            raise self._error

    async def __aiter__(self) -> Any:
        for line in self._lines:
            yield line.encode()
        if self._error is not None:
            raise self._error


def sse(lines: list[str], error: Exception | None = None) -> Reply:
    return lambda request: httpx2.Response(
        200, headers={"content-type": "text/event-stream"}, stream=_Body(lines, error)
    )


def echo(request: httpx2.Request) -> httpx2.Response:
    """Answers "Answer from <persona_id>" on the request's wire format, streamed when asked."""
    body = json.loads(request.content)
    text = f"Answer from {body.get('persona_id', 'none')}"
    stream = bool(body.get("stream"))
    if request.url.path.endswith("/responses"):
        return _echo_responses(text, stream)
    if not stream:
        choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        reply = {"id": "chatcmpl_echo", "model": "mavera-1", "choices": [choice], "usage": _ECHO_USAGE}
        return httpx2.Response(200, json=reply)
    deltas: list[dict[str, Any]] = [
        {"id": "chatcmpl_echo", "model": "mavera-1", "choices": [{"index": 0, "delta": {"content": word}}]}
        for word in re.findall(r"\s*\S+", text)
    ]
    ending: list[dict[str, Any]] = [
        {
            "id": "chatcmpl_echo",
            "model": "mavera-1",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        },
        {"id": "chatcmpl_echo", "model": "mavera-1", "choices": [], "usage": _ECHO_USAGE},
    ]
    return sse(sse_events(*deltas, *ending))(request)


def _echo_responses(text: str, stream: bool) -> httpx2.Response:
    reply = {
        "id": "resp_echo",
        "object": "response",
        "status": "completed",
        "model": "mavera-1",
        "output": [
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}
        ],
        "usage": _ECHO_RESPONSES_USAGE,
    }
    if not stream:
        return httpx2.Response(200, json=reply)
    events: list[dict[str, Any]] = [
        {
            "type": "response.created",
            "response": {"id": "resp_echo", "model": "mavera-1", "status": "in_progress"},
        },
        {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": text},
        {"type": "response.completed", "response": reply},
    ]
    lines = sse_events(*events, named=True)
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, text="".join(lines))


# --- the fake -------------------------------------------------------------------------------------


class FakeMavera:
    """The scripted replies to serve in order, and every request received."""

    def __init__(self, *replies: Reply | dict[str, Any], catalogue: dict[str, str] | None = None) -> None:
        self.replies: list[Reply] = [_as_reply(reply) for reply in replies] or [echo]
        self.catalogue = catalogue if catalogue is not None or replies else {}
        """Persona name -> id served by `GET /personas` (one page); None sends GETs to the script."""
        self.requests: list[httpx2.Request] = []
        """Every request the script answered (every model call)."""
        self.lookups: list[httpx2.Request] = []
        """Every GET the catalogue answered."""

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]

    def _next(self, request: httpx2.Request) -> Reply | httpx2.Response:
        if self.catalogue is not None and request.method == "GET":
            self.lookups.append(request)
            return self._personas()
        self.requests.append(request)
        return self.replies[min(len(self.requests), len(self.replies)) - 1]

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        reply = self._next(request)
        if isinstance(reply, httpx2.Response):
            return reply
        return reply(request)

    async def ahandle(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        reply = self._next(request)
        if isinstance(reply, httpx2.Response):
            return reply
        # A reply object may answer the async client itself, so a pause there lets other tasks run.
        areply = getattr(reply, "areply", None)
        return await areply(request) if areply is not None else reply(request)

    def _personas(self) -> httpx2.Response:
        data = [
            {"id": persona_id, "object": "persona", "name": name, "category": "Test", "description": name}
            for name, persona_id in (self.catalogue or {}).items()
        ]
        return httpx2.Response(200, json={"object": "list", "data": data, "has_more": False})

    def sync_client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self.handle))

    def async_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.ahandle))

    def model(self, **kwargs: Any) -> ChatMavera:
        """A ChatMavera whose sync and async clients both talk to this fake."""
        settings: dict[str, Any] = {
            "api_key": API_KEY,
            "base_url": BASE_URL,
            "http_client": self.sync_client(),
            "http_async_client": self.async_client(),
        }
        return ChatMavera(**{**settings, **kwargs})


def _as_reply(reply: Reply | dict[str, Any]) -> Reply:
    return ok(reply) if isinstance(reply, dict) else reply
