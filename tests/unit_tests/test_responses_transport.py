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
from tests.fake_mavera import FakeMavera, sse, sse_events

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


STREAM = (
    {"type": "response.created", "response": {"id": "resp_1", "model": "mavera-1", "status": "in_progress"}},
    {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "Hi"},
    {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "!"},
    {"type": "response.completed", "response": {**REPLY}},
)


def _fake(*, done: bool = True, completed: bool = True) -> FakeMavera:
    """Answers REPLY, or streams STREAM (without its completion or [DONE] when told)."""
    stream = STREAM if completed else STREAM[:-1]

    def reply(request: httpx2.Request) -> httpx2.Response:
        if json.loads(request.content).get("stream"):
            return sse(sse_events(*stream, named=True, done=done))(request)
        return httpx2.Response(200, json=REPLY)

    return FakeMavera(reply)


def _model(fake: FakeMavera, **kwargs: Any) -> ChatMavera:
    return fake.model(api_key="mvra_test", base_url=BASE, use_responses_api=True, max_retries=0, **kwargs)


def test_the_flag_selects_the_wire_format() -> None:
    assert ChatMavera(api_key="k")._wire is CHAT_COMPLETIONS
    assert ChatMavera(api_key="k", use_responses_api=True)._wire is RESPONSES


def test_invoke_posts_to_responses() -> None:
    recorder = _fake()
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
    model = _model(_fake())
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
    model = _model(_fake())
    invoked = await model.ainvoke("Hello")
    total: Any = None
    async for chunk in model.astream("Hello"):
        total = chunk if total is None else total + chunk
    assert total.content == invoked.content
    assert total.response_metadata == invoked.response_metadata


def test_stream_without_done_sentinel_finishes() -> None:
    chunks = list(_model(_fake(done=False)).stream("Hello"))
    assert chunks[-1].response_metadata["finish_reason"] == "stop"


def test_stream_cut_before_completion_raises_with_partial() -> None:
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        list(_model(_fake(done=False, completed=False)).stream("Hello"))
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hi!"
