"""Mavera's `POST /chat/completions`: request bodies, replies and stream chunks.

Where the docs are silent (does analysis or usage arrive in a stream, and on
which chunk?) we accept them on any chunk, keep the last value seen, and emit
them once, on the closing chunk: LangChain sums ints and concatenates strings
when chunks are added, so emitting twice would corrupt them.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.output_parsers.openai_tools import make_invalid_tool_call, parse_tool_call
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_mavera._messages import to_wire_messages
from langchain_mavera._metadata import response_metadata, usage_metadata_from
from langchain_mavera._params import BODY_KEYS
from langchain_mavera._sse import DONE, ServerSentEvent

if TYPE_CHECKING:
    import httpx2

    from langchain_mavera.errors import MaveraAPIError, MaveraError


# `errors` subclasses the openai exceptions, so importing it imports the SDK;
# these two are needed only when a reply is bad, so they import it on demand and
# `from langchain_mavera import ChatMavera` stays free of the SDK's import cost.
def error_from_stream_event(
    payload: Mapping[str, Any], response: httpx2.Response, partial: None
) -> MaveraError:
    from langchain_mavera import errors

    return errors.error_from_stream_event(payload, response, partial)


def malformed_reply(response: httpx2.Response, what: str, raw_text: str) -> MaveraAPIError:
    from langchain_mavera import errors

    return errors.malformed_reply(response, what, raw_text)


def checked_analysis(analysis: Any) -> Any:
    """The analysis as sent; an unexpected shape is kept but warned about."""
    if analysis is not None and not isinstance(analysis, dict):
        warnings.warn(
            f"Mavera returned an analysis of type {type(analysis).__name__}, not an object; "
            "it is kept as sent in response_metadata['analysis'].",
            UserWarning,
            stacklevel=2,
        )
    return analysis


def parse_tool_calls(raw_calls: Any) -> tuple[list[Any], list[Any]]:
    """Valid and invalid tool calls from OpenAI-format `tool_calls`."""
    tool_calls: list[Any] = []
    invalid: list[Any] = []
    for raw in raw_calls or ():
        try:
            parsed = parse_tool_call(raw, return_id=True)
        except OutputParserException as exc:
            invalid.append(make_invalid_tool_call(raw, str(exc)))
            continue
        if parsed is not None:
            tool_calls.append(parsed)
    return tool_calls, invalid


class ChatCompletions:
    """The chat-completions wire format (stateless; one shared instance)."""

    path = "/chat/completions"

    def __deepcopy__(self, memo: dict[int, Any]) -> ChatCompletions:
        # Stateless, so one instance serves all: pydantic deep-copies private-attribute
        # defaults for every new ChatMavera, which was a third of construction time.
        return self

    def build_payload(
        self, messages: Sequence[BaseMessage], params: Mapping[str, Any], *, stream: bool
    ) -> dict[str, Any]:
        """Known fields only when set; `extra_body` underneath them."""
        extra = params.get("extra_body")
        body: dict[str, Any] = dict(extra) if extra else {}
        body["model"] = params["model"]
        body["messages"] = to_wire_messages(messages)
        for key in BODY_KEYS:
            value = params.get(key)
            if value is not None and value is not False:
                body[key] = value
        if params.get("parallel_tool_calls") is False:
            body["parallel_tool_calls"] = False
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
        tool_calls, invalid_tool_calls = parse_tool_calls(message.get("tool_calls"))
        usage = body.get("usage") if isinstance(body.get("usage"), Mapping) else None
        ai_message = AIMessage(
            content=message.get("content") or "",
            tool_calls=tool_calls,
            invalid_tool_calls=invalid_tool_calls,
            id=body.get("id"),
            usage_metadata=usage_metadata_from(usage),
            response_metadata=response_metadata(
                model_name=body.get("model"),
                response_id=body.get("id"),
                finish_reason=choice.get("finish_reason"),
                usage=usage,
                analysis=checked_analysis(body.get("analysis")),
                persona_id=persona_id,
                headers=response.headers,
            ),
        )
        llm_output = {"model_name": body.get("model"), "token_usage": usage} if usage else None
        return ChatResult(generations=[ChatGeneration(message=ai_message)], llm_output=llm_output)

    def stream_parser(self, response: httpx2.Response, persona_id: str | None) -> ChunkParser:
        """A parser for one streaming reply."""
        return ChunkParser(response, persona_id)


class ChunkParser:
    """Chat-completion chunks to LangChain chunks for one stream."""

    __slots__ = (
        "_analysis",
        "_finish_reason",
        "_id",
        "_model",
        "_persona_id",
        "_response",
        "_usage",
        "complete",
    )

    def __init__(self, response: httpx2.Response, persona_id: str | None) -> None:
        self._response = response
        self._persona_id = persona_id
        self._model: Any = None
        self._id: Any = None
        self._finish_reason: Any = None
        self._usage: Mapping[str, Any] | None = None
        self._analysis: Any = None
        self.complete = False

    def _decode(self, event: ServerSentEvent) -> Mapping[str, Any]:
        try:
            data = json.loads(event.data)
        except ValueError:
            raise malformed_reply(self._response, "a stream chunk is not JSON", event.data) from None
        if not isinstance(data, Mapping):
            raise malformed_reply(self._response, "a stream chunk is not a JSON object", event.data)
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
        self._id = data.get("id") or self._id
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
        message = AIMessageChunk(
            content=content,
            id=self._id,
            response_metadata={"model_provider": "mavera"},
            tool_call_chunks=[
                tool_call_chunk(
                    name=(raw.get("function") or {}).get("name"),
                    args=(raw.get("function") or {}).get("arguments"),
                    id=raw.get("id"),
                    index=raw.get("index"),
                )
                for raw in raw_tool_calls or ()
            ],
        )
        return ChatGenerationChunk(message=message)

    def final_chunk(self) -> ChatGenerationChunk:
        """Finish reason, model, id, usage, credits, analysis and rate limit, once."""
        message = AIMessageChunk(
            content="",
            id=self._id,
            chunk_position="last",
            usage_metadata=usage_metadata_from(self._usage),
            response_metadata=response_metadata(
                model_name=self._model,
                response_id=self._id,
                finish_reason=self._finish_reason,
                usage=self._usage,
                analysis=checked_analysis(self._analysis),
                persona_id=self._persona_id,
                headers=self._response.headers,
            ),
        )
        return ChatGenerationChunk(message=message)


CHAT_COMPLETIONS = ChatCompletions()
