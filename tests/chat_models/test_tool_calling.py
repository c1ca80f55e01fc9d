"""Tool calling against recorded Mavera interactions (cassettes/test_tool_calling/)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_mavera import ChatMavera

pytestmark = pytest.mark.vcr

PERSONA_ID = "clx1abc2d0001abcdef123456"


@tool
def magic_function(input: int) -> int:  # the standard tests' tool name and shape
    """Apply a magic function to an input."""
    return input + 2


@tool
def translate(text: str, target_language: str) -> str:
    """Translate a text into a target language."""
    return text


def _model() -> ChatMavera:
    return ChatMavera(persona_id=PERSONA_ID)


def _streamed(runnable, prompt: object) -> tuple[list[BaseMessageChunk], BaseMessageChunk]:  # type: ignore[no-untyped-def]
    chunks = list(runnable.stream(prompt))
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return chunks, total


def test_stream_tool_call_chunks_aggregate_to_the_invoke_tool_calls() -> None:
    bound = _model().bind_tools([magic_function, translate])
    prompt = 'What is magic_function(3)? Also translate "good morning" into "French".'
    invoked = bound.invoke(prompt)
    chunks, streamed = _streamed(bound, prompt)

    assert isinstance(streamed, AIMessageChunk)
    assert [c["name"] for c in invoked.tool_calls] == ["magic_function", "translate"]
    assert invoked.tool_calls[0]["args"] == {"input": 3}
    # Arguments arrive in pieces across several chunks and must reassemble exactly.
    pieces = [tc for chunk in chunks for tc in chunk.tool_call_chunks]  # type: ignore[attr-defined]
    assert len(pieces) > len(invoked.tool_calls)
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.invalid_tool_calls == invoked.invalid_tool_calls == []
    assert streamed.response_metadata["finish_reason"] == invoked.response_metadata["finish_reason"]
    assert chunks[-1].chunk_position == "last"  # type: ignore[attr-defined]


def test_unicode_arguments_stay_unescaped() -> None:
    bound = _model().bind_tools([translate], tool_choice="translate")
    prompt = '把 "我喜欢可重复填充的包装" 翻译成 "日本語"'
    invoked = bound.invoke(prompt)
    _, streamed = _streamed(bound, prompt)
    expected = {"text": "我喜欢可重复填充的包装", "target_language": "日本語"}
    assert invoked.tool_calls[0]["args"] == expected
    assert streamed.tool_calls[0]["args"] == expected  # type: ignore[attr-defined]
    # The raw streamed argument text keeps the characters, not \uXXXX escapes.
    raw_arguments = "".join(c["args"] or "" for c in streamed.tool_call_chunks)  # type: ignore[attr-defined]
    assert "我喜欢可重复填充的包装" in raw_arguments
    assert "\\u" not in raw_arguments


def _history(result: ToolMessage) -> list:  # type: ignore[type-arg]
    return [
        HumanMessage("What is magic_function(3)?"),
        AIMessage("", tool_calls=[{"name": "magic_function", "args": {"input": 3}, "id": "call_magic_1"}]),
        result,
    ]


@pytest.mark.parametrize(
    "result",
    [
        ToolMessage("5", tool_call_id="call_magic_1", name="magic_function"),
        ToolMessage([{"type": "text", "text": "5"}], tool_call_id="call_magic_1", name="magic_function"),
        ToolMessage("Error: magic_function is out of magic.", tool_call_id="call_magic_1", status="error"),
    ],
    ids=["string", "list", "error"],
)
def test_tool_message_histories_get_an_answer(result: ToolMessage) -> None:
    answer = _model().bind_tools([magic_function]).invoke(_history(result))
    assert isinstance(answer, AIMessage)
    assert answer.content
    assert answer.tool_calls == []
    assert answer.response_metadata["finish_reason"] == "stop"
