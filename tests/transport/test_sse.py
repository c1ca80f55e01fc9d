"""Server-sent events decoding."""

from __future__ import annotations

from langchain_mavera._transport.sse import LineReader, ServerSentEvent, SSEDecoder


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


# A stream exercising every framing rule: a BOM, LF, CRLF and lone CR endings, multi-byte
# characters (U+2028 inside JSON among them), an undecodable byte, and no final line ending.
_WIRE = (
    '\ufeffdata: {"t": "caf\u00e9 \u2028 \U0001f600"}\r\n\r\n'
    ": keep-alive\rdata: two\r\rdata: \u00e9\n\ndata: tail"
).encode() + b"\xff"
_LINES = [
    'data: {"t": "caf\u00e9 \u2028 \U0001f600"}',
    "",
    ": keep-alive",
    "data: two",
    "",
    "data: \u00e9",
    "",
]
_TAIL = "data: tail\ufffd"


def _read(reads: list[bytes]) -> tuple[list[str], str]:
    reader = LineReader()
    lines = [line for data in reads for line in reader.feed(data)]
    return lines, reader.tail()


def test_line_reader_whole_stream_at_once() -> None:
    assert _read([_WIRE]) == (_LINES, _TAIL)


def test_line_reader_gives_the_same_lines_whatever_the_read_boundaries() -> None:
    # Every cut point: inside the BOM, a CRLF, a multi-byte character; at a lone CR.
    for cut in range(1, len(_WIRE)):
        assert _read([_WIRE[:cut], _WIRE[cut:]]) == (_LINES, _TAIL), cut
    assert _read([bytes([byte]) for byte in _WIRE]) == (_LINES, _TAIL)


def test_line_reader_skips_only_a_leading_bom() -> None:
    lines, _ = _read([b"data: a\n", "\ufeffdata: b\n".encode()])
    assert lines == ["data: a", "\ufeffdata: b"]
