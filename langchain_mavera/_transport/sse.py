"""Server-sent events decoding shared by every streaming transport.

The openai SDK's own decoder hides whether the `[DONE]` sentinel arrived, and
that is exactly what tells a finished stream from a cut one, so we decode the
lines ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass

DONE = "[DONE]"
_UTF8_BOM = "\ufeff".encode()


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

    Lines are split on the bytes: CR and LF never occur inside a UTF-8
    multi-byte sequence, so everything up to the last line ending of a read is
    whole text and is decoded in one go; the bytes after it wait for the next
    read (they may end part-way through a character).
    """

    __slots__ = ("_after_cr", "_pending", "_started")

    def __init__(self) -> None:
        self._pending = b""
        self._started = False
        self._after_cr = False

    def feed(self, data: bytes) -> list[str]:
        """The lines completed by `data`, without their line endings."""
        if self._after_cr and data:  # a CRLF split across two reads: its LF ends no new line
            self._after_cr = False
            if data[:1] == b"\n":
                data = data[1:]
        if self._pending:
            data = self._pending + data
        if data[-1:] == b"\n":  # the usual read: whole lines, nothing left over
            self._pending = b""
        else:
            end = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            self._pending = data[end:]
            if not end:
                return []
            data = data[:end]
        text = data.decode("utf-8", "replace") if self._started else self._first(data)
        if "\r" in text:
            # Only a CR that ends the read can be the first half of a CRLF split across reads.
            self._after_cr = text[-1] == "\r" and not self._pending
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        lines.pop()  # the empty string after the last line ending
        return lines

    def _first(self, data: bytes) -> str:
        """The stream's first text: only its very first bytes may carry a byte-order mark."""
        self._started = True
        if data[:3] == _UTF8_BOM:
            data = data[3:]
        return data.decode("utf-8", "replace")

    def tail(self) -> str:
        """What arrived after the last line ending (empty when the stream ended on one)."""
        rest, self._pending = self._pending, b""
        if not rest:
            return ""
        return rest.decode("utf-8", "replace") if self._started else self._first(rest)
