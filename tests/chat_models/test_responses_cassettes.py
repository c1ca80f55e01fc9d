"""ChatMavera on the Responses transport against recorded interactions.

The same questions are asked over both transports: a user's code and the
facts it reads (content, usage, credits, analysis, metadata keys) must not
change when `use_responses_api=True` is set. The tests that run on both
transports replay each transport's cassette from the folder of the module that
recorded it (cassettes/test_chat_cassettes/ for chat completions).
"""

from __future__ import annotations

import json
import operator
from functools import reduce
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_mavera import ChatMavera, get_analysis
from langchain_mavera.errors import MaveraPersonaNotFoundError

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
QUESTION = "How do you feel about brands that switch to refillable packaging?"
WEATHER = "What is the weather in Paris right now?"
IMAGE_URL = "https://upload.wikimedia.org/wikipedia/commons/3/3f/Fronalpstock_big.jpg"
METADATA_KEYS = {
    "model_name",
    "model_provider",
    "finish_reason",
    "id",
    "persona_id",
    "credits_used",
    "token_usage",
    "analysis",
    "rate_limit",
}


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"Sunny in {city}"


def _responses(**kwargs: Any) -> ChatMavera:
    return ChatMavera(persona_id=GEN_Z, use_responses_api=True, **kwargs)


def _case(use_responses_api: bool, *values: Any, cassette: str) -> Any:
    """One transport's case; chat completions replays its cassette from test_chat_cassettes/."""
    folder = "" if use_responses_api else "../test_chat_cassettes/"
    transport = "responses" if use_responses_api else "chat_completions"
    return pytest.param(
        use_responses_api,
        *values,
        id="-".join([transport, *map(str, values)]),
        marks=pytest.mark.default_cassette(f"{folder}{cassette}.yaml"),
    )


def _assert_same_answer(invoked: Any, streamed: BaseMessage) -> None:
    assert isinstance(streamed, AIMessageChunk)
    assert streamed.content == invoked.content
    assert streamed.tool_calls == invoked.tool_calls
    for key in METADATA_KEYS - {"rate_limit"}:
        assert streamed.response_metadata.get(key) == invoked.response_metadata.get(key), key
    assert streamed.usage_metadata == invoked.usage_metadata


def test_invoke_has_the_chat_completions_contract() -> None:
    chat = ChatMavera(persona_id=GEN_Z, analysis_mode=True).invoke(QUESTION)
    responses = _responses(analysis_mode=True).invoke(QUESTION)
    assert set(responses.response_metadata) == set(chat.response_metadata) == METADATA_KEYS
    assert str(responses.response_metadata["id"]).startswith("resp_")
    # The same question gives the same answer, usage, credits and analysis on both transports.
    assert responses.content == chat.content
    assert responses.usage_metadata == chat.usage_metadata
    for key in ("credits_used", "analysis", "finish_reason", "model_name", "persona_id"):
        assert responses.response_metadata[key] == chat.response_metadata[key], key
    assert get_analysis(responses) == get_analysis(chat)


@pytest.mark.parametrize(
    ("use_responses_api", "analysis_mode"),
    [
        _case(api, mode, cassette=f"test_stream_aggregate_equals_invoke[{mode}]")
        for api in (False, True)
        for mode in (True, False)
    ],
)
def test_stream_aggregate_equals_invoke(use_responses_api: bool, analysis_mode: bool) -> None:
    model = ChatMavera(persona_id=GEN_Z, analysis_mode=analysis_mode, use_responses_api=use_responses_api)
    invoked = model.invoke(QUESTION)
    chunks = list(model.stream(QUESTION))
    assert len(chunks) > 3
    assert chunks[-1].chunk_position == "last"
    assert sum(1 for chunk in chunks if chunk.usage_metadata) == 1
    _assert_same_answer(invoked, reduce(operator.add, chunks))
    assert ("analysis" in invoked.response_metadata) is analysis_mode


@pytest.mark.parametrize(
    ("use_responses_api", "analysis_mode"),
    [
        _case(False, True, cassette="test_astream_aggregate_equals_ainvoke[True]"),
        _case(False, False, cassette="test_astream_aggregate_equals_ainvoke[False]"),
        _case(True, True, cassette="test_astream_aggregate_equals_ainvoke"),
    ],
)
async def test_astream_aggregate_equals_ainvoke(use_responses_api: bool, analysis_mode: bool) -> None:
    model = ChatMavera(persona_id=GEN_Z, analysis_mode=analysis_mode, use_responses_api=use_responses_api)
    invoked = await model.ainvoke(QUESTION)
    chunks = [chunk async for chunk in model.astream(QUESTION)]
    _assert_same_answer(invoked, reduce(operator.add, chunks))


def test_system_message_becomes_instructions() -> None:
    message = _responses().invoke([SystemMessage("Keep answers short."), HumanMessage(QUESTION)])
    assert message.content


def test_tool_call_round_trip() -> None:
    tool = convert_to_openai_tool(get_weather)
    model = _responses().bind(tools=[tool], tool_choice="auto")
    call = model.invoke(WEATHER)
    assert isinstance(call, AIMessage)
    assert [tc["name"] for tc in call.tool_calls] == ["get_weather"]
    assert call.response_metadata["finish_reason"] == "tool_calls"
    streamed = reduce(operator.add, list(model.stream(WEATHER)))
    _assert_same_answer(call, streamed)
    result = get_weather(**call.tool_calls[0]["args"])
    answer = model.invoke(
        [
            HumanMessage(WEATHER),
            call,
            {"role": "tool", "tool_call_id": call.tool_calls[0]["id"], "content": result},
        ]
    )
    assert answer.content
    assert not answer.tool_calls


def test_forced_tool_choice() -> None:
    tool = convert_to_openai_tool(get_weather)
    call = _responses().invoke("Hello there", tools=[tool], tool_choice="get_weather")
    assert isinstance(call, AIMessage)
    assert [tc["name"] for tc in call.tool_calls] == ["get_weather"]


def test_json_schema_output() -> None:
    schema = {
        "type": "object",
        "properties": {"sentiment": {"type": "string"}, "score": {"type": "integer"}},
        "required": ["sentiment", "score"],
        "additionalProperties": False,
    }
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "Verdict", "schema": schema, "strict": True},
    }
    message = _responses().invoke(QUESTION, response_format=response_format)
    parsed = json.loads(str(message.content))
    assert set(parsed) == {"sentiment", "score"}
    assert isinstance(parsed["score"], int)


def test_image_input() -> None:
    message = _responses().invoke(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "Describe this image."},
                    {"type": "image", "url": IMAGE_URL},
                ]
            )
        ]
    )
    assert message.content


def test_unknown_persona_raises_the_typed_error() -> None:
    with pytest.raises(MaveraPersonaNotFoundError):
        ChatMavera(persona_id="clx_no_such_persona", use_responses_api=True).invoke(QUESTION)
