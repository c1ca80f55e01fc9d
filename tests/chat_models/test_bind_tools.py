"""bind_tools: conversion of every tool kind, tool_choice mapping, and what is sent."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from tests.fake_mavera import FakeMavera, completion, tool_call


class GetWeather(BaseModel):
    """Get the current weather in a city."""

    city: str = Field(description="City name")


class Lookup(TypedDict):
    """Look a word up."""

    word: str


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def shout(text: str) -> str:
    """Upper-case some text."""
    return text.upper()


DICT_TOOL = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web.",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
    },
}


FORCE_ADD = {"type": "function", "function": {"name": "add"}}


def _sent(recorder: FakeMavera, runnable: Runnable[Any, Any], prompt: str = "hi") -> dict[str, Any]:
    runnable.invoke(prompt)
    return recorder.bodies()[-1]


def test_every_tool_kind_is_sent_as_a_function_tool() -> None:
    recorder = FakeMavera()
    body = _sent(recorder, recorder.model().bind_tools([GetWeather, Lookup, add, shout, DICT_TOOL]))
    assert [t["type"] for t in body["tools"]] == ["function"] * 5
    names = [t["function"]["name"] for t in body["tools"]]
    assert names == ["GetWeather", "Lookup", "add", "shout", "search"]
    assert body["tools"][0]["function"]["parameters"]["properties"]["city"]["description"] == "City name"
    assert body["tools"][2]["function"]["parameters"]["required"] == ["a", "b"]
    assert body["tools"][4] == DICT_TOOL
    assert "tool_choice" not in body
    assert "parallel_tool_calls" not in body


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("GetWeather", {"type": "function", "function": {"name": "GetWeather"}}),
        ("auto", "auto"),
        ("any", "required"),
        ("required", "required"),
        ("none", "none"),
        (True, "required"),
        (FORCE_ADD, FORCE_ADD),
    ],
)
def test_tool_choice_is_mapped_to_chat_completions(choice: Any, sent: object) -> None:
    recorder = FakeMavera()
    body = _sent(recorder, recorder.model().bind_tools([GetWeather, add], tool_choice=choice))
    assert body["tool_choice"] == sent


def test_unknown_tool_name_fails_before_any_request() -> None:
    recorder = FakeMavera()
    with pytest.raises(ValueError, match="'nope'"):
        recorder.model().bind_tools([GetWeather], tool_choice="nope")
    assert recorder.bodies() == []


def test_parallel_tool_calls_and_strict_are_sent() -> None:
    recorder = FakeMavera()
    body = _sent(recorder, recorder.model().bind_tools([GetWeather], parallel_tool_calls=False, strict=True))
    assert body["parallel_tool_calls"] is False
    function = body["tools"][0]["function"]
    assert function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False


def test_tool_calls_and_invalid_tool_calls_are_parsed() -> None:
    recorder = FakeMavera(
        completion(
            None,
            [
                tool_call("GetWeather", '{"city": "東京"}', "call_a"),
                tool_call("add", '{"a": 1, "b": ', "call_b"),
            ],
        )
    )
    message = recorder.model().bind_tools([GetWeather, add]).invoke("weather?")
    expected = {"name": "GetWeather", "args": {"city": "東京"}, "id": "call_a", "type": "tool_call"}
    assert message.tool_calls == [expected]
    assert [(c["name"], c["id"], c["args"]) for c in message.invalid_tool_calls] == [
        ("add", "call_b", '{"a": 1, "b": ')
    ]


def test_tool_histories_are_sent_in_chat_completions_shape() -> None:
    recorder = FakeMavera()
    history = [
        HumanMessage("What is 1 + 2 in 東京?"),
        AIMessage("", tool_calls=[{"name": "add", "args": {"a": 1, "b": 2, "city": "東京"}, "id": "call_1"}]),
        ToolMessage("3", tool_call_id="call_1"),
        AIMessage("", tool_calls=[{"name": "add", "args": {"a": 3, "b": 4}, "id": "call_2"}]),
        ToolMessage([{"type": "text", "text": "7"}], tool_call_id="call_2"),
        AIMessage("", tool_calls=[{"name": "add", "args": {"a": 0, "b": 0}, "id": "call_3"}]),
        ToolMessage("boom: overflow", tool_call_id="call_3", status="error"),
    ]
    recorder.model().bind_tools([add]).invoke(history)
    sent = recorder.bodies()[-1]["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "add", "arguments": '{"a": 1, "b": 2, "city": "東京"}'},
            }
        ],
    }
    assert sent[2] == {"role": "tool", "tool_call_id": "call_1", "content": "3"}
    assert sent[4] == {"role": "tool", "tool_call_id": "call_2", "content": "7"}
    assert sent[6] == {"role": "tool", "tool_call_id": "call_3", "content": "boom: overflow"}
