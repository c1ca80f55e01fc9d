"""A recording httpx2 transport that answers with canned chat-completion replies."""

from __future__ import annotations

import json
from typing import Any

import httpx2

from langchain_mavera import ChatMavera


class Recorder:
    """Collects request bodies and answers each with the next canned reply."""

    def __init__(self, *replies: dict[str, Any]) -> None:
        self.bodies: list[dict[str, Any]] = []
        self._replies = list(replies)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(json.loads(request.content))
        reply = self._replies.pop(0) if self._replies else completion("ok")
        return httpx2.Response(200, json=reply)

    def model(self, **kwargs: Any) -> ChatMavera:
        client = httpx2.Client(transport=httpx2.MockTransport(self))
        return ChatMavera(api_key="mvra_test_unit", http_client=client, max_retries=0, **kwargs)


def completion(content: str | None, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    finish = "tool_calls" if tool_calls else "stop"
    return {
        "id": "chatcmpl-unit",
        "object": "chat.completion",
        "model": "mavera-1",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
    }


def tool_call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
