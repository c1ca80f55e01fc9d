"""`ChatMavera(use_responses_api=True)` end to end over a mock HTTP transport."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from langchain_core.messages import AIMessageChunk

from langchain_mavera import ChatMavera
from langchain_mavera._chat_completions import CHAT_COMPLETIONS
from langchain_mavera._responses import RESPONSES
from langchain_mavera.errors import MaveraStreamInterruptedError

BASE = "https://app.mavera.io/api/v1"
USAGE = {"input_tokens": 4, "output_tokens": 2, "total_tokens": 6, "credits_used": 1}
REPLY = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "model": "mavera-1",
    "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi!"}]}],
    "usage": USAGE,
}


def _sse(*payloads: dict[str, Any], done: bool = True) -> bytes:
    lines = [f"event: {p['type']}\ndata: {json.dumps(p)}\n\n" for p in payloads]
    return ("".join(lines) + ("data: [DONE]\n\n" if done else "")).encode()


STREAM = (
    {"type": "response.created", "response": {"id": "resp_1", "model": "mavera-1", "status": "in_progress"}},
    {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "Hi"},
    {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "!"},
    {"type": "response.completed", "response": {**REPLY}},
)


class Recorder:
    def __init__(self, *, done: bool = True, completed: bool = True) -> None:
        self.requests: list[httpx2.Request] = []
        self.stream = STREAM if completed else STREAM[:-1]
        self.done = done

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if json.loads(request.content).get("stream"):
            return httpx2.Response(
                200, content=_sse(*self.stream, done=self.done), headers={"content-type": "text/event-stream"}
            )
        return httpx2.Response(200, json=REPLY)

    async def handle_async(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self(request)


def _model(recorder: Recorder, **kwargs: Any) -> ChatMavera:
    return ChatMavera(
        api_key="mvra_test",
        base_url=BASE,
        use_responses_api=True,
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)),
        http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(recorder.handle_async)),
        **kwargs,
    )


def test_the_flag_selects_the_wire_format() -> None:
    assert ChatMavera(api_key="k")._wire is CHAT_COMPLETIONS
    assert ChatMavera(api_key="k", use_responses_api=True)._wire is RESPONSES


def test_invoke_posts_to_responses() -> None:
    recorder = Recorder()
    message = _model(recorder, persona_id="p1", max_tokens=9).invoke("Hello")
    request = recorder.requests[0]
    assert request.url.path == "/api/v1/responses"
    body = json.loads(request.content)
    text = {"type": "input_text", "text": "Hello"}
    assert body["input"] == [{"type": "message", "role": "user", "content": [text]}]
    assert body["persona_id"] == "p1"
    assert body["max_output_tokens"] == 9
    assert message.content == "Hi!"
    assert message.response_metadata["credits_used"] == 1


def test_stream_aggregate_equals_invoke() -> None:
    model = _model(Recorder())
    invoked = model.invoke("Hello")
    chunks = list(model.stream("Hello"))
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    assert total.content == invoked.content
    assert total.response_metadata == invoked.response_metadata
    assert total.usage_metadata == invoked.usage_metadata
    assert [chunk.chunk_position for chunk in chunks].count("last") == 1


async def test_astream_aggregate_equals_ainvoke() -> None:
    model = _model(Recorder())
    invoked = await model.ainvoke("Hello")
    total: Any = None
    async for chunk in model.astream("Hello"):
        total = chunk if total is None else total + chunk
    assert total.content == invoked.content
    assert total.response_metadata == invoked.response_metadata


def test_stream_without_done_sentinel_finishes() -> None:
    chunks = list(_model(Recorder(done=False)).stream("Hello"))
    assert chunks[-1].response_metadata["finish_reason"] == "stop"


def test_stream_cut_before_completion_raises_with_partial() -> None:
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        list(_model(Recorder(done=False, completed=False)).stream("Hello"))
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hi!"
