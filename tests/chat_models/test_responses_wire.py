"""The Responses wire format on hand-built bodies and events: no network, no emulator."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_mavera import ChatMavera
from langchain_mavera._transport.sse import DONE, ServerSentEvent
from langchain_mavera.chat_models._chat_completions import CHAT_COMPLETIONS
from langchain_mavera.chat_models._responses import RESPONSES
from langchain_mavera.errors import (
    MaveraAPIError,
    MaveraInsufficientCreditsError,
    MaveraPersonaNotFoundError,
    MaveraServerError,
)
from tests.fake_mavera import CREDITS, FakeMavera

URL = "https://app.mavera.io/api/v1/responses"
PERSONA = "clx1abc2d0001abcdef123456"
PARIS = '{"city": "Paris"}'
HEADERS = {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "59", "x-ratelimit-reset": "1706345700"}


def _response(body: Any = None) -> httpx2.Response:
    return httpx2.Response(200, json=body or {}, headers=HEADERS, request=httpx2.Request("POST", URL))


def get_weather(city: str) -> str:
    """Weather in a city."""
    return city


# -- request -------------------------------------------------------------------------------


def test_the_flag_selects_the_wire_format() -> None:
    assert ChatMavera(api_key="k")._wire is CHAT_COMPLETIONS
    assert ChatMavera(api_key="k", use_responses_api=True)._wire is RESPONSES


def test_invoke_posts_to_responses() -> None:
    fake = FakeMavera()
    message = fake.model(persona_id="p1", max_tokens=9, use_responses_api=True).invoke("Hello")
    request = fake.requests[0]
    assert request.url.path == "/api/v1/responses"
    body = json.loads(request.content)
    text = {"type": "input_text", "text": "Hello"}
    assert body["input"] == [{"type": "message", "role": "user", "content": [text]}]
    assert body["persona_id"] == "p1"
    assert body["max_output_tokens"] == 9
    assert message.content == "Answer from p1"
    assert message.response_metadata["credits_used"] == CREDITS


def test_system_messages_become_instructions_and_turns_become_typed_items() -> None:
    messages = [
        SystemMessage("Answer briefly."),
        HumanMessage("Hi"),
        AIMessage("Hello!"),
        SystemMessage("Use British spelling."),
        HumanMessage("Colour?"),
    ]
    body = RESPONSES.build_payload(messages, {"model": "mavera-1"}, stream=False)
    assert body["instructions"] == "Answer briefly.\n\nUse British spelling."
    assert body["input"] == [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello!"}]},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Colour?"}]},
    ]
    assert "messages" not in body
    assert "stream" not in body


def test_images_become_input_image_items() -> None:
    message = HumanMessage(
        content=[
            {"type": "text", "text": "What is this?"},
            {"type": "image", "url": "https://example.com/cat.png"},
            {"type": "image", "base64": "aGk=", "mime_type": "image/jpeg"},
            {"type": "image_url", "image_url": {"url": "https://example.com/dog.png"}},
        ]
    )
    body = RESPONSES.build_payload([message], {"model": "mavera-1"}, stream=False)
    assert body["input"][0]["content"] == [
        {"type": "input_text", "text": "What is this?"},
        {"type": "input_image", "image_url": "https://example.com/cat.png"},
        {"type": "input_image", "image_url": "data:image/jpeg;base64,aGk="},
        {"type": "input_image", "image_url": "https://example.com/dog.png"},
    ]


def test_tool_calls_and_results_become_function_call_items() -> None:
    messages = [
        HumanMessage("Weather in Paris?"),
        AIMessage("", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}]),
        ToolMessage("sunny", tool_call_id="call_1"),
    ]
    body = RESPONSES.build_payload(messages, {"model": "mavera-1"}, stream=False)
    assert body["input"][1:] == [
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": PARIS},
        {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
    ]


def test_parameters_are_mapped_as_documented() -> None:
    params = {
        "model": "mavera-1",
        "persona_id": PERSONA,
        "analysis_mode": True,
        "reasoning_effort": "high",
        "verbosity": "low",
        "temperature": 0.2,
        "max_tokens": 50,
        "tools": [convert_to_openai_tool(get_weather, strict=True)],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": False,
        "extra_body": {"mosaic_mode": True},
    }
    body = RESPONSES.build_payload([HumanMessage("Hi")], params, stream=True)
    assert body["persona_id"] == PERSONA
    assert body["analysis_mode"] is True
    assert (body["reasoning_effort"], body["verbosity"], body["temperature"]) == ("high", "low", 0.2)
    assert body["max_output_tokens"] == 50
    assert "max_tokens" not in body
    assert body["tools"] == [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Weather in a city.",
            "parameters": params["tools"][0]["function"]["parameters"],  # type: ignore[index]
            "strict": True,
        }
    ]
    assert body["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert body["parallel_tool_calls"] is False
    assert body["mosaic_mode"] is True
    assert body["stream"] is True


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        ("get_weather", {"type": "function", "name": "get_weather"}),
    ],
)
def test_tool_choice_strings(given: str, sent: Any) -> None:
    body = RESPONSES.build_payload([HumanMessage("Hi")], {"model": "m", "tool_choice": given}, stream=False)
    assert body["tool_choice"] == sent


def test_response_format_becomes_text_format() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    response_format = {"type": "json_schema", "json_schema": {"name": "A", "schema": schema, "strict": True}}
    body = RESPONSES.build_payload(
        [HumanMessage("Hi")], {"model": "m", "response_format": response_format}, stream=False
    )
    assert body["text"] == {"format": {"type": "json_schema", "name": "A", "schema": schema, "strict": True}}
    body = RESPONSES.build_payload(
        [HumanMessage("Hi")], {"model": "m", "response_format": {"type": "json_object"}}, stream=False
    )
    assert body["text"] == {"format": {"type": "json_object"}}


def test_a_conversation_of_only_system_messages_is_refused() -> None:
    with pytest.raises(ValueError, match="non-system"):
        RESPONSES.build_payload([SystemMessage("x")], {"model": "m"}, stream=False)


# -- non-streaming reply ---------------------------------------------------------------------

DOCS_BODY: dict[str, Any] = {
    "id": "resp_abc123def456abc123def456",
    "object": "response",
    "created_at": 1706345678,
    "status": "completed",
    "model": "mavera-1",
    "output": [
        {
            "id": "msg_abc123def456",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Refills are great."}],
        }
    ],
    "usage": {"input_tokens": 42, "output_tokens": 68, "total_tokens": 110, "credits_used": 3},
    "analysis": {"confidence": 8},
    "error": None,
}


def test_the_documented_reply_parses_to_the_chat_completions_contract() -> None:
    result = RESPONSES.parse_response(DOCS_BODY, _response(DOCS_BODY), PERSONA)
    message = result.generations[0].message
    assert isinstance(message, AIMessage)
    assert message.content == "Refills are great."
    assert message.id == "resp_abc123def456abc123def456"
    assert message.usage_metadata == {"input_tokens": 42, "output_tokens": 68, "total_tokens": 110}
    assert message.response_metadata == {
        "model_provider": "mavera",
        "model_name": "mavera-1",
        "id": "resp_abc123def456abc123def456",
        "finish_reason": "stop",
        "persona_id": PERSONA,
        "token_usage": DOCS_BODY["usage"],
        "credits_used": 3,
        "analysis": {"confidence": 8},
        "rate_limit": {"limit": 60, "remaining": 59, "reset": 1706345700},
    }


def test_incomplete_for_tokens_is_length() -> None:
    body = {**DOCS_BODY, "status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}}
    message = RESPONSES.parse_response(body, _response(body), None).generations[0].message
    assert message.response_metadata["finish_reason"] == "length"


def test_failed_status_raises_the_typed_error_with_the_server_fields() -> None:
    body = {
        **DOCS_BODY,
        "status": "failed",
        "output": [],
        "error": {"message": "Persona not found", "type": "invalid_request_error", "code": "invalid_persona"},
    }
    with pytest.raises(MaveraPersonaNotFoundError) as caught:
        RESPONSES.parse_response(body, _response(body), None)
    assert caught.value.code == "invalid_persona"
    assert caught.value.server_message == "Persona not found"


def test_failed_status_without_an_error_object_still_raises() -> None:
    body = {**DOCS_BODY, "status": "failed", "error": None}
    with pytest.raises(MaveraAPIError, match="failed"):
        RESPONSES.parse_response(body, _response(body), None)


def test_in_progress_reply_is_refused_as_incomplete() -> None:
    body = {**DOCS_BODY, "status": "in_progress", "output": []}
    with pytest.raises(MaveraAPIError, match="in_progress"):
        RESPONSES.parse_response(body, _response(body), None)


def test_a_reply_without_output_is_malformed() -> None:
    body = {"id": "resp_1", "status": "completed"}
    with pytest.raises(MaveraAPIError, match="Malformed"):
        RESPONSES.parse_response(body, _response(body), None)


# -- streaming ---------------------------------------------------------------------------------


def _events(*payloads: dict[str, Any], named: bool = True, done: bool = True) -> list[ServerSentEvent]:
    events = [ServerSentEvent(p["type"] if named else None, json.dumps(p)) for p in payloads]
    return [*events, ServerSentEvent(None, DONE)] if done else events


def _run(events: list[ServerSentEvent], persona_id: str | None = PERSONA) -> tuple[list[AIMessageChunk], Any]:
    parser = RESPONSES.stream_parser(_response(), persona_id)
    chunks = []
    for event in events:
        chunk = parser.feed(event)
        if chunk is not None:
            assert isinstance(chunk.message, AIMessageChunk)
            chunks.append(chunk.message)
    return chunks, parser


_CREATED = {
    "type": "response.created",
    "response": {"id": "resp_1", "model": "mavera-1", "status": "in_progress", "output": []},
}
_COMPLETED = {
    "type": "response.completed",
    "response": {
        "id": "resp_1",
        "model": "mavera-1",
        "status": "completed",
        "usage": {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8, "credits_used": 1},
        "analysis": {"confidence": 7},
    },
}
_MESSAGE = {"type": "message", "role": "assistant", "content": []}


def _text_stream(named: bool = True, done: bool = True) -> list[ServerSentEvent]:
    return _events(
        _CREATED,
        {"type": "response.output_item.added", "output_index": 0, "item": _MESSAGE},
        {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "Hel"},
        {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "lo"},
        {"type": "response.output_text.done", "output_index": 0, "content_index": 0, "text": "Hello"},
        {"type": "response.output_item.done", "output_index": 0,
         "item": {**_MESSAGE, "content": [{"type": "output_text", "text": "Hello"}]}},
        _COMPLETED,
        named=named,
        done=done,
    )  # fmt: skip


@pytest.mark.parametrize("named", [True, False], ids=["event-names", "type-only"])
def test_text_stream_emits_deltas_once_and_metadata_on_the_last_chunk(named: bool) -> None:
    chunks, parser = _run(_text_stream(named=named))
    assert [chunk.content for chunk in chunks] == ["Hel", "lo"]
    assert parser.complete
    final = parser.final_chunk().message
    assert final.chunk_position == "last"
    total = chunks[0] + chunks[1] + final
    assert total.content == "Hello"
    assert total.id == "resp_1"
    assert total.usage_metadata == {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}
    assert total.response_metadata["credits_used"] == 1
    assert total.response_metadata["analysis"] == {"confidence": 7}
    assert total.response_metadata["finish_reason"] == "stop"
    assert total.response_metadata["persona_id"] == PERSONA
    assert total.response_metadata["rate_limit"]["limit"] == 60


def test_stream_without_the_done_sentinel_is_complete_on_response_completed() -> None:
    _, parser = _run(_text_stream(done=False))
    assert parser.complete


def test_stream_cut_before_completion_is_not_complete() -> None:
    _, parser = _run(_text_stream(done=False)[:-1])
    assert not parser.complete


def test_text_only_in_done_events_is_emitted_once() -> None:
    events = _events(
        _CREATED,
        {"type": "response.output_text.done", "output_index": 0, "content_index": 0, "text": "Whole"},
        {"type": "response.output_item.done", "output_index": 0,
         "item": {**_MESSAGE, "content": [{"type": "output_text", "text": "Whole"}]}},
        _COMPLETED,
    )  # fmt: skip
    chunks, _ = _run(events)
    assert [chunk.content for chunk in chunks] == ["Whole"]


def _call(arguments: str = "") -> dict[str, Any]:
    return {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
            "arguments": arguments}  # fmt: skip


def test_function_call_argument_deltas_become_a_tool_call() -> None:
    events = _events(
        _CREATED,
        {"type": "response.output_item.added", "output_index": 0, "item": _call()},
        {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": '{"city": '},
        {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": '"Paris"}'},
        {"type": "response.function_call_arguments.done", "output_index": 0, "arguments": PARIS},
        {"type": "response.output_item.done", "output_index": 0, "item": _call('{"city": "Paris"}')},
        _COMPLETED,
    )
    chunks, parser = _run(events)
    total = chunks[0]
    for chunk in [*chunks[1:], parser.final_chunk().message]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    assert total.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
    ]
    assert total.response_metadata["finish_reason"] == "tool_calls"


def test_function_call_only_in_output_item_done_is_emitted_whole() -> None:
    events = _events(
        _CREATED,
        {"type": "response.output_item.done", "output_index": 1, "item": _call('{"city": "Rome"}')},
        _COMPLETED,
    )
    chunks, _ = _run(events)
    assert len(chunks) == 1
    assert chunks[0].tool_calls == [
        {"name": "get_weather", "args": {"city": "Rome"}, "id": "call_1", "type": "tool_call"}
    ]


def test_response_failed_event_raises_the_typed_error() -> None:
    failed = {
        "type": "response.failed",
        "response": {"id": "resp_1", "status": "failed",
                     "error": {"message": "Out of credits", "type": "billing", "code": "credits_exhausted"}},
    }  # fmt: skip
    parser = RESPONSES.stream_parser(_response(), None)
    parser.feed(_events(_CREATED, done=False)[0])
    with pytest.raises(MaveraInsufficientCreditsError, match="Out of credits"):
        parser.feed(_events(failed, done=False)[0])


def test_error_event_raises_the_typed_error() -> None:
    error = {"type": "error", "code": "internal_error", "message": "boom", "param": None}
    parser = RESPONSES.stream_parser(_response(), None)
    with pytest.raises(MaveraServerError, match="boom"):
        parser.feed(_events(error, done=False)[0])


def test_a_non_json_event_is_malformed() -> None:
    parser = RESPONSES.stream_parser(_response(), None)
    with pytest.raises(MaveraAPIError, match="not JSON"):
        parser.feed(ServerSentEvent("response.output_text.delta", "{oops"))


def test_a_bare_error_object_in_the_stream_raises_the_typed_error() -> None:
    parser = RESPONSES.stream_parser(_response(), None)
    payload = {"error": {"message": "Insufficient credits", "type": "insufficient_credits",
                         "code": "credits_exhausted", "param": None}}  # fmt: skip
    with pytest.raises(MaveraInsufficientCreditsError, match="Insufficient credits"):
        parser.feed(ServerSentEvent(None, json.dumps(payload)))
