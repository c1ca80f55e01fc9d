"""A mock Mavera that answers "Answer from <persona_id>" on both transports, streamed or not.

Every request is kept, so a test can tell which persona was asked, on which
path, and whether a request was sent at all.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from langchain_mavera import ChatMavera

KEY = "mvra_test_unit_echo"
CREDITS = 2
USAGE = {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12, "credits_used": CREDITS}
RESPONSES_USAGE = {"input_tokens": 5, "output_tokens": 7, "total_tokens": 12, "credits_used": CREDITS}


def _sse(events: list[dict[str, Any]], *, named: bool) -> str:
    lines = [
        (f"event: {event['type']}\n" if named else "") + f"data: {json.dumps(event)}\n\n" for event in events
    ]
    return "".join(lines) + "data: [DONE]\n\n"


def _chat(text: str, stream: bool) -> httpx2.Response:
    if not stream:
        message = {"role": "assistant", "content": text}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        body = {"id": "chatcmpl_echo", "model": "mavera-1", "choices": [choice], "usage": USAGE}
        return httpx2.Response(200, json=body)
    events: list[dict[str, Any]] = [
        {"id": "chatcmpl_echo", "model": "mavera-1", "choices": [{"index": 0, "delta": {"content": text}}]},
        {
            "id": "chatcmpl_echo",
            "model": "mavera-1",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        },
        {"id": "chatcmpl_echo", "model": "mavera-1", "choices": [], "usage": USAGE},
    ]
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, text=_sse(events, named=False))


def _responses(text: str, stream: bool) -> httpx2.Response:
    content = [{"type": "output_text", "text": text}]
    reply = {
        "id": "resp_echo",
        "object": "response",
        "status": "completed",
        "model": "mavera-1",
        "output": [{"type": "message", "role": "assistant", "content": content}],
        "usage": RESPONSES_USAGE,
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
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, text=_sse(events, named=True))


class PersonaEcho:
    """MockTransport handler: answers as the persona the request names, and keeps the request."""

    def __init__(self, catalogue: dict[str, str] | None = None) -> None:
        self.requests: list[httpx2.Request] = []
        """Every POST (model call)."""
        self.lookups: list[httpx2.Request] = []
        """Every GET (persona catalogue)."""
        self.catalogue = catalogue or {}
        """Persona name -> id served by `GET /personas` (one page)."""

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.method != "POST":
            self.lookups.append(request)
            return self._personas()
        self.requests.append(request)
        body = json.loads(request.content)
        text = f"Answer from {body.get('persona_id', 'none')}"
        if request.url.path.endswith("/responses"):
            return _responses(text, bool(body.get("stream")))
        return _chat(text, bool(body.get("stream")))

    def _personas(self) -> httpx2.Response:
        data = [
            {"id": persona_id, "object": "persona", "name": name, "category": "Test", "description": name}
            for name, persona_id in self.catalogue.items()
        ]
        return httpx2.Response(200, json={"object": "list", "data": data, "has_more": False})

    async def handle_async(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self(request)

    def sync_client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    def async_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle_async))

    def model(self, **kwargs: Any) -> ChatMavera:
        settings: dict[str, Any] = {
            "api_key": KEY,
            "base_url": "https://app.mavera.io/api/v1",
            "max_retries": 0,
            "http_client": self.sync_client(),
            "http_async_client": self.async_client(),
        }
        return ChatMavera(**{**settings, **kwargs})
