"""The interface every Mavera wire format implements.

`ChatMavera` speaks to a wire format only through this, so chat completions and
the Responses API are interchangeable behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from langchain_mavera._transport.sse import ServerSentEvent

if TYPE_CHECKING:  # annotations only: httpx2 is imported with the SDK, at the first request
    import httpx2


class StreamParser(Protocol):
    """Turns one stream's events into chunks, holding the end-of-stream facts."""

    complete: bool
    """True once the server signalled a normal end (a finish reason or [DONE])."""

    def feed(self, event: ServerSentEvent) -> ChatGenerationChunk | None:
        """The chunk for one event, None for bookkeeping events; raises typed errors."""
        ...

    def final_chunk(self) -> ChatGenerationChunk:
        """The closing chunk: metadata, usage and analysis, emitted exactly once."""
        ...


class WireFormat(Protocol):
    """A Mavera generation endpoint: request building and reply parsing."""

    path: str

    def build_payload(
        self, messages: Sequence[BaseMessage], params: Mapping[str, Any], *, stream: bool
    ) -> dict[str, Any]:
        """The JSON body for one call."""
        ...

    def parse_response(
        self, body: Mapping[str, Any], response: httpx2.Response, persona_id: str | None
    ) -> ChatResult:
        """The LangChain result for a non-streaming reply."""
        ...

    def stream_parser(self, response: httpx2.Response, persona_id: str | None) -> StreamParser:
        """A fresh parser for one streaming reply."""
        ...
