"""Server-sent events decoding shared by every streaming transport.

The openai SDK's own decoder hides whether the `[DONE]` sentinel arrived, and
that is exactly what tells a finished stream from a cut one, so we decode the
lines ourselves.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

DONE = "[DONE]"
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event: its name (`None` when unnamed) and its data."""

    event: str | None
    data: str


class SSEDecoder:
    """Turns text lines into events, per the WHATWG event-stream rules we need.

    Comment lines (`: keep-alive`) and unknown fields are ignored; multi-line
    `data:` fields are joined with newlines; an event is dispatched at a blank
    line, or by `flush()` when the stream ends without one.
    """

    __slots__ = ("_data", "_event")

    def __init__(self) -> None:
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, line: str) -> ServerSentEvent | None:
        """Consume one line (without its line ending); return an event when complete."""
        if not line:
            return self.flush()
        if line[0] == ":":
            return None
        field, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        return None

    def flush(self) -> ServerSentEvent | None:
        """Dispatch whatever is pending; `None` when nothing is."""
        if not self._data:
            self._event = None
            return None
        event = ServerSentEvent(self._event, "\n".join(self._data))
        self._event = None
        self._data = []
        return event


class LineReader:
    """Bytes of an event stream to text lines, as the SSE rules say (not as `str.splitlines`).

    An event stream is always UTF-8, whatever charset its Content-Type claims;
    a leading byte-order mark is skipped; lines end only at CR, LF or CRLF, so a
    U+2028, U+2029 or U+0085 inside a JSON string stays text. Undecodable bytes
    become U+FFFD rather than failing the stream.
    """

    __slots__ = ("_after_cr", "_decoder", "_pending", "_started")

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self._started = False
        self._after_cr = False

    def feed(self, data: bytes) -> list[str]:
        """The lines completed by `data`, without their line endings."""
        text = self._decoder.decode(data)
        if not text:
            return []
        if not self._started:
            self._started = True
            if text[0] == _BOM:
                text = text[1:]
        if self._after_cr:  # a CRLF split across two reads: its LF ends no new line
            self._after_cr = False
            if text[:1] == "\n":
                text = text[1:]
        if self._pending:
            text = self._pending + text
        if "\r" in text:
            self._after_cr = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        self._pending = lines.pop()
        return lines

    def tail(self) -> str:
        """What arrived after the last line ending (empty when the stream ended on one)."""
        rest = self._pending + self._decoder.decode(b"", final=True)
        self._pending = ""
        return rest
