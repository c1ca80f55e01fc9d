"""Behaviour of the local Mavera emulator against the documented wire format."""

import http.client
import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI

from tests.emulator import (
    BUDGET_EXCEEDED_KEY,
    EXPIRED_KEY,
    FORBIDDEN_KEY,
    NO_CREDITS_KEY,
    PERSONAS,
    REVOKED_KEY,
    SERVED_BY,
    Emulator,
    Fault,
    run_emulator,
)
from tests.emulator_tests.helpers import (
    PERSONA_CMO,
    PERSONA_GEN_Z,
    chat_body,
    content_of,
    post_chat,
    send,
    stream_chat,
)

ROOT = Path(__file__).resolve().parents[2]

MAGIC_FUNCTION = {
    "type": "function",
    "function": {
        "name": "magic_function",
        "description": "Apply a magic function to an input.",
        "parameters": {
            "type": "object",
            "properties": {"input": {"type": "integer", "exclusiveMinimum": -1000, "exclusiveMaximum": 1000}},
            "required": ["input"],
        },
    },
}
ADDER = {
    "type": "function",
    "function": {
        "name": "my_adder_tool",
        "description": "Add two numbers.",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    },
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get weather at a location.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}
JOKE_SCHEMA = {
    "type": "object",
    "title": "Joke",
    "properties": {
        "setup": {"type": "string", "description": "question to set up a joke"},
        "punchline": {"type": "string", "description": "answer to resolve the joke"},
    },
    "required": ["setup", "punchline"],
}


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "code", "param"}
    return dict(body["error"])


# --- basics ---------------------------------------------------------------


def test_base_url_and_key_shape(emu: Emulator) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", emu.base_url)
    assert emu.api_key.startswith("mvra_live_")
    assert len(emu.api_key) >= 32
    assert "emulator" in emu.api_key


def test_every_response_carries_rate_limit_and_provenance_headers(emu: Emulator) -> None:
    for response in (
        post_chat(emu, chat_body()),
        post_chat(emu, chat_body(), key=None),
        send(emu, "GET", "/nope"),
    ):
        assert response.headers["x-served-by"] == SERVED_BY
        assert int(response.headers["x-ratelimit-limit"]) == 600
        assert 0 <= int(response.headers["x-ratelimit-remaining"]) <= 600
        assert int(response.headers["x-ratelimit-reset"]) >= int(time.time())


def test_unknown_paths_are_404(emu: Emulator) -> None:
    for response in (send(emu, "GET", "/models"), send(emu, "GET", "/v1/chat", prefix="")):
        assert response.status == 404
        assert error_of(response)["code"] == "resource_not_found"


def test_non_json_body_is_400(emu: Emulator) -> None:
    response = post_chat(emu, {}, raw=b"model=mavera-1")
    assert response.status == 400
    assert error_of(response)["type"] == "invalid_request_error"


def test_requests_are_recorded_with_the_key_redacted(emu: Emulator) -> None:
    post_chat(emu, chat_body(persona_id=PERSONA_GEN_Z))
    send(emu, "GET", "/personas?category=Generational&limit=2")
    first, second = emu.requests
    assert (first.method, first.path, first.raw_path) == (
        "POST",
        "/chat/completions",
        "/api/v1/chat/completions",
    )
    assert first.json["persona_id"] == PERSONA_GEN_Z
    assert emu.api_key not in json.dumps(first.headers)
    assert first.headers["authorization"].startswith("Bearer mvra_live_")
    assert second.query == {"category": "Generational", "limit": "2"}
    emu.reset()
    assert emu.requests == []


def test_context_manager_stops_the_server() -> None:
    with run_emulator() as emu:
        port = emu.port
        assert send(emu, "GET", "/personas").status == 200
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_keep_alive_can_be_switched_off() -> None:
    with run_emulator(keep_alive=False) as emu:
        assert send(emu, "GET", "/personas").headers["connection"] == "close"
        assert stream_chat(emu, chat_body("hi")).headers["connection"] == "close"


def test_module_entry_point_serves_until_stopped() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.emulator", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/api/v1", line)
        assert match, line
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=5)
        connection.request("GET", "/api/v1/personas")
        assert connection.getresponse().status == 401
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


# --- auth -----------------------------------------------------------------


def test_missing_key_is_401(emu: Emulator) -> None:
    response = post_chat(emu, chat_body(), key=None)
    assert response.status == 401
    assert error_of(response) | {"message": ""} == {
        "message": "",
        "type": "authentication_error",
        "code": "missing_api_key",
        "param": None,
    }


@pytest.mark.parametrize(
    "key", ["sk-abcdefghijklmnopqrstuvwxyz0123456789", "mvra_live_short", "mvra_prod_" + "x" * 30]
)
def test_malformed_key_is_401_invalid_api_key(emu: Emulator, key: str) -> None:
    response = send(emu, "GET", "/personas", key=key)
    assert response.status == 401
    error = error_of(response)
    assert error["code"] == "invalid_api_key"
    assert (
        error["message"]
        == "Invalid API key. Ensure your key starts with 'mvra_live_' and has not been revoked."
    )


@pytest.mark.parametrize(
    ("key", "status", "type_", "code"),
    [
        (REVOKED_KEY, 401, "authentication_error", "revoked_api_key"),
        (EXPIRED_KEY, 401, "authentication_error", "expired_api_key"),
        (NO_CREDITS_KEY, 402, "insufficient_credits", "credits_exhausted"),
        (BUDGET_EXCEEDED_KEY, 402, "insufficient_credits", "budget_exceeded"),
        (FORBIDDEN_KEY, 403, "permission_error", "forbidden"),
    ],
)
def test_special_keys(emu: Emulator, key: str, status: int, type_: str, code: str) -> None:
    response = post_chat(emu, chat_body(), key=key)
    assert response.status == status
    error = error_of(response)
    assert (error["type"], error["code"]) == (type_, code)
    if code == "credits_exhausted":
        assert error["message"] == (
            "Insufficient credits. Please upgrade your subscription or wait for your next billing cycle."
        )


def test_test_keys_are_accepted(emu: Emulator) -> None:
    assert post_chat(emu, chat_body(), key="mvra_test_" + "k" * 24).status == 200


# --- validation -----------------------------------------------------------

INVALID_BODIES: list[tuple[dict[str, Any], str, str | None]] = [
    ({"model": "gpt-4o"}, "invalid_model", "model"),
    ({"model": None}, "missing_field", "model"),
    ({"messages": None}, "missing_field", "messages"),
    ({"messages": []}, "invalid_field", "messages"),
    ({"messages": [{"role": "user", "content": "hi"}] * 129}, "invalid_field", "messages"),
    ({"messages": [{"role": "robot", "content": "hi"}]}, "invalid_field", "messages[0].role"),
    ({"messages": [{"content": "hi"}]}, "missing_field", "messages[0].role"),
    ({"persona_id": "clx_does_not_exist"}, "invalid_persona", "persona_id"),
    ({"reasoning_effort": "extreme"}, "invalid_field", "reasoning_effort"),
    ({"verbosity": "max"}, "invalid_field", "verbosity"),
    ({"temperature": 2.5}, "invalid_field", "temperature"),
    ({"temperature": "hot"}, "invalid_field", "temperature"),
    ({"max_tokens": 0}, "invalid_field", "max_tokens"),
    ({"max_tokens": 1.5}, "invalid_field", "max_tokens"),
    ({"analysis_mode": "yes"}, "invalid_field", "analysis_mode"),
    ({"stop": 7}, "invalid_field", "stop"),
    (
        {"tool_choice": {"type": "function", "function": {"name": "nope"}}, "tools": [MAGIC_FUNCTION]},
        "invalid_field",
        "tool_choice",
    ),
    ({"response_format": {"type": "yaml"}}, "invalid_field", "response_format.type"),
    ({"response_format": {"type": "json_schema"}}, "missing_field", "response_format.json_schema"),
    (
        {
            "messages": [
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                    ],
                },
                {"role": "tool", "content": "3"},
            ]
        },
        "missing_field",
        "messages[2].tool_call_id",
    ),
]


@pytest.mark.parametrize(("patch", "code", "param"), INVALID_BODIES)
def test_validation_errors(emu: Emulator, patch: dict[str, Any], code: str, param: str | None) -> None:
    body = {**chat_body(), **patch}
    body = {k: v for k, v in body.items() if v is not None}
    response = post_chat(emu, body)
    assert response.status == 400
    error = error_of(response)
    assert error["type"] == "invalid_request_error"
    assert (error["code"], error["param"]) == (code, param)


def test_invalid_model_message_is_the_documented_one(emu: Emulator) -> None:
    error = error_of(post_chat(emu, chat_body(model="gpt-4o")))
    assert error["message"] == "Invalid value for 'model': must be one of ['mavera-1']."


def test_unknown_persona_message_names_the_id(emu: Emulator) -> None:
    error = error_of(post_chat(emu, chat_body(persona_id="clxnope")))
    assert "clxnope" in error["message"]
    assert "doesn't exist" in error["message"]


@pytest.mark.parametrize(
    ("attachment", "valid"),
    [
        ({"type": "image", "url": "https://bucket.example.com/a.png"}, True),
        ({"type": "image", "url": "data:image/png;base64,iVBORw0KGgo="}, True),
        ({"type": "image", "url": "ftp://example.com/a.png"}, False),
        ({"type": "image", "url": "data:text/plain;base64,aGk="}, False),
        ({"type": "video", "url": "https://example.com/a.mp4"}, False),
        ({"type": "image"}, False),
        ("https://example.com/a.png", False),
    ],
)
def test_attachments(emu: Emulator, attachment: Any, valid: bool) -> None:
    good = {"type": "image", "url": "https://example.com/ok.png"}
    message = {"role": "user", "content": "What's in this image?", "attachments": [good, attachment]}
    response = post_chat(emu, chat_body(messages=[message], persona_id=PERSONA_GEN_Z))
    if valid:
        assert response.status == 200
        assert "image you shared" in response.json()["choices"][0]["message"]["content"]
    else:
        assert response.status == 400
        error = error_of(response)
        assert (error["code"], error["param"]) == ("invalid_field", "messages[0].attachments[1]")


def test_liberal_about_unknown_fields_and_content_parts(emu: Emulator) -> None:
    body = chat_body(
        messages=[
            {"role": "developer", "content": "Be helpful."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Rate this logo"},
                    {"type": "image_url", "image_url": {"url": "https://x.example/l.png"}},
                ],
                "name": "sam",
            },
        ],
        seed=7,
        top_p=0.5,
        n=1,
        stream_options={"include_usage": True},
        some_future_field={"x": 1},
    )
    response = post_chat(emu, body)
    assert response.status == 200
    assert response.json()["choices"][0]["message"]["content"]


# --- non-streaming replies ------------------------------------------------


def test_completion_shape(emu: Emulator) -> None:
    body = post_chat(emu, chat_body(persona_id=PERSONA_GEN_Z)).json()
    assert list(body) == ["id", "object", "created", "model", "choices", "usage"]
    assert re.fullmatch(r"chatcmpl_[0-9a-f]{24}", body["id"])
    assert (body["object"], body["created"], body["model"]) == ("chat.completion", 1767225600, "mavera-1")
    (choice,) = body["choices"]
    assert choice["index"] == 0
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens"] == len(choice["message"]["content"].split())
    assert 1 <= usage["credits_used"] <= 5


def test_same_request_gives_byte_identical_body(emu: Emulator) -> None:
    body = chat_body(persona_id=PERSONA_CMO, analysis_mode=True)
    assert post_chat(emu, body).body == post_chat(emu, body).body


def test_reply_names_the_persona_and_echoes_the_topic(emu: Emulator) -> None:
    gen_z = content_of(post_chat(emu, chat_body(persona_id=PERSONA_GEN_Z)))
    cmo = content_of(post_chat(emu, chat_body(persona_id=PERSONA_CMO)))
    generic = content_of(post_chat(emu, chat_body()))
    assert gen_z.startswith("As Gen Z Consumer (Generational), ")
    assert cmo.startswith("As SaaS CMO (IndustrySpecific), ")
    assert "Gen Z" not in generic and "CMO" not in generic
    for text in (gen_z, cmo, generic):
        assert "sustainability" in text


def test_reply_follows_the_question(emu: Emulator) -> None:
    topics = ("pricing", "loyalty apps", "podcasts", "AI tutors")
    for topic in topics:
        reply = content_of(
            post_chat(emu, chat_body(f"What do you think about {topic}?", persona_id=PERSONA_GEN_Z))
        )
        assert f"here is my answer on {topic}." in reply
        assert not any(other in reply for other in topics if other != topic)


def test_verbosity_and_reasoning_effort(emu: Emulator) -> None:
    def words(**extra: Any) -> str:
        return content_of(post_chat(emu, chat_body(persona_id=PERSONA_CMO, **extra)))

    low, medium, high = (words(verbosity=level) for level in ("low", "medium", "high"))
    assert len(low.split()) < len(medium.split()) < len(high.split())
    assert "I weighed" in words(reasoning_effort="high")
    assert "I weighed" not in words(reasoning_effort="low")


def test_one_word_instruction_is_followed(emu: Emulator) -> None:
    def reply(system: str, user: str = "Should brands post on TikTok?") -> str:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        return content_of(post_chat(emu, chat_body(messages=messages, persona_id=PERSONA_GEN_Z)))

    assert reply("Answer in one word.") in {"Yes.", "No."}
    assert reply("Answer in one word.", "What do you think of NFTs?") == "NFTs."
    assert len(reply("Answer in full sentences.").split()) > 10


def test_stop_sequences(emu: Emulator) -> None:
    full = content_of(post_chat(emu, chat_body("hi", persona_id=PERSONA_GEN_Z)))
    assert "answer" in full
    for stop in ("answer", ["zzz", "answer"]):
        cut = post_chat(emu, chat_body("hi", persona_id=PERSONA_GEN_Z, stop=stop)).json()["choices"][0]
        assert cut["finish_reason"] == "stop"
        assert "answer" not in cut["message"]["content"]
        assert full.startswith(cut["message"]["content"])


def test_max_tokens_truncates_with_finish_reason_length(emu: Emulator) -> None:
    body = post_chat(emu, chat_body(max_tokens=5)).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert len(body["choices"][0]["message"]["content"].split()) == 5
    assert body["usage"]["completion_tokens"] == 5


def test_analysis_mode(emu: Emulator) -> None:
    plain = post_chat(emu, chat_body(persona_id=PERSONA_CMO)).json()
    body = post_chat(emu, chat_body(persona_id=PERSONA_CMO, analysis_mode=True)).json()
    assert "analysis" not in plain
    analysis = body["analysis"]
    assert isinstance(analysis["confidence"], int)
    assert 1 <= analysis["confidence"] <= 10
    for key in ("emotional_valence", "arousal", "dominance"):
        assert 0 <= analysis["emotion"][key] <= 10
    assert 0 <= len(analysis["biases"]) <= 3
    assert all(set(b) == {"name", "description"} for b in analysis["biases"])
    assert 2 <= len(analysis["insights"]) <= 4
    assert all(isinstance(i, str) for i in analysis["insights"])
    assert body["usage"]["credits_used"] >= plain["usage"]["credits_used"]


def test_openai_sdk_reads_analysis(client: OpenAI) -> None:
    response = client.chat.completions.create(
        model="mavera-1",
        messages=[{"role": "user", "content": "How do millennials feel about remote work?"}],
        extra_body={"persona_id": PERSONA_GEN_Z, "analysis_mode": True},
    )
    assert response.analysis["confidence"] >= 1  # type: ignore[attr-defined]
    assert response.usage is not None
    assert response.usage.credits_used >= 1  # type: ignore[attr-defined]


# --- streaming --------------------------------------------------------------


def test_stream_reassembles_to_the_non_streamed_content(emu: Emulator) -> None:
    body = chat_body(persona_id=PERSONA_CMO, verbosity="high", reasoning_effort="high")
    expected = post_chat(emu, body).json()
    capture = stream_chat(emu, body)
    assert capture.status == 200
    assert capture.headers["content-type"].startswith("text/event-stream")
    assert capture.headers["x-served-by"] == SERVED_BY
    assert capture.data[-1] == "[DONE]"
    chunks = capture.chunks
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert all(c["id"] == expected["id"] and c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == expected["choices"][0]["message"]["content"]
    content_chunks = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]
    assert len(content_chunks) >= len(text.split()) / 3
    assert all(1 <= len(c["choices"][0]["delta"]["content"].split()) <= 3 for c in content_chunks)


def test_stream_usage_trailing_by_default(emu: Emulator) -> None:
    body = chat_body(persona_id=PERSONA_GEN_Z, analysis_mode=True)
    expected = post_chat(emu, body).json()
    chunks = stream_chat(emu, body).chunks
    finish, trailer = chunks[-2], chunks[-1]
    assert finish["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    assert "usage" not in finish
    assert trailer["choices"] == []
    assert trailer["usage"] == expected["usage"]
    assert trailer["analysis"] == expected["analysis"]


def test_stream_usage_on_final_chunk() -> None:
    with run_emulator(stream_usage_placement="final_chunk") as emu:
        chunks = stream_chat(emu, chat_body(analysis_mode=True)).chunks
        last = chunks[-1]
        assert last["choices"][0]["finish_reason"] == "stop"
        assert {"usage", "analysis"} <= set(last)
        assert all(c["choices"] for c in chunks)


def test_openai_sdk_stream(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model="mavera-1",
        messages=[{"role": "user", "content": "Write a story about a cat."}],
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"persona_id": PERSONA_GEN_Z},
    )
    pieces: list[str] = []
    usage = None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        usage = chunk.usage or usage
    assert len(pieces) > 10
    assert usage is not None
    assert usage.completion_tokens == len("".join(pieces).split())


def test_stream_chunks_are_flushed_individually(emu: Emulator) -> None:
    emu.faults.push(Fault("slow_stream", after_chunks=2, delay=0.4))
    capture = stream_chat(emu, chat_body())
    assert capture.arrival[1] < 0.3  # the first events arrived before the pause
    assert capture.arrival[2] - capture.arrival[1] >= 0.35
    assert capture.data[-1] == "[DONE]"


# --- tools ------------------------------------------------------------------


def tool_call_of(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    (call,) = choice["message"]["tool_calls"]
    assert re.fullmatch(r"call_[0-9a-f]{24}", call["id"])
    assert call["type"] == "function"
    return call["function"]["name"], json.loads(call["function"]["arguments"])


def test_tool_call_from_prompt_numbers(emu: Emulator) -> None:
    body = chat_body("What is the value of magic_function(3)? Use the tool.", tools=[MAGIC_FUNCTION])
    response = post_chat(emu, body).json()
    assert response["choices"][0]["message"]["content"] is None
    assert tool_call_of(response) == ("magic_function", {"input": 3})


@pytest.mark.parametrize(
    "tool_choice", ["required", "any", {"type": "function", "function": {"name": "my_adder_tool"}}]
)
def test_forced_tool_call(emu: Emulator, tool_choice: Any) -> None:
    body = chat_body("What is 1 + 2", tools=[ADDER, WEATHER], tool_choice=tool_choice)
    assert tool_call_of(post_chat(emu, body).json()) == ("my_adder_tool", {"a": 1, "b": 2})


def test_tool_choice_none_and_unmentioned_tools_answer_in_text(emu: Emulator) -> None:
    for extra in ({"tool_choice": "none"}, {}):
        body = chat_body(
            "What is the value of magic_function(3)?" if extra else "Hello!", tools=[MAGIC_FUNCTION], **extra
        )
        choice = post_chat(emu, body).json()["choices"][0]
        assert choice["finish_reason"] == "stop"
        assert choice["message"]["content"]


def test_string_arguments_and_unicode_stay_unescaped(emu: Emulator) -> None:
    customer = {
        "type": "function",
        "function": {
            "name": "unicode_customer",
            "parameters": {
                "type": "object",
                "properties": {"customer_name": {"type": "string"}, "description": {"type": "string"}},
                "required": ["customer_name", "description"],
            },
        },
    }
    prompt = "Create a customer named '你好啊集团' (Hello Group) - a Chinese technology company"
    response = post_chat(emu, chat_body(prompt, tools=[customer], tool_choice="required"))
    assert "你好啊集团".encode() in response.body
    raw_arguments = response.json()["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert "\\u" not in raw_arguments
    name, arguments = tool_call_of(response.json())
    assert name == "unicode_customer"
    assert arguments["customer_name"] == "你好啊集团"
    assert arguments["description"]

    weather = post_chat(emu, chat_body("What is the weather in San Francisco, CA?", tools=[WEATHER])).json()
    assert tool_call_of(weather) == ("get_weather", {"location": "San Francisco, CA"})


def test_no_parameter_tool_gets_empty_arguments(emu: Emulator) -> None:
    tool = {
        "type": "function",
        "function": {"name": "magic_function_no_args", "parameters": {"type": "object", "properties": {}}},
    }
    body = chat_body("What is the value of magic_function_no_args()? Use the tool.", tools=[tool])
    assert tool_call_of(post_chat(emu, body).json()) == ("magic_function_no_args", {})


def test_parallel_tool_calls(emu: Emulator) -> None:
    prompt = "Check the weather in Paris and run magic_function on 4."
    calls = post_chat(emu, chat_body(prompt, tools=[MAGIC_FUNCTION, WEATHER])).json()["choices"][0][
        "message"
    ]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["magic_function", "get_weather"]
    single = post_chat(
        emu, chat_body(prompt, tools=[MAGIC_FUNCTION, WEATHER], parallel_tool_calls=False)
    ).json()
    assert len(single["choices"][0]["message"]["tool_calls"]) == 1


def test_streamed_tool_calls_reassemble(emu: Emulator) -> None:
    body = chat_body("What is the value of magic_function(3)? Use the tool.", tools=[MAGIC_FUNCTION])
    expected = post_chat(emu, body).json()["choices"][0]["message"]["tool_calls"][0]
    chunks = stream_chat(emu, body).chunks
    deltas = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c["choices"] and "tool_calls" in c["choices"][0]["delta"]
    ]
    assert deltas[0]["id"] == expected["id"]
    assert deltas[0]["function"]["name"] == "magic_function"
    assert len(deltas) > 2
    assert "".join(d["function"]["arguments"] for d in deltas) == expected["function"]["arguments"]
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"


def test_tool_results_are_answered_in_text(emu: Emulator) -> None:
    messages = [
        {"role": "user", "content": "What is 1 + 2"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "abc123",
                    "type": "function",
                    "function": {"name": "my_adder_tool", "arguments": '{"a": 1, "b": 2}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "abc123", "content": json.dumps({"result": 3})},
    ]
    choice = post_chat(emu, chat_body(messages=messages, tools=[ADDER], persona_id=PERSONA_CMO)).json()[
        "choices"
    ][0]
    assert choice["finish_reason"] == "stop"
    assert "my_adder_tool" in choice["message"]["content"]
    assert "the result is 3" in choice["message"]["content"]
    messages[-1] = {"role": "tool", "tool_call_id": "abc123", "content": "It's sunny."}
    text = content_of(post_chat(emu, chat_body(messages=messages, tools=[ADDER])))
    assert text.startswith("I ran my_adder_tool and it returned: It's sunny.")


# --- structured output ------------------------------------------------------


def conforms(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    """A small JSON-schema checker covering what the emulator claims to support."""
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return conforms(value, root["$defs"][name], root)
    if "anyOf" in schema:
        return any(conforms(value, option, root) for option in schema["anyOf"])
    if "enum" in schema:
        return value in schema["enum"]
    kind = schema.get("type")
    checks = {
        "object": lambda: (
            isinstance(value, dict)
            and all(k in value for k in schema.get("required", []))
            and all(
                conforms(value[k], s, root) for k, s in schema.get("properties", {}).items() if k in value
            )
        ),
        "array": lambda: isinstance(value, list) and all(conforms(v, schema["items"], root) for v in value),
        "string": lambda: isinstance(value, str) and bool(value),
        "integer": lambda: isinstance(value, int) and not isinstance(value, bool),
        "number": lambda: isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": lambda: isinstance(value, bool),
        "null": lambda: value is None,
    }
    return bool(checks[str(kind)]())


def structured(emu: Emulator, prompt: str, schema: dict[str, Any]) -> Any:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": schema, "strict": True},
    }
    body = post_chat(emu, chat_body(prompt, persona_id=PERSONA_GEN_Z, response_format=response_format)).json()
    return json.loads(body["choices"][0]["message"]["content"])


def test_json_schema_joke(emu: Emulator) -> None:
    joke = structured(emu, "Tell me a joke about cats.", JOKE_SCHEMA)
    assert set(joke) == {"setup", "punchline"}
    assert conforms(joke, JOKE_SCHEMA, JOKE_SCHEMA)
    assert "cat" in joke["setup"]


def test_json_schema_with_refs_nullable_enums_and_numbers(emu: Emulator) -> None:
    schema = {
        "$defs": {
            "Product": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "price": {"type": "number"},
                    "tier": {"type": "string", "enum": ["basic", "pro"]},
                },
                "required": ["name", "price", "tier"],
            }
        },
        "type": "object",
        "properties": {
            "verdict": {"type": "string"},
            "score": {"type": "integer", "minimum": 1, "maximum": 10},
            "products": {"type": "array", "items": {"$ref": "#/$defs/Product"}},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "would_buy": {"type": "boolean"},
        },
        "required": ["verdict", "score", "products", "note", "would_buy"],
    }
    value = structured(emu, "Rate 2 budgeting apps priced at 4.99 for students.", schema)
    assert conforms(value, schema, schema)
    assert value["score"] == 2
    assert value["products"][0]["price"] == 4.99
    assert value["products"][0]["tier"] == "basic"


def test_json_schema_optional_field_can_be_left_null(emu: Emulator) -> None:
    schema = {
        "type": "object",
        "properties": {
            "setup": {"type": "string"},
            "punchline": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        },
        "required": ["setup", "punchline"],
    }
    assert (
        structured(emu, "Give me the setup to a joke about cats, no punchline.", schema)["punchline"] is None
    )
    assert structured(emu, "Give me a joke about cats, include the punchline.", schema)["punchline"]


def test_json_object_mode(emu: Emulator) -> None:
    prompt = "Tell me a joke about cats. Return the result as a JSON with 'setup' and 'punchline' keys."
    body = post_chat(emu, chat_body(prompt, response_format={"type": "json_object"})).json()
    assert set(json.loads(body["choices"][0]["message"]["content"])) == {"setup", "punchline"}
    plain = post_chat(emu, chat_body("Describe our brand", response_format={"type": "json_object"})).json()
    assert set(json.loads(plain["choices"][0]["message"]["content"])) == {"answer"}


def test_structured_stream_equals_non_stream(emu: Emulator) -> None:
    body = chat_body(
        "Tell me a joke about cats.",
        response_format={"type": "json_schema", "json_schema": {"name": "Joke", "schema": JOKE_SCHEMA}},
    )
    expected = post_chat(emu, body).json()["choices"][0]["message"]["content"]
    chunks = stream_chat(emu, body).chunks
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == expected


# --- personas ---------------------------------------------------------------


def list_personas(emu: Emulator, query: str = "") -> dict[str, Any]:
    response = send(emu, "GET", f"/personas{query}")
    assert response.status == 200, response.body
    return dict(response.json())


def test_persona_catalog(emu: Emulator) -> None:
    body = list_personas(emu)
    assert (body["object"], body["has_more"], body["next_cursor"]) == ("list", False, None)
    assert len(body["data"]) == len(PERSONAS) == 14
    assert body["data"][0] == {
        "id": "clx1abc2d0001abcdef123456",
        "object": "persona",
        "name": "Gen Z Consumer",
        "category": "Generational",
        "description": "Digital-native consumer aged 18-25 with strong social media influence.",
        "is_custom": False,
        "is_expert": False,
        "created_at": 1706140800,
    }
    assert body["data"][1]["id"] == "clx2xyz9e0002abcdef789012"
    assert body["data"][1]["name"] == "SaaS CMO"
    for persona in body["data"]:
        assert re.fullmatch(r"clx[0-9a-z]{22}", persona["id"])
    assert {p["category"] for p in body["data"]} == {
        "Generational",
        "Professional",
        "Lifestyle",
        "IndustrySpecific",
        "Expert",
    }


def test_persona_filters(emu: Emulator) -> None:
    generational = list_personas(emu, "?category=generational")["data"]
    assert generational
    assert all(p["category"] == "Generational" for p in generational)
    custom = list_personas(emu, "?is_custom=true")["data"]
    assert custom
    assert all(p["is_custom"] for p in custom)
    assert len(custom) + len(list_personas(emu, "?is_custom=false")["data"]) == len(PERSONAS)
    found = list_personas(emu, "?search=SOCIAL%20media")["data"]
    assert [p["name"] for p in found] == ["Gen Z Consumer"]
    assert list_personas(emu, "?search=cmo")["data"][0]["name"] == "SaaS CMO"
    assert list_personas(emu, "?category=Martian")["data"] == []


def test_persona_pagination_follows_next_cursor(emu: Emulator) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "?limit=5" + (f"&cursor={cursor}" if cursor else "")
        page = list_personas(emu, query)
        seen += [p["id"] for p in page["data"]]
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 3
    assert seen == [p.id for p in PERSONAS]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=bogus!", "cursor"),
        ("?is_custom=maybe", "is_custom"),
    ],
)
def test_persona_query_errors(emu: Emulator, query: str, param: str) -> None:
    response = send(emu, "GET", f"/personas{query}")
    assert response.status == 400
    assert (error_of(response)["code"], error_of(response)["param"]) == ("invalid_field", param)


def test_get_persona_by_id(emu: Emulator) -> None:
    assert send(emu, "GET", f"/personas/{PERSONA_CMO}").json()["name"] == "SaaS CMO"
    missing = send(emu, "GET", "/personas/clx0000000000000000000000")
    assert missing.status == 404
    assert error_of(missing)["code"] == "resource_not_found"


# --- faults -----------------------------------------------------------------


def drain(client: OpenAI, content: str = "hi") -> str:
    """Stream a reply through the SDK and return its text."""
    stream = client.chat.completions.create(
        model="mavera-1", messages=[{"role": "user", "content": content}], stream=True
    )
    return "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)


@pytest.mark.parametrize(
    ("status", "code", "type_"),
    [
        (500, "internal_error", "api_error"),
        (503, "service_unavailable", "api_error"),
        (429, "rate_limit_exceeded", "rate_limit_error"),
    ],
)
def test_status_faults(emu: Emulator, status: int, code: str, type_: str) -> None:
    emu.faults.push(Fault("status", status=status, retry_after=2, times=2))
    for _ in range(2):
        response = post_chat(emu, chat_body())
        assert response.status == status
        assert response.headers["retry-after"] == "2"
        assert (error_of(response)["code"], error_of(response)["type"]) == (code, type_)
    assert post_chat(emu, chat_body()).status == 200
    assert len(emu.requests) == 3


def test_faults_are_fifo_and_path_scoped(emu: Emulator) -> None:
    emu.faults.push(Fault("status", status=500))
    emu.faults.push(Fault("status", status=503, path="/personas"))
    emu.faults.push(Fault("status", status=502))
    assert send(emu, "GET", "/personas").status == 503
    assert post_chat(emu, chat_body()).status == 500
    assert post_chat(emu, chat_body()).status == 502
    assert post_chat(emu, chat_body()).status == 200


def test_close_fault_drops_the_connection(emu: Emulator, client: OpenAI) -> None:
    emu.faults.push(Fault("close"))
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="mavera-1", messages=[{"role": "user", "content": "hi"}])
    assert len(emu.requests) == 1


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("<html><body>502 Bad Gateway</body></html>", "text/html"),
        ("not json", "application/json"),
        ('{"id": "chatcmpl_x", "object": "chat.completion"}', "application/json"),
    ],
)
def test_malformed_fault(emu: Emulator, raw: str, content_type: str) -> None:
    emu.faults.push(Fault("malformed", body=raw, content_type=content_type))
    response = post_chat(emu, chat_body())
    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert response.body == raw.encode()


def test_bad_analysis_fault(emu: Emulator) -> None:
    emu.faults.push(Fault("bad_analysis", analysis_value=["not", "an", "object"]))
    assert post_chat(emu, chat_body(analysis_mode=True)).json()["analysis"] == ["not", "an", "object"]
    emu.faults.push(Fault("bad_analysis"))
    trailer = stream_chat(emu, chat_body(analysis_mode=True)).chunks[-1]
    assert trailer["analysis"] == "analysis unavailable"


def test_cut_stream_fault(emu: Emulator, client: OpenAI) -> None:
    emu.faults.push(Fault("cut_stream", after_chunks=4))
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    connection.request(
        "POST",
        "/api/v1/chat/completions",
        body=json.dumps(chat_body(stream=True)),
        headers={"Authorization": f"Bearer {emu.api_key}"},
    )
    response = connection.getresponse()
    with pytest.raises(http.client.IncompleteRead) as raised:
        response.read()
    received = raised.value.partial.decode()
    assert received.count("data: ") == 4
    assert "[DONE]" not in received
    assert '"finish_reason":"stop"' not in received
    connection.close()

    emu.faults.push(Fault("cut_stream", after_chunks=3))
    with pytest.raises((httpx.RemoteProtocolError, openai.APIConnectionError)):
        drain(client)


def test_graceful_cut_stream_ends_without_done(emu: Emulator) -> None:
    emu.faults.push(Fault("cut_stream", after_chunks=3, graceful=True))
    capture = stream_chat(emu, chat_body())
    assert len(capture.data) == 3
    assert "[DONE]" not in capture.data


def test_stream_error_fault(emu: Emulator, client: OpenAI) -> None:
    emu.faults.push(Fault("stream_error", after_chunks=2))
    capture = stream_chat(emu, chat_body())
    assert len(capture.data) == 3
    assert json.loads(capture.data[-1])["error"]["code"] == "internal_error"
    emu.faults.push(
        Fault(
            "stream_error",
            after_chunks=2,
            error={"message": "boom", "type": "api_error", "code": "x", "param": None},
        )
    )
    with pytest.raises(openai.APIError, match="boom"):
        drain(client)


def test_sse_comments_fault_is_transparent_to_clients(emu: Emulator, client: OpenAI) -> None:
    expected = content_of(post_chat(emu, chat_body("hi")))
    emu.faults.push(Fault("sse_comments"))
    capture = stream_chat(emu, chat_body("hi"))
    assert capture.lines.count(": keep-alive") == len(capture.data)
    emu.faults.push(Fault("sse_comments"))
    assert drain(client) == expected


def test_stream_faults_wait_for_a_streaming_request(emu: Emulator) -> None:
    emu.faults.push(Fault("cut_stream", after_chunks=1, graceful=True))
    assert post_chat(emu, chat_body()).status == 200
    assert len(emu.faults.pending()) == 1
    assert len(stream_chat(emu, chat_body()).data) == 1
    assert emu.faults.pending() == []


def test_unknown_fault_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("explode")  # type: ignore[arg-type]


# --- rate limiting ----------------------------------------------------------


def test_rate_limit_window() -> None:
    with run_emulator(rate_limit_per_minute=3) as emu:
        remaining = [send(emu, "GET", "/personas").headers["x-ratelimit-remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        limited = send(emu, "GET", "/personas")
        assert limited.status == 429
        error = error_of(limited)
        assert (error["type"], error["code"]) == ("rate_limit_error", "rate_limit_exceeded")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-ratelimit-remaining"] == "0"
        other_key = send(emu, "GET", "/personas", key="mvra_live_" + "z" * 32)
        assert other_key.status == 200
        emu.reset()
        assert send(emu, "GET", "/personas").status == 200


def test_rate_limit_window_slides() -> None:
    with run_emulator(rate_limit_per_minute=1, rate_limit_window=0.3) as emu:
        assert send(emu, "GET", "/personas").status == 200
        assert send(emu, "GET", "/personas").status == 429
        time.sleep(0.35)
        assert send(emu, "GET", "/personas").status == 200
