"""Server-sent events decoding."""

from __future__ import annotations

from langchain_mavera._sse import ServerSentEvent, SSEDecoder


def _decode(lines: list[str]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for line in lines if (event := decoder.feed(line)) is not None]
    tail = decoder.flush()
    return [*events, tail] if tail else events


def test_data_events_comments_and_names() -> None:
    events = _decode(
        [
            ": keep-alive",
            "",
            'data: {"a": 1}',
            "",
            "event: response.completed",
            "data: {}",
            "",
            "data: [DONE]",
            "",
        ]
    )
    assert events == [
        ServerSentEvent(None, '{"a": 1}'),
        ServerSentEvent("response.completed", "{}"),
        ServerSentEvent(None, "[DONE]"),
    ]


def test_multiline_data_and_missing_final_blank_line() -> None:
    assert _decode(["data: line one", "data:line two"]) == [ServerSentEvent(None, "line one\nline two")]


def test_blank_lines_alone_dispatch_nothing() -> None:
    assert _decode(["", "", ": comment", ""]) == []
