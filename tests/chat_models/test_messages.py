"""LangChain messages to Mavera chat-completions message dicts."""

from __future__ import annotations

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    HumanMessageChunk,
    SystemMessage,
    ToolMessage,
)

from langchain_mavera.chat_models import _messages
from langchain_mavera.chat_models._messages import to_wire_message, to_wire_messages
from langchain_mavera.errors import UnsupportedContentError


def test_plain_roles() -> None:
    wire = to_wire_messages(
        [
            SystemMessage("Be brief."),
            HumanMessage("Hi"),
            AIMessage("Hello"),
            ChatMessage(role="developer", content="x"),
        ]
    )
    assert wire == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"role": "developer", "content": "x"},
    ]


def test_name_is_kept() -> None:
    assert to_wire_message(HumanMessage("Hi", name="ana")) == {"role": "user", "content": "Hi", "name": "ana"}


def test_empty_conversation_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one message"):
        to_wire_messages([])


@pytest.mark.parametrize(
    ("block", "url"),
    [
        ({"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}, "https://x.test/a.png"),
        ({"type": "image_url", "image_url": "data:image/png;base64,AAAA"}, "data:image/png;base64,AAAA"),
        ({"type": "image", "url": "https://x.test/b.jpg"}, "https://x.test/b.jpg"),
        ({"type": "image", "base64": "QUJD", "mime_type": "image/jpeg"}, "data:image/jpeg;base64,QUJD"),
        (
            {"type": "image", "source_type": "base64", "data": "QUJD", "mime_type": "image/gif"},
            "data:image/gif;base64,QUJD",
        ),
        ({"type": "image", "source_type": "url", "url": "https://x.test/c.png"}, "https://x.test/c.png"),
    ],
)
def test_images_become_attachments_and_text_is_joined(block: dict[str, object], url: str) -> None:
    message = HumanMessage(content=[{"type": "text", "text": "What is this?"}, block, "Be honest."])
    assert to_wire_message(message) == {
        "role": "user",
        "content": "What is this?\nBe honest.",
        "attachments": [{"type": "image", "url": url}],
    }


@pytest.mark.parametrize(
    "block",
    [
        {"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"},
        {"type": "file", "base64": "AAAA", "mime_type": "application/pdf"},
        {"type": "video", "url": "https://x.test/v.mp4"},
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
    ],
)
def test_unsupported_blocks_name_their_type(block: dict[str, object]) -> None:
    with pytest.raises(UnsupportedContentError, match=repr(block["type"])):
        to_wire_message(HumanMessage(content=[{"type": "text", "text": "hi"}, block]))


def test_image_with_unusable_url_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        to_wire_message(HumanMessage(content=[{"type": "image", "url": "file:///etc/passwd"}]))


def test_assistant_tool_calls_round_trip_with_unicode() -> None:
    message = AIMessage(
        content="",
        tool_calls=[{"name": "translate", "args": {"text": "你好"}, "id": "call_1", "type": "tool_call"}],
    )
    assert to_wire_message(message) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "translate", "arguments": '{"text": "你好"}'},
            }
        ],
    }


def test_assistant_output_blocks_are_not_resent() -> None:
    message = AIMessage(
        content=[
            {"type": "text", "text": "Sure."},
            {"type": "tool_call", "id": "call_1", "name": "f", "args": {}},
        ],
        tool_calls=[{"name": "f", "args": {}, "id": "call_1", "type": "tool_call"}],
    )
    wire = to_wire_message(message)
    assert wire["content"] == "Sure."
    assert wire["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}


def test_tool_messages_string_list_and_error_status() -> None:
    assert to_wire_message(ToolMessage("42", tool_call_id="call_1")) == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "42",
    }
    listed = ToolMessage(
        content=[{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], tool_call_id="c"
    )
    assert to_wire_message(listed)["content"] == "a\nb"
    failed = ToolMessage("boom: division by zero", tool_call_id="c", status="error")
    assert to_wire_message(failed)["content"] == "boom: division by zero"


def test_analysis_in_history_is_not_sent_back() -> None:
    message = AIMessage(
        "Earlier answer", response_metadata={"analysis": {"confidence": 8}, "credits_used": 2}
    )
    assert to_wire_message(message) == {"role": "assistant", "content": "Earlier answer"}


def test_unsupported_content_error_is_public() -> None:
    import langchain_mavera

    assert langchain_mavera.UnsupportedContentError is UnsupportedContentError
    assert "UnsupportedContentError" in langchain_mavera.__all__
    assert issubclass(UnsupportedContentError, ValueError)


class _Str(str):
    """A str subclass: not plain content, so it takes the full conversion."""


_VARIANTS = [
    HumanMessage("Hi"),
    SystemMessage("Be brief."),
    AIMessage("Hello"),
    AIMessage(""),
    HumanMessage(""),
    HumanMessage("Hi", name="ana"),
    AIMessage("Hello", name="bot"),
    AIMessage("", tool_calls=[{"name": "f", "args": {"x": 1}, "id": "c1"}]),
    AIMessage("Let me look.", tool_calls=[{"name": "f", "args": {}, "id": "c1"}]),
    AIMessage("", invalid_tool_calls=[{"name": "f", "args": "{", "id": "c2", "error": None}]),
    AIMessageChunk(content="Hello"),
    HumanMessageChunk(content="Hi"),
    HumanMessage(_Str("Hi")),
    HumanMessage(["a", {"type": "text", "text": "b"}]),
    ChatMessage(role="developer", content="x"),
    ToolMessage("42", tool_call_id="c1"),
]


@pytest.mark.parametrize("message", _VARIANTS, ids=lambda m: f"{type(m).__name__}")
def test_plain_turns_convert_exactly_as_the_full_path_does(
    message: BaseMessage, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = to_wire_message(message)
    monkeypatch.setattr(_messages, "_plain_wire_message", lambda _message: None)
    assert fast == to_wire_message(message)
    assert list(fast) == list(to_wire_message(message))  # the same keys, in the same order on the wire


def test_a_long_plain_history_skips_the_full_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    def full_path(_message: BaseMessage) -> str:
        raise AssertionError("plain-text turns should not need the role lookup")

    monkeypatch.setattr(_messages, "role_of", full_path)
    history = [HumanMessage("q") if i % 2 == 0 else AIMessage("a") for i in range(1000)]
    wire = to_wire_messages([SystemMessage("Be brief."), *history])
    assert wire[:3] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a"},
    ]
