"""One request and its answer: a whole reply (`generate`) or a stream of chunks (`stream`).

`ChatMavera` builds the call's parameters and picks the wire format; these send the body through
`langchain_mavera._transport` and turn the reply into LangChain generations. A stream that fails
after delivering text keeps that text on the error (`partial`), and one that stops without a
finish reason is an error rather than a short answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage, BaseMessageChunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from langchain_mavera._budget import aadmit_pending, admit_pending
from langchain_mavera.chat_models._deferred import stream_interrupted
from langchain_mavera.chat_models._wire import StreamParser, WireFormat

if TYPE_CHECKING:
    from langchain_mavera.chat_models.base import ChatMavera

# The transport modules import the openai SDK and httpx2, needed only to send a request: they are
# imported inside the functions (a dict lookup once loaded), so importing ChatMavera stays cheap.

__all__ = ["agenerate", "astream", "generate", "stream"]


def generate(
    model: ChatMavera, wire: WireFormat, messages: list[BaseMessage], params: dict[str, Any]
) -> ChatResult:
    """Send one request and parse the whole reply."""
    from langchain_mavera._transport import http as _http
    from langchain_mavera._transport.error_mapping import malformed_guard

    body = wire.build_payload(messages, params, stream=False)
    admit_pending()
    reply = _http.post_json(model.client, wire.path, body, model.request_timeout, model.total_timeout)
    with malformed_guard(reply.response, reply.response.text):
        return wire.parse_response(reply.body, reply.response, params.get("persona_id"))


async def agenerate(
    model: ChatMavera, wire: WireFormat, messages: list[BaseMessage], params: dict[str, Any]
) -> ChatResult:
    """`generate` on the async client."""
    from langchain_mavera._transport import http as _http
    from langchain_mavera._transport.error_mapping import malformed_guard

    body = wire.build_payload(messages, params, stream=False)
    await aadmit_pending()
    reply = await _http.apost_json(
        model.async_client, wire.path, body, model.request_timeout, model.total_timeout
    )
    with malformed_guard(reply.response, reply.response.text):
        return wire.parse_response(reply.body, reply.response, params.get("persona_id"))


def stream(
    model: ChatMavera,
    wire: WireFormat,
    messages: list[BaseMessage],
    params: dict[str, Any],
    run_manager: CallbackManagerForLLMRun | None,
) -> Iterator[ChatGenerationChunk]:
    """Send one streaming request; yield each chunk as it is parsed, then the final chunk."""
    from langchain_mavera._transport import streams
    from langchain_mavera._transport.error_mapping import SHAPE_ERRORS, unexpected_shape
    from langchain_mavera.errors import MaveraError

    body = wire.build_payload(messages, params, stream=True)
    delivered: list[BaseMessageChunk] = []
    # langchain-core reports tokens itself on stream()/invoke and then passes no run_manager;
    # its v3 event path (stream_events(version="v3"), v2 handlers) passes one and relies on us.
    admit_pending()
    with streams.open_stream(
        model.client,
        wire.path,
        body,
        model.request_timeout,
        model.stream_chunk_timeout,
        model.total_timeout,
    ) as response:
        parser = wire.stream_parser(response, params.get("persona_id"))
        try:
            for event in streams.iter_events(response):
                try:  # costs nothing per event unless it raises, unlike a context manager
                    chunk = parser.feed(event)
                except SHAPE_ERRORS as exc:
                    if isinstance(exc, MaveraError):
                        raise
                    raise unexpected_shape(response, event.data, exc) from exc
                if chunk is not None:
                    delivered.append(chunk.message)
                    if run_manager:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
            _check_complete(parser, response)
        except MaveraError as error:
            error.partial = _joined(delivered)
            raise
    final = parser.final_chunk()
    if run_manager:
        run_manager.on_llm_new_token("", chunk=final)
    yield final


async def astream(
    model: ChatMavera,
    wire: WireFormat,
    messages: list[BaseMessage],
    params: dict[str, Any],
    run_manager: AsyncCallbackManagerForLLMRun | None,
) -> AsyncIterator[ChatGenerationChunk]:
    """`stream` on the async client."""
    from langchain_mavera._transport import streams
    from langchain_mavera._transport.error_mapping import SHAPE_ERRORS, unexpected_shape
    from langchain_mavera.errors import MaveraError

    body = wire.build_payload(messages, params, stream=True)
    delivered: list[BaseMessageChunk] = []
    await aadmit_pending()
    async with streams.aopen_stream(
        model.async_client,
        wire.path,
        body,
        model.request_timeout,
        model.stream_chunk_timeout,
        model.total_timeout,
    ) as response:
        parser = wire.stream_parser(response, params.get("persona_id"))
        try:
            async for event in streams.aiter_events(response):
                try:  # costs nothing per event unless it raises, unlike a context manager
                    chunk = parser.feed(event)
                except SHAPE_ERRORS as exc:
                    if isinstance(exc, MaveraError):
                        raise
                    raise unexpected_shape(response, event.data, exc) from exc
                if chunk is not None:
                    delivered.append(chunk.message)
                    if run_manager:
                        await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
            _check_complete(parser, response)
        except MaveraError as error:
            error.partial = _joined(delivered)
            raise
    final = parser.final_chunk()
    if run_manager:
        await run_manager.on_llm_new_token("", chunk=final)
    yield final


def _joined(chunks: list[BaseMessageChunk]) -> BaseMessageChunk | None:
    """Everything a failed stream had delivered, as one chunk (computed only on failure)."""
    if not chunks:
        return None
    first, *rest = chunks
    return first + rest if rest else first


def _check_complete(parser: StreamParser, response: Any) -> None:
    """A stream that stopped without a finish reason or [DONE] was cut short."""
    if not parser.complete:
        raise stream_interrupted(
            "The stream ended before Mavera sent a finish_reason or [DONE]; the answer is incomplete.",
            response.request,
        )
