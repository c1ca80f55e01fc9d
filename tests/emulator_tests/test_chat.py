"""The emulator's `POST /chat/completions` and `POST /responses`: validation, the reply
template, streaming, tool calls and structured output, checked on raw bytes and through the
official openai SDK (if its own clients understand the emulator, so does a real server's)."""

import json
import re
from typing import Any

import openai
import pytest

from tests.emulator import Emulator, run_emulator
from tests.emulator_tests.helpers import CMO, GEN_Z, chat

pytestmark = pytest.mark.loopback

ADDER = {
    "type": "function",
    "function": {
        "name": "my_adder_tool",
        "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
    },
}
MAGIC = {
    "type": "function",
    "function": {
        "name": "magic_function",
        "parameters": {
            "type": "object",
            "properties": {"input": {"type": "integer", "exclusiveMinimum": -1000, "exclusiveMaximum": 1000}},
        },
    },
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}
TOOL_CALL = [
    {"id": "c1", "type": "function", "function": {"name": "my_adder_tool", "arguments": '{"a": 1, "b": 2}'}}
]


@pytest.mark.parametrize(
    ("patch", "code", "param"),
    [
        ({"model": "gpt-4o"}, "invalid_model", "model"),
        ({"model": None}, "missing_field", "model"),
        ({"messages": []}, "invalid_field", "messages"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "invalid_field", "messages[0].role"),
        (
            {"messages": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "3"}]},
            "missing_field",
            "messages[1].tool_call_id",
        ),
        ({"persona_id": "clx_does_not_exist"}, "invalid_persona", "persona_id"),
        ({"verbosity": "max"}, "invalid_field", "verbosity"),
        ({"temperature": 2.5}, "invalid_field", "temperature"),
        ({"max_tokens": 0}, "invalid_field", "max_tokens"),
        ({"analysis_mode": "yes"}, "invalid_field", "analysis_mode"),
        ({"stop": ["a"] * 5}, "invalid_field", "stop"),
        (
            {"tools": [{"type": "function", "function": {"name": "bad name"}}]},
            "invalid_field",
            "tools[0].function.name",
        ),
        (
            {"tool_choice": {"type": "function", "function": {"name": "nope"}}, "tools": [MAGIC]},
            "invalid_field",
            "tool_choice",
        ),
        ({"response_format": {"type": "json_schema"}}, "missing_field", "response_format.json_schema"),
        (
            {
                "messages": [
                    {"role": "user", "content": "?", "attachments": [{"type": "image", "url": "ftp://a/b"}]}
                ]
            },
            "invalid_field",
            "messages[0].attachments[0]",
        ),
    ],
)
def test_validation_errors(emu: Emulator, patch: dict[str, Any], code: str, param: str) -> None:
    reply = chat(emu, **patch)
    assert (reply.status, reply.error["type"]) == (400, "invalid_request_error")
    assert (reply.error["code"], reply.error["param"]) == (code, param)


def test_unknown_fields_and_content_parts_are_accepted(emu: Emulator) -> None:
    parts = [
        {"type": "text", "text": "Rate this logo"},
        {"type": "image_url", "image_url": {"url": "https://x.example/l.png"}},
    ]
    messages = [
        {"role": "developer", "content": "Be helpful."},
        {"role": "user", "content": parts, "name": "sam"},
    ]
    reply = chat(
        emu, messages=messages, seed=7, top_p=0.5, stream_options={"include_usage": True}, future={"x": 1}
    )
    assert "I looked at the image you shared." in reply.text


def test_completion_shape_and_byte_identical_repeats(emu: Emulator) -> None:
    first = chat(emu, persona_id=CMO, analysis_mode=True)
    body = first.json()
    assert list(body) == ["id", "object", "created", "model", "choices", "usage", "analysis"]
    assert re.fullmatch(r"chatcmpl_[0-9a-f]{24}", body["id"])
    assert body["choices"][0]["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens"] == len(first.text.split()) and 1 <= usage["credits_used"] <= 5
    assert chat(emu, persona_id=CMO, analysis_mode=True).body == first.body
    analysis = body["analysis"]
    assert 1 <= analysis["confidence"] <= 10 and 2 <= len(analysis["insights"]) <= 4
    assert all(set(b) == {"name", "description"} for b in analysis["biases"])
    assert "analysis" not in chat(emu, persona_id=CMO).json()


def test_the_reply_names_the_persona_and_echoes_the_topic(emu: Emulator) -> None:
    assert chat(emu, persona_id=GEN_Z).text.startswith(
        "As Gen Z Consumer (Generational), here is my answer on"
    )
    assert chat(emu, persona_id=CMO).text.startswith("As SaaS CMO (IndustrySpecific), ")
    assert chat(emu).text.startswith("In general, ")
    for topic in ("pricing", "loyalty apps", "AI tutors"):
        assert f"here is my answer on {topic}." in chat(emu, f"What do you think about {topic}?").text


def test_what_the_request_asks_shapes_the_reply(emu: Emulator) -> None:
    low, medium, high = (chat(emu, verbosity=level).text for level in ("low", "medium", "high"))
    assert len(low.split()) < len(medium.split()) < len(high.split())
    assert "I weighed" in chat(emu, reasoning_effort="high").text
    one_word = [
        {"role": "system", "content": "Answer in one word."},
        {"role": "user", "content": "What do you think of NFTs?"},
    ]
    assert chat(emu, messages=one_word).text == "NFTs."
    assert chat(emu, "hi", stop=["zzz", "answer"]).text == "In general, here is my "
    cut = chat(emu, max_tokens=5).json()
    assert (cut["choices"][0]["finish_reason"], cut["usage"]["completion_tokens"]) == ("length", 5)


def test_a_stream_reassembles_to_the_completion(emu: Emulator) -> None:
    whole = chat(emu, persona_id=GEN_Z, analysis_mode=True, verbosity="high").json()
    stream = chat(emu, persona_id=GEN_Z, analysis_mode=True, verbosity="high", stream=True)
    assert stream.headers["content-type"].startswith("text/event-stream") and stream.data[-1] == "[DONE]"
    assert stream.text == whole["choices"][0]["message"]["content"]
    pieces = [c["choices"][0]["delta"].get("content") for c in stream.chunks if c["choices"]][1:-1]
    assert len(pieces) >= len(stream.text.split()) / 3 and all(1 <= len(p.split()) <= 3 for p in pieces)
    finish, trailer = stream.chunks[-2:]
    assert (
        finish["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"} and "usage" not in finish
    )
    assert trailer == {**trailer, "choices": [], "usage": whole["usage"], "analysis": whole["analysis"]}


def test_usage_can_ride_on_the_final_chunk() -> None:
    with run_emulator(stream_usage_placement="final_chunk") as emu:
        chunks = chat(emu, analysis_mode=True, stream=True).chunks
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and {"usage", "analysis"} <= set(chunks[-1])
    assert all(c["choices"] for c in chunks)


def tool_calls(emu: Emulator, prompt: str, tools: list[Any], **extra: Any) -> list[tuple[str, Any]]:
    choice = chat(emu, prompt, tools=tools, **extra).json()["choices"][0]
    calls = choice["message"].get("tool_calls") or []
    assert choice["finish_reason"] == ("tool_calls" if calls else "stop")
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls]


def test_tools_are_called_when_named_or_forced(emu: Emulator) -> None:
    assert tool_calls(emu, "What is magic_function(3)? Use the tool.", [MAGIC]) == [
        ("magic_function", {"input": 3})
    ]
    assert tool_calls(emu, "What is magic_function(3)?", [MAGIC], tool_choice="none") == []
    assert tool_calls(emu, "Hello!", [MAGIC]) == []
    for forced in ("required", "any", {"type": "function", "function": {"name": "my_adder_tool"}}):
        assert tool_calls(emu, "What is 1 + 2", [ADDER, WEATHER], tool_choice=forced) == [
            ("my_adder_tool", {"a": 1, "b": 2})
        ]
    both = "Check the weather in Paris and run magic_function on 4."
    assert [name for name, _ in tool_calls(emu, both, [MAGIC, WEATHER])] == ["magic_function", "get_weather"]
    assert len(tool_calls(emu, both, [MAGIC, WEATHER], parallel_tool_calls=False)) == 1
    place = tool_calls(emu, "What is the weather in San Francisco, CA?", [WEATHER])
    assert place == [("get_weather", {"location": "San Francisco, CA"})]


def test_quoted_unicode_arguments_stay_unescaped(emu: Emulator) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "unicode_customer",
            "parameters": {"properties": {"customer_name": {"type": "string"}}},
        },
    }
    reply = chat(
        emu, "Create a customer named '你好啊集团' (Hello Group)", tools=[tool], tool_choice="required"
    )
    assert '{\\"customer_name\\": \\"你好啊集团\\"}'.encode() in reply.body


def test_streamed_tool_calls_reassemble(emu: Emulator) -> None:
    prompt = "What is magic_function(3)? Use the tool."
    expected = chat(emu, prompt, tools=[MAGIC]).json()["choices"][0]["message"]["tool_calls"][0]
    chunks = chat(emu, prompt, tools=[MAGIC], stream=True).chunks
    deltas = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c["choices"] and "tool_calls" in c["choices"][0]["delta"]
    ]
    assert (deltas[0]["id"], deltas[0]["function"]["name"], len(deltas)) == (
        expected["id"],
        "magic_function",
        5,
    )
    assert "".join(d["function"]["arguments"] for d in deltas) == expected["function"]["arguments"]


@pytest.mark.parametrize(
    ("result", "answer"),
    [
        ('{"result": 3}', "I ran my_adder_tool and the result is 3."),
        ("It's sunny.\n\nA note.", "I ran my_adder_tool and it returned: It's sunny."),
        (
            "Error: bad input.",
            "The my_adder_tool call failed (Error: bad input), so I'd fix the input and try again.",
        ),
    ],
)
def test_tool_results_are_answered_in_text(emu: Emulator, result: str, answer: str) -> None:
    messages = [
        {"role": "user", "content": "What is 1 + 2"},
        {"role": "assistant", "content": "", "tool_calls": TOOL_CALL},
        {"role": "tool", "tool_call_id": "c1", "content": result},
    ]
    assert chat(emu, messages=messages, tools=[ADDER]).text == answer


def structured(emu: Emulator, prompt: str, schema: dict[str, Any], **extra: Any) -> Any:
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
    return json.loads(chat(emu, prompt, persona_id=GEN_Z, response_format=response_format, **extra).text)


def test_structured_output_follows_the_schema(emu: Emulator) -> None:
    schema = {
        "$defs": {
            "Product": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "price": {"type": "number"},
                    "tier": {"enum": ["basic", "pro"]},
                },
            }
        },
        "type": "object",
        "properties": {
            "verdict": {"type": "string"},
            "score": {"type": "integer", "minimum": 1, "maximum": 10},
            "products": {"type": "array", "items": {"$ref": "#/$defs/Product"}},
            "punchline": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "would_buy": {"type": "boolean"},
        },
    }
    value = structured(emu, "Rate 2 budgeting apps priced at 4.99 for students, no punchline.", schema)
    assert value == {
        "verdict": "As Gen Z Consumer (Generational), verdict on budgeting apps priced.",
        "score": 2,
        "products": [{"name": "Budgeting apps priced", "price": 4.99, "tier": "basic"}],
        "punchline": None,
        "would_buy": True,
    }
    assert structured(emu, "A joke about cats with a punchline", schema)["punchline"]
    assert structured(emu, "Rate 2 apps", schema, stream=True) == structured(emu, "Rate 2 apps", schema)


def test_json_object_mode(emu: Emulator) -> None:
    keyed = chat(
        emu,
        "A joke about cats, as JSON with 'setup' and 'punchline' keys.",
        response_format={"type": "json_object"},
    )
    assert set(json.loads(keyed.text)) == {"setup", "punchline"}
    assert set(json.loads(chat(emu, "Describe our brand", response_format={"type": "json_object"}).text)) == {
        "answer"
    }


@pytest.fixture
def client(emu: Emulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)


def test_the_sdk_reads_chat_completions_and_their_extras(client: openai.OpenAI) -> None:
    messages: Any = [{"role": "user", "content": "How do millennials feel about remote work?"}]
    extras = {"persona_id": GEN_Z, "analysis_mode": True}
    response = client.chat.completions.create(model="mavera-1", messages=messages, extra_body=extras)
    assert response.analysis["confidence"] >= 1  # type: ignore[attr-defined]
    assert response.usage is not None and response.usage.credits_used >= 1  # type: ignore[attr-defined]
    stream = client.chat.completions.create(
        model="mavera-1", messages=messages, stream=True, extra_body=extras
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == response.choices[0].message.content


def test_the_sdk_reads_responses_streamed_or_not(client: openai.OpenAI) -> None:
    question = "How do you feel about brands that switch to refillable packaging?"
    extras = {"persona_id": GEN_Z, "analysis_mode": True}
    whole = client.responses.create(model="mavera-1", input=question, extra_body=extras)
    assert whole.status == "completed" and "analysis" in (whole.model_extra or {})
    assert whole.usage is not None and whole.usage.model_extra is not None
    assert whole.usage.model_extra["credits_used"] >= 1
    events = list(client.responses.create(model="mavera-1", input=question, stream=True, extra_body=extras))
    assert (events[0].type, events[-1].type) == ("response.created", "response.completed")
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == whole.output_text
    short = client.responses.create(model="mavera-1", input=question, max_output_tokens=5)
    assert (short.status, len(short.output_text.split())) == ("incomplete", 5)
    assert short.incomplete_details is not None and short.incomplete_details.reason == "max_output_tokens"


def test_responses_function_calls_and_refused_chat_shapes(client: openai.OpenAI) -> None:
    weather: Any = {
        "type": "function",
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
    called = client.responses.create(
        model="mavera-1",
        input="Weather in Paris?",
        tools=[weather],
        tool_choice={"type": "function", "name": "get_weather"},
    )
    assert [(i.type, getattr(i, "arguments", None)) for i in called.output] == [
        ("function_call", '{"city": "Paris"}')
    ]
    nested: Any = {"type": "function", "function": {"name": "get_weather", "parameters": {}}}
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="mavera-1", input="Hi", tools=[nested])
    assert refused.value.body["param"] == "tools[0]"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as refused:
        client.post(
            "/responses",
            body={"model": "mavera-1", "messages": [{"role": "user", "content": "Hi"}]},
            cast_to=object,
        )
    assert refused.value.body["param"] == "input"  # type: ignore[index]
