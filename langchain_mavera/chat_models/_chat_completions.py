"""Mavera's `POST /chat/completions`: request bodies, replies and stream chunks.

Where the docs are silent (does analysis or usage arrive in a stream, and on
which chunk?) we accept them on any chunk, keep the last value seen, and emit
them once, on the closing chunk: LangChain sums ints and concatenates strings
when chunks are added, so emitting twice would corrupt them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from langchain_mavera._transport.sse import DONE, ServerSentEvent
from langchain_mavera.chat_models._deferred import error_from_stream_event, malformed_reply
from langchain_mavera.chat_models._messages import to_wire_messages
from langchain_mavera.chat_models._params import REQUEST_FIELDS
from langchain_mavera.chat_models._replies import StreamState, answer, decode_event, delta_chunk, text_or_none

if TYPE_CHECKING:
    import httpx2


class ChatCompletions:
    """The chat-completions wire format (stateless; one shared instance)."""

    path = "/chat/completions"

    def build_payload(
        self, messages: Sequence[BaseMessage], params: Mapping[str, Any], *, stream: bool
    ) -> dict[str, Any]:
        """Known fields only when set; `extra_body` underneath them."""
        extra = params.get("extra_body")
        body: dict[str, Any] = dict(extra) if extra else {}
        body["model"] = params["model"]
        body["messages"] = to_wire_messages(messages)
        for field in REQUEST_FIELDS:
            value = params.get(field.name)
            if value is not None and (value is not False or field.sends_false):  # field.is_set, inlined
                body[field.name] = value
        if stream:
            body["stream"] = True
        return body

    def parse_response(
        self, body: Mapping[str, Any], response: httpx2.Response, persona_id: str | None
    ) -> ChatResult:
        """An AIMessage with content, tool calls, usage and the metadata contract."""
        if body.get("error") is not None:  # some servers send "error": null on success
            raise error_from_stream_event(body, response, None)
        choices = body.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
            raise malformed_reply(response, "no choices in the reply", response.text)
        choice = choices[0]
        message = choice.get("message")
        if not isinstance(message, Mapping):
            raise malformed_reply(response, "the choice has no message", response.text)
        return answer(
            body,
            response,
            content=message.get("content") or "",
            raw_tool_calls=message.get("tool_calls"),
            finish_reason=choice.get("finish_reason"),
            persona_id=persona_id,
        )

    def stream_parser(self, response: httpx2.Response, persona_id: str | None) -> ChunkParser:
        """A parser for one streaming reply."""
        return ChunkParser(response, persona_id)


class ChunkParser(StreamState):
    """Chat-completion chunks to LangChain chunks for one stream."""

    __slots__ = ("_finish_reason",)

    def __init__(self, response: httpx2.Response, persona_id: str | None) -> None:
        super().__init__(response, persona_id)
        self._finish_reason: Any = None

    def _decode(self, event: ServerSentEvent) -> Mapping[str, Any]:
        data = decode_event(event, self._response, "chunk")
        if data.get("error") is not None:
            raise error_from_stream_event(data, self._response, None)
        return data

    def feed(self, event: ServerSentEvent) -> ChatGenerationChunk | None:
        """The chunk carrying this event's text or tool-call deltas, if any."""
        if event.data == DONE:
            self.complete = True
            return None
        data = self._decode(event)
        self._model = data.get("model") or self._model
        self._id = text_or_none(data.get("id")) or self._id
        usage = data.get("usage")
        if isinstance(usage, Mapping):
            self._usage = usage
        if data.get("analysis") is not None:
            self._analysis = data["analysis"]
        choices = data.get("choices")
        if not choices or not isinstance(choices[0], Mapping):
            return None
        choice = choices[0]
        if choice.get("finish_reason"):
            self._finish_reason = choice["finish_reason"]
            self.complete = True
        delta = choice.get("delta") or {}
        content = delta.get("content") or ""
        raw_tool_calls = delta.get("tool_calls")
        if not content and not raw_tool_calls:
            return None
        calls = [
            tool_call_chunk(
                name=text_or_none((raw.get("function") or {}).get("name")),
                args=text_or_none((raw.get("function") or {}).get("arguments")),
                id=text_or_none(raw.get("id")),
                index=raw.get("index"),
            )
            for raw in raw_tool_calls or ()
        ]
        return delta_chunk(self._id, content, calls)

    def final_chunk(self) -> ChatGenerationChunk:
        """Finish reason, model, id, usage, credits, analysis and rate limit, once."""
        return self._closing_chunk(self._finish_reason)


CHAT_COMPLETIONS = ChatCompletions()
