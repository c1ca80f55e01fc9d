"""What every wire format builds from a Mavera reply: answers, chunks, and bad-reply errors.

Both transports end in the same LangChain objects with the same metadata
contract; building them in one place is what keeps the contract identical.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.output_parsers.openai_tools import make_invalid_tool_call, parse_tool_call
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_mavera.chat_models._deferred import malformed_reply
from langchain_mavera.chat_models._metadata import response_metadata, usage_metadata_from

if TYPE_CHECKING:
    import httpx2

    from langchain_mavera._transport.sse import ServerSentEvent


def text_or_none(value: Any) -> str | None:
    """A string field as sent; any other type is dropped, as LangChain's messages would refuse it."""
    return value if isinstance(value, str) else None


def decode_event(event: ServerSentEvent, response: httpx2.Response, what: str) -> Mapping[str, Any]:
    """One stream event's JSON object, or a MaveraAPIError keeping its raw text."""
    try:
        data = json.loads(event.data)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python recurses
        raise malformed_reply(response, f"a stream {what} is not JSON", event.data) from None
    if not isinstance(data, Mapping):
        raise malformed_reply(response, f"a stream {what} is not a JSON object", event.data)
    return data


def checked_analysis(analysis: Any) -> Any:
    """The analysis as sent; an unexpected shape is kept but warned about."""
    if analysis is not None and not isinstance(analysis, dict):
        warnings.warn(
            f"Mavera returned an analysis of type {type(analysis).__name__}, not an object; "
            "it is kept as sent in response_metadata['analysis'].",
            UserWarning,
            stacklevel=3,
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


def answer(
    body: Mapping[str, Any],
    response: httpx2.Response,
    *,
    content: str,
    raw_tool_calls: Any,
    finish_reason: Any,
    persona_id: str | None,
) -> ChatResult:
    """The result for a whole reply: the message, usage and the metadata contract."""
    tool_calls, invalid_tool_calls = parse_tool_calls(raw_tool_calls)
    usage = body.get("usage") if isinstance(body.get("usage"), Mapping) else None
    message = AIMessage(
        content=content,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid_tool_calls,
        id=text_or_none(body.get("id")),
        usage_metadata=usage_metadata_from(usage),
        response_metadata=response_metadata(
            model_name=body.get("model"),
            response_id=body.get("id"),
            finish_reason=finish_reason,
            usage=usage,
            analysis=checked_analysis(body.get("analysis")),
            persona_id=persona_id,
            headers=response.headers,
        ),
    )
    llm_output = {"model_name": body.get("model"), "token_usage": usage} if usage else None
    return ChatResult(generations=[ChatGeneration(message=message)], llm_output=llm_output)


def delta_chunk(response_id: Any, content: str = "", calls: list[Any] | None = None) -> ChatGenerationChunk:
    """A chunk of streamed text or tool-call arguments."""
    message = AIMessageChunk(
        content=content,
        id=text_or_none(response_id),
        response_metadata={"model_provider": "mavera"},
        tool_call_chunks=calls or [],
    )
    return ChatGenerationChunk(message=message)


class StreamState:
    """What a stream parser keeps until its closing chunk; each wire format extends it."""

    __slots__ = ("_analysis", "_id", "_model", "_persona_id", "_response", "_usage", "complete")

    def __init__(self, response: httpx2.Response, persona_id: str | None) -> None:
        self._response = response
        self._persona_id = persona_id
        self._model: Any = None
        self._id: Any = None
        self._usage: Mapping[str, Any] | None = None
        self._analysis: Any = None
        self.complete = False

    def _closing_chunk(self, finish_reason: Any) -> ChatGenerationChunk:
        """The last chunk: finish reason, model, id, usage, credits, analysis and rate limit, once.

        LangChain adds chunks by summing numbers and concatenating strings, so
        these facts ride on exactly one chunk or an aggregate would corrupt them.
        """
        message = AIMessageChunk(
            content="",
            id=self._id,
            chunk_position="last",
            usage_metadata=usage_metadata_from(self._usage),
            response_metadata=response_metadata(
                model_name=self._model,
                response_id=self._id,
                finish_reason=finish_reason,
                usage=self._usage,
                analysis=checked_analysis(self._analysis),
                persona_id=self._persona_id,
                headers=self._response.headers,
            ),
        )
        return ChatGenerationChunk(message=message)
