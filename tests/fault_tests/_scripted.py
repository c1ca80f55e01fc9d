"""A scripted Mavera stand-in on `httpx2.MockTransport`, for tests that need no socket.

Each request pops the next scripted reply (the last one repeats), and every
request is recorded, so a test can count attempts and inspect what was sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2

from langchain_mavera import ChatMavera

API_KEY = "mvra_live_SECRET_decafbad_0123456789"
BASE_URL = "https://app.mavera.io/api/v1"

Reply = Callable[[httpx2.Request], httpx2.Response]


def completion(content: str = "Hello from the persona.") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "mavera-1",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "credits_used": 1},
    }


def ok(body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    return lambda request: httpx2.Response(200, json=completion() if body is None else body, headers=headers)


def status(code: int, error_code: str, message: str, **headers: str) -> Reply:
    body = {"error": {"message": message, "type": "error", "code": error_code}}
    return lambda request: httpx2.Response(code, json=body, headers=headers)


def raw(code: int, text: str, content_type: str = "text/html") -> Reply:
    return lambda request: httpx2.Response(code, text=text, headers={"content-type": content_type})


def stream_chunks(pieces: list[str], *, finish: bool = True) -> list[str]:
    """SSE `data:` lines for a streamed answer; `finish=False` leaves out the ending."""
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


@dataclass
class Scripted:
    """The replies to serve in order, and the requests received."""

    replies: list[Reply]
    requests: list[httpx2.Request] = field(default_factory=list)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        return reply(request)

    async def ahandle(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self.handle(request)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]

    def model(self, **kwargs: Any) -> ChatMavera:
        """A ChatMavera whose sync and async clients both talk to this script."""
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("base_url", BASE_URL)
        return ChatMavera(
            http_client=httpx2.Client(transport=httpx2.MockTransport(self.handle)),
            http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(self.ahandle)),
            **kwargs,
        )


def scripted(*replies: Reply) -> Scripted:
    return Scripted(list(replies))
