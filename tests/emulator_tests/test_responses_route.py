"""The emulator's `POST /responses`, checked with the official openai SDK (no cassettes).

If the SDK's own Responses client understands the emulator, the cassettes we
record from it have the shape a real Responses server sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

run_emulator = pytest.importorskip("tests.emulator").run_emulator

GEN_Z = "clx1abc2d0001abcdef123456"
QUESTION = "How do you feel about brands that switch to refillable packaging?"
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    with run_emulator() as emu:
        yield emu


@pytest.fixture
def client(emulator: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=emulator.base_url, api_key=emulator.api_key, max_retries=0)


def test_sdk_reads_the_response_object(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="mavera-1", input=QUESTION, extra_body={"persona_id": GEN_Z, "analysis_mode": True}
    )
    assert response.status == "completed"
    assert response.output_text
    assert response.usage is not None
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens
    extra = response.model_extra or {}
    assert "analysis" in extra
    assert response.usage.model_extra is not None
    assert response.usage.model_extra["credits_used"] >= 1


def test_sdk_stream_ends_with_completed_and_text_matches(client: openai.OpenAI) -> None:
    persona = {"persona_id": GEN_Z}
    whole = client.responses.create(model="mavera-1", input=QUESTION, extra_body=persona)
    events = list(client.responses.create(model="mavera-1", input=QUESTION, stream=True, extra_body=persona))
    kinds = [event.type for event in events]
    assert kinds[0] == "response.created"
    assert kinds[-1] == "response.completed"
    deltas = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert deltas == whole.output_text


def test_sdk_function_call(client: openai.OpenAI) -> None:
    response = client.responses.create(  # type: ignore[call-overload]  # the tool leaves out `strict`
        model="mavera-1",
        input="What is the weather in Paris?",
        tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "name": "get_weather"},
        extra_body={"persona_id": GEN_Z},
    )
    calls = [item for item in response.output if item.type == "function_call"]
    assert [call.name for call in calls] == ["get_weather"]


def test_nested_chat_tools_are_refused(client: openai.OpenAI) -> None:
    nested = {"type": "function", "function": {"name": "get_weather", "parameters": {}}}
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="mavera-1", input="Hi", tools=[nested])  # type: ignore[list-item]
    assert caught.value.body["param"] == "tools[0]"  # type: ignore[index]


def test_messages_instead_of_input_is_refused(emulator: Any, client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.post(
            "/responses",
            body={"model": "mavera-1", "messages": [{"role": "user", "content": "Hi"}]},
            cast_to=object,
        )
    assert caught.value.body["code"] == "missing_field"  # type: ignore[index]


def test_max_output_tokens_truncates_to_incomplete(client: openai.OpenAI) -> None:
    response = client.responses.create(model="mavera-1", input=QUESTION, max_output_tokens=5)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert len(response.output_text.split()) == 5
