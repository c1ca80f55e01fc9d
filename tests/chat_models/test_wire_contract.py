"""The contract both wire formats keep: the same LangChain message from a reply or a stream.

Each test runs on chat completions and on the Responses API: the bodies differ,
what a user gets (content, tool calls, usage, credits, analysis, rate limits,
stream aggregation and interruption) does not. Format-only details (request
shapes, event variants) stay in test_chat_completions.py and test_responses_wire.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_mavera import ChatMavera
from langchain_mavera.chat_models._chat_completions import CHAT_COMPLETIONS
from langchain_mavera.chat_models._responses import RESPONSES
from langchain_mavera.errors import MaveraStreamInterruptedError
from tests.fake_mavera import FakeMavera, sse, sse_events

HEADERS = {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "41", "x-ratelimit-reset": "1767225660"}
RATE_LIMIT = {"limit": 60, "remaining": 41, "reset": 1767225660}
ANALYSIS = {
    "confidence": 8,
    "emotion": {"emotional_valence": 7.5, "arousal": 5.0, "dominance": 6.0},
    "biases": [{"name": "Bandwagon effect", "description": "..."}],
    "insights": ["Refills must be convenient."],
}
CALLS = [("call_1", "add", '{"a": 1, "b": 2}'), ("call_2", "add", "{not json")]


@dataclass(frozen=True)
class Format:
    """How one wire format spells a reply and a stream."""

    name: str
    wire: Any
    path: str

    def usage(self, credits: int = 2) -> dict[str, Any]:
        tokens = (
            ("prompt_tokens", "completion_tokens")
            if self.name == "chat"
            else ("input_tokens", "output_tokens")
        )
        return {tokens[0]: 12, tokens[1]: 6, "total_tokens": 18, "credits_used": credits}

    def reply(
        self, text: str | None = "Love it.", *, usage: dict[str, Any] | None = None, tool_calls: bool = False
    ) -> dict[str, Any]:
        extra = {"usage": self.usage() if usage is None else usage}
        if self.name == "chat":
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if tool_calls:
                message["tool_calls"] = [
                    {"id": i, "type": "function", "function": {"name": n, "arguments": a}}
                    for i, n, a in CALLS
                ]
            finish = "tool_calls" if tool_calls else "stop"
            choice = {"index": 0, "message": message, "finish_reason": finish}
            return {
                "id": "reply_1",
                "object": "chat.completion",
                "model": "mavera-1",
                "choices": [choice],
                **extra,
            }
        calls = [
            {
                "type": "function_call",
                "id": f"fc_{i}",
                "call_id": i,
                "name": n,
                "arguments": a,
                "status": "completed",
            }
            for i, n, a in CALLS
        ]
        content = [{"type": "output_text", "text": text}]
        message_item = {"type": "message", "role": "assistant", "content": content}
        output = calls if tool_calls else [message_item]
        head = {"id": "reply_1", "object": "response", "status": "completed", "model": "mavera-1"}
        return {**head, "output": output, **extra}

    def stream(self, pieces: list[str], *, finished: bool = True, done: bool = True) -> list[str]:
        """SSE lines streaming `pieces`; `finished=False` cuts the stream before its ending."""
        if self.name == "chat":
            head: dict[str, Any] = {"id": "reply_1", "model": "mavera-1"}
            deltas = [{**head, "choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
            ending: list[dict[str, Any]] = [
                {**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                {**head, "choices": [], "usage": self.usage()},
            ]
            return sse_events(*deltas, *(ending if finished else []), done=done and finished)
        created = {"id": "reply_1", "model": "mavera-1", "status": "in_progress"}
        events: list[dict[str, Any]] = [{"type": "response.created", "response": created}]
        events += [
            {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": p}
            for p in pieces
        ]
        if finished:
            events.append({"type": "response.completed", "response": self.reply("".join(pieces))})
        return sse_events(*events, named=True, done=done and finished)

    def parse(self, body: dict[str, Any], persona_id: str | None) -> AIMessage:
        request = httpx2.Request("POST", f"https://app.mavera.io/api/v1{self.path}")
        response = httpx2.Response(200, headers=HEADERS, json=body, request=request)
        message = self.wire.parse_response(body, response, persona_id).generations[0].message
        assert isinstance(message, AIMessage)
        return message

    def model(self, fake: FakeMavera) -> ChatMavera:
        return fake.model(persona_id="p1", max_retries=0, use_responses_api=self.name == "responses")


CHAT = Format("chat", CHAT_COMPLETIONS, "/chat/completions")
RESPONSES_API = Format("responses", RESPONSES, "/responses")


@pytest.fixture(params=[CHAT, RESPONSES_API], ids=["chat_completions", "responses"])
def fmt(request: pytest.FixtureRequest) -> Format:
    return request.param  # type: ignore[no-any-return]


# -- a whole reply ---------------------------------------------------------------------------------


def test_reply_carries_the_metadata_contract(fmt: Format) -> None:
    body = {**fmt.reply(), "analysis": ANALYSIS}
    message = fmt.parse(body, "p1")
    assert message.content == "Love it."
    assert message.id == "reply_1"
    # One key set for both formats: a key one of them adds or drops fails here.
    assert message.response_metadata == {
        "model_provider": "mavera",
        "model_name": "mavera-1",
        "id": "reply_1",
        "finish_reason": "stop",
        "persona_id": "p1",
        "token_usage": fmt.usage(),
        "credits_used": 2,
        "analysis": ANALYSIS,
        "rate_limit": RATE_LIMIT,
    }
    assert message.usage_metadata == {"input_tokens": 12, "output_tokens": 6, "total_tokens": 18}


def test_credits_only_usage_gives_no_usage_metadata(fmt: Format) -> None:
    message = fmt.parse(fmt.reply(usage={"credits_used": 3}), None)
    assert message.usage_metadata is None
    assert message.response_metadata["credits_used"] == 3
    assert "persona_id" not in message.response_metadata
    assert "analysis" not in message.response_metadata


def test_tool_calls_valid_and_invalid(fmt: Format) -> None:
    message = fmt.parse(fmt.reply(None, tool_calls=True), None)
    assert message.tool_calls == [
        {"name": "add", "args": {"a": 1, "b": 2}, "id": "call_1", "type": "tool_call"}
    ]
    assert [call["id"] for call in message.invalid_tool_calls] == ["call_2"]
    assert message.content == ""
    assert message.response_metadata["finish_reason"] == "tool_calls"


# -- through ChatMavera: invoke and stream ---------------------------------------------------------


def _fake(fmt: Format, **stream_options: bool) -> FakeMavera:
    """Answers "Hi!" whole, or streamed as "Hi" + "!" (cut or without [DONE] when told)."""

    def reply(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith(fmt.path)
        if json.loads(request.content).get("stream"):
            return sse(fmt.stream(["Hi", "!"], **stream_options))(request)
        return httpx2.Response(200, json=fmt.reply("Hi!"))

    return FakeMavera(reply)


def test_stream_aggregate_equals_invoke(fmt: Format) -> None:
    model = fmt.model(_fake(fmt))
    invoked = model.invoke("Hello")
    chunks = list(model.stream("Hello"))
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    assert [chunk.content for chunk in chunks if chunk.content] == ["Hi", "!"]
    assert total.content == invoked.content == "Hi!"
    assert total.response_metadata == invoked.response_metadata
    assert total.usage_metadata == invoked.usage_metadata
    assert [chunk.chunk_position for chunk in chunks].count("last") == 1
    assert sum(1 for chunk in chunks if chunk.usage_metadata) == 1


async def test_astream_aggregate_equals_ainvoke(fmt: Format) -> None:
    model = fmt.model(_fake(fmt))
    invoked = await model.ainvoke("Hello")
    total: Any = None
    async for chunk in model.astream("Hello"):
        total = chunk if total is None else total + chunk
    assert total.content == invoked.content == "Hi!"
    assert total.response_metadata == invoked.response_metadata
    assert total.usage_metadata == invoked.usage_metadata


def test_stream_without_done_sentinel_finishes(fmt: Format) -> None:
    chunks = list(fmt.model(_fake(fmt, done=False)).stream("Hello"))
    assert "".join(str(chunk.content) for chunk in chunks) == "Hi!"
    assert chunks[-1].response_metadata["finish_reason"] == "stop"


def test_stream_cut_before_completion_raises_with_partial(fmt: Format) -> None:
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        list(fmt.model(_fake(fmt, finished=False)).stream("Hello"))
    assert caught.value.partial is not None
    assert caught.value.partial.content == "Hi!"
