"""Image blocks become Mavera attachments; blocks Mavera cannot take fail before any request."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from tests.fake_mavera import FakeMavera

JPEG = "/9j/4AAQSkZJRg=="
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
URL = "https://example.com/cat.png"


@pytest.mark.parametrize(
    ("block", "url"),
    [
        ({"type": "image", "url": URL}, URL),
        ({"type": "image", "base64": PNG_B64, "mime_type": "image/png"}, f"data:image/png;base64,{PNG_B64}"),
        ({"type": "image", "base64": JPEG, "mime_type": "image/jpeg"}, f"data:image/jpeg;base64,{JPEG}"),
        ({"type": "image_url", "image_url": {"url": URL}}, URL),
        ({"type": "image_url", "image_url": {"url": "http://example.com/a.png"}}, "http://example.com/a.png"),
        (
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
            f"data:image/png;base64,{PNG_B64}",
        ),
    ],
)
def test_image_blocks_become_attachments(block: dict[str, Any], url: str) -> None:
    recorder = FakeMavera()
    content: list[str | dict[str, Any]] = [
        {"type": "text", "text": "Describe"},
        block,
        {"type": "text", "text": "briefly"},
    ]
    message = HumanMessage(content=content)
    recorder.model().invoke([message])
    assert recorder.bodies()[-1]["messages"] == [
        {"role": "user", "content": "Describe\nbriefly", "attachments": [{"type": "image", "url": url}]}
    ]


@pytest.mark.parametrize(
    ("block", "named"),
    [
        ({"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"}, "'audio'"),
        # langchain-core normalises OpenAI input_audio to a standard audio block before we see it.
        ({"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}, "'audio'"),
        ({"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf"}, "'file'"),
        ({"type": "video", "url": "https://example.com/v.mp4"}, "'video'"),
        ({"type": "image", "file_id": "file-123"}, "Image block"),
        ({"type": "image_url", "image_url": {"url": "ftp://example.com/a.png"}}, "Image block"),
    ],
)
def test_unsupported_blocks_raise_before_any_request(block: dict[str, Any], named: str) -> None:
    recorder = FakeMavera()
    with pytest.raises(ValueError, match=named):
        recorder.model().invoke([HumanMessage(content=[{"type": "text", "text": "hi"}, block])])
    assert recorder.bodies() == []


@pytest.mark.parametrize("block_type", ["image", "file"])
def test_media_in_a_tool_result_raises_before_any_request(block_type: str) -> None:
    from langchain_core.messages import AIMessage, ToolMessage

    recorder = FakeMavera()
    history = [
        HumanMessage("Show me"),
        AIMessage("", tool_calls=[{"name": "screenshot", "args": {}, "id": "call_1"}]),
        ToolMessage(
            [{"type": block_type, "base64": PNG_B64, "mime_type": "image/png"}], tool_call_id="call_1"
        ),
    ]
    with pytest.raises(ValueError, match=f"'{block_type}' in a tool message"):
        recorder.model().invoke(history)
    assert recorder.bodies() == []
