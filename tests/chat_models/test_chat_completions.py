"""Chat-completions replies and stream chunks to LangChain messages."""

from __future__ import annotations

import json
import operator
import warnings
from functools import reduce
from typing import Any

import httpx2
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_mavera._transport.sse import ServerSentEvent
from langchain_mavera.chat_models._chat_completions import CHAT_COMPLETIONS
from langchain_mavera.errors import MaveraAPIError, MaveraRateLimitError

ANALYSIS = {
    "confidence": 8,
    "emotion": {"emotional_valence": 7.5, "arousal": 5.0, "dominance": 6.0},
    "biases": [{"name": "Bandwagon effect", "description": "..."}],
    "insights": ["Refills must be convenient."],
}
USAGE = {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18, "credits_used": 2}
HEADERS = {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "41", "x-ratelimit-reset": "1767225660"}


def _response(body: str = "") -> httpx2.Response:
    request = httpx2.Request("POST", "https://app.mavera.io/api/v1/chat/completions")
    return httpx2.Response(200, headers=HEADERS, text=body, request=request)


def _completion(**extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl_abc",
        "object": "chat.completion",
        "model": "mavera-1",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Love it."}, "finish_reason": "stop"}
        ],
        "usage": USAGE,
        **extra,
    }


def _chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> ServerSentEvent:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    payload = {
        "id": "chatcmpl_abc",
        "object": "chat.completion.chunk",
        "model": "mavera-1",
        "choices": choices,
    }
    return ServerSentEvent(None, json.dumps({**payload, **extra}))


def _stream(
    events: list[ServerSentEvent], persona_id: str | None = "p1"
) -> tuple[list[AIMessageChunk], bool]:
    parser = CHAT_COMPLETIONS.stream_parser(_response(), persona_id)
    chunks = [chunk.message for event in events if (chunk := parser.feed(event)) is not None]
    complete = parser.complete
    chunks.append(parser.final_chunk().message)
    return [c for c in chunks if isinstance(c, AIMessageChunk)], complete


def test_payload_sends_mavera_fields_only_when_set() -> None:
    bare = CHAT_COMPLETIONS.build_payload([HumanMessage("hi")], {"model": "mavera-1"}, stream=False)
    assert bare == {"model": "mavera-1", "messages": [{"role": "user", "content": "hi"}]}
    full = CHAT_COMPLETIONS.build_payload(
        [HumanMessage("hi")],
        {
            "model": "mavera-1",
            "persona_id": "p1",
            "analysis_mode": True,
            "reasoning_effort": "high",
            "verbosity": "low",
            "temperature": 0,
            "max_tokens": 5,
            "stop": ["\n"],
            "extra_body": {"mosaic_mode": True},
        },
        stream=True,
    )
    assert full == {
        "mosaic_mode": True,
        "model": "mavera-1",
        "messages": [{"role": "user", "content": "hi"}],
        "persona_id": "p1",
        "analysis_mode": True,
        "reasoning_effort": "high",
        "verbosity": "low",
        "temperature": 0,
        "max_tokens": 5,
        "stop": ["\n"],
        "stream": True,
    }


def test_explicit_fields_win_over_extra_body() -> None:
    payload = CHAT_COMPLETIONS.build_payload(
        [HumanMessage("hi")],
        {"model": "mavera-1", "persona_id": "p1", "extra_body": {"persona_id": "p0"}},
        stream=False,
    )
    assert payload["persona_id"] == "p1"


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ({"object": "chat.completion"}, "no choices"),
        ({"choices": []}, "no choices"),
        ({"choices": [{}]}, "no message"),
    ],
)
def test_malformed_replies_raise_api_errors(body: dict[str, Any], what: str) -> None:
    with pytest.raises(MaveraAPIError, match=what):
        CHAT_COMPLETIONS.parse_response(body, _response(json.dumps(body)), None)


def test_error_object_in_a_200_reply_is_typed() -> None:
    body = {"error": {"message": "Slow down", "type": "rate_limit_error", "code": "rate_limit_exceeded"}}
    with pytest.raises(MaveraRateLimitError, match="Slow down"):
        CHAT_COMPLETIONS.parse_response(body, _response(json.dumps(body)), None)


def test_analysis_of_wrong_shape_warns_and_is_kept() -> None:
    with pytest.warns(UserWarning, match="analysis of type str"):
        result = CHAT_COMPLETIONS.parse_response(_completion(analysis="n/a"), _response(), None)
    assert result.generations[0].message.response_metadata["analysis"] == "n/a"


def _content_events() -> list[ServerSentEvent]:
    return [
        _chunk({"role": "assistant", "content": ""}),
        _chunk({"content": "Love"}),
        _chunk({"content": " it."}),
    ]


@pytest.mark.parametrize(
    "tail",
    [
        pytest.param([_chunk({}, "stop", usage=USAGE, analysis=ANALYSIS)], id="on-finish-chunk"),
        pytest.param([_chunk({}, "stop"), _chunk(None, usage=USAGE, analysis=ANALYSIS)], id="trailing-chunk"),
        pytest.param(
            [_chunk({"content": ""}, "stop", analysis=ANALYSIS), _chunk(None, usage=USAGE)],
            id="split-across-chunks",
        ),
    ],
)
def test_stream_aggregate_equals_invoke(tail: list[ServerSentEvent]) -> None:
    chunks, complete = _stream([*_content_events(), *tail, ServerSentEvent(None, "[DONE]")])
    assert complete
    invoked = (
        CHAT_COMPLETIONS.parse_response(_completion(analysis=ANALYSIS), _response(), "p1")
        .generations[0]
        .message
    )
    assert isinstance(invoked, AIMessage)
    streamed = reduce(operator.add, chunks)
    assert streamed.content == invoked.content
    assert streamed.response_metadata == invoked.response_metadata
    assert streamed.usage_metadata == invoked.usage_metadata
    assert chunks[-1].chunk_position == "last"
    assert sum(1 for chunk in chunks if chunk.usage_metadata) == 1
    assert sum(1 for chunk in chunks if "analysis" in chunk.response_metadata) == 1


def test_role_only_first_delta_is_not_a_chunk() -> None:
    chunks, _ = _stream([_chunk({"role": "assistant", "content": ""})])
    assert [chunk.content for chunk in chunks] == [""]  # only the closing chunk


def test_stream_without_finish_or_done_is_incomplete() -> None:
    _, complete = _stream(_content_events())
    assert not complete


def test_stream_tool_call_chunks_aggregate_to_tool_calls() -> None:
    events = [
        _chunk(
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": ""},
                    }
                ],
            }
        ),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Mü'}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'nchen"}'}}]}),
        _chunk({}, "tool_calls"),
        ServerSentEvent(None, "[DONE]"),
    ]
    streamed = reduce(operator.add, _stream(events)[0])
    assert streamed.tool_calls == [
        {"name": "lookup", "args": {"city": "München"}, "id": "call_1", "type": "tool_call"}
    ]
    assert streamed.response_metadata["finish_reason"] == "tool_calls"


def test_error_object_inside_a_stream_is_typed() -> None:
    parser = CHAT_COMPLETIONS.stream_parser(_response(), None)
    event = ServerSentEvent(None, json.dumps({"error": {"message": "budget hit", "code": "budget_exceeded"}}))
    with pytest.raises(Exception, match="budget hit") as caught:
        parser.feed(event)
    assert type(caught.value).__name__ == "MaveraInsufficientCreditsError"


def test_non_json_chunk_is_a_malformed_reply() -> None:
    parser = CHAT_COMPLETIONS.stream_parser(_response(), None)
    with pytest.raises(MaveraAPIError, match="not JSON") as caught:
        parser.feed(ServerSentEvent(None, "<html>oops</html>"))
    assert caught.value.raw_text == "<html>oops</html>"


def test_no_warning_for_well_formed_stream() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _stream([*_content_events(), _chunk({}, "stop", usage=USAGE, analysis=ANALYSIS)])
