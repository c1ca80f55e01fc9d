"""Server-sent events decoding shared by every streaming transport.

The openai SDK's own decoder hides whether the `[DONE]` sentinel arrived, and
that is exactly what tells a finished stream from a cut one, so we decode the
lines ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass

DONE = "[DONE]"


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
