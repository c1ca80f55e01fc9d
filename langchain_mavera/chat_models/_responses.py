"""Mavera's `POST /responses` (the Responses API): request bodies, replies and stream events.

Mavera made this its primary endpoint in April 2026. The reply is reported
under the same `response_metadata` / `usage_metadata` contract as chat
completions, so switching transports changes no user code. Choices the docs
leave open, and what we decided:

- `max_tokens` is sent as `max_output_tokens`, its name in OpenAI's Responses
  API (Mavera's migration guide calls the parameter "the same" as OpenAI's).
- `persona_id`, `analysis_mode`, `reasoning_effort`, `verbosity` and `stop` are
  sent as top-level body fields, as on chat completions (the docs list the first
  four as Mavera extras accepted by `/responses`; `stop` is not documented there
  and is passed through rather than dropped silently).
- `finish_reason` is derived from the status so it matches chat completions:
  `"stop"`, `"tool_calls"` when the model called a function, `"length"` when the
  reply is `incomplete` for lack of tokens.
- A stream is complete on `response.completed` (or `response.incomplete`) or the
  trailing `data: [DONE]` that Mavera adds to OpenAI's event stream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage, SystemMessage, ToolMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from langchain_mavera._transport.sse import DONE, ServerSentEvent
from langchain_mavera.chat_models._deferred import api_error, error_from_stream_event, malformed_reply
from langchain_mavera.chat_models._messages import role_of, to_wire_message
from langchain_mavera.chat_models._params import REQUEST_FIELDS
from langchain_mavera.chat_models._replies import StreamState, answer, decode_event, delta_chunk, text_or_none

if TYPE_CHECKING:
    import httpx2

_TOOL_CHOICE_MODES = frozenset({"auto", "none", "required"})


# -- request ------------------------------------------------------------------------------


def _text_of(message: BaseMessage) -> str:
    """A system message's text (text blocks only; images make no sense as instructions)."""
    wire = to_wire_message(message)
    return str(wire.get("content") or "")


def _message_item(role: str, text: str, images: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    part = "output_text" if role == "assistant" else "input_text"
    content: list[dict[str, Any]] = [{"type": part, "text": text}] if text else []
    content += [{"type": "input_image", "image_url": image["url"]} for image in images]
    return {"type": "message", "role": role, "content": content}


def _items_for(message: BaseMessage) -> list[dict[str, Any]]:
    """The input items for one non-system message (an AI turn may give several)."""
    # The chat-completions conversion already validates content and extracts images.
    wire = to_wire_message(message)
    if isinstance(message, ToolMessage):
        return [{"type": "function_call_output", "call_id": wire["tool_call_id"], "output": wire["content"]}]
    role = wire["role"]
    text = wire.get("content") or ""
    items: list[dict[str, Any]] = []
    if text or wire.get("attachments") or not wire.get("tool_calls"):
        items.append(_message_item(role, text, wire.get("attachments") or ()))
    for call in wire.get("tool_calls") or ():
        function = call["function"]
        items.append(
            {
                "type": "function_call",
                "call_id": call["id"],
                "name": function["name"],
                "arguments": function["arguments"],
            }
        )
    return items


def to_input(messages: Sequence[BaseMessage]) -> tuple[str | None, list[dict[str, Any]]]:
    """`instructions` (every system message, joined) and the `input` items."""
    instructions: list[str] = []
    items: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, SystemMessage) or role_of(message) in ("system", "developer"):
            instructions.append(_text_of(message))
        else:
            items += _items_for(message)
    if not items:
        msg = "messages must contain at least one non-system message for the Responses API."
        raise ValueError(msg)
    joined = "\n\n".join(text for text in instructions if text)
    return joined or None, items


def flat_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAI chat-completions tool (`{type, function: {...}}`) in the flat Responses format."""
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, Mapping):
        return dict(tool)
    flat: dict[str, Any] = {"type": "function", "name": function["name"]}
    for key in ("description", "parameters", "strict"):
        if function.get(key) is not None:
            flat[key] = function[key]
    return flat


def flat_tool_choice(choice: Any) -> Any:
    """`tool_choice` in the Responses shape: modes as they are, a named function flattened."""
    if isinstance(choice, str):
        if choice == "any":
            return "required"
        return choice if choice in _TOOL_CHOICE_MODES else {"type": "function", "name": choice}
    if isinstance(choice, Mapping):
        function = choice.get("function")
        if choice.get("type") == "function" and isinstance(function, Mapping):
            return {"type": "function", "name": function["name"]}
    return choice


def text_format(response_format: Mapping[str, Any]) -> dict[str, Any]:
    """A chat-completions `response_format` as the Responses `text.format`."""
    kind = response_format.get("type")
    schema = response_format.get("json_schema")
    if kind == "json_schema" and isinstance(schema, Mapping):
        return {"type": "json_schema", **schema}
    return dict(response_format)


def _max_output_tokens(body: dict[str, Any], value: Any) -> None:
    body["max_output_tokens"] = value


def _tools(body: dict[str, Any], value: Any) -> None:
    if value:
        body["tools"] = [flat_tool(tool) for tool in value]


def _tool_choice(body: dict[str, Any], value: Any) -> None:
    body["tool_choice"] = flat_tool_choice(value)


def _parallel_tool_calls(body: dict[str, Any], value: Any) -> None:
    if value is False:  # true is the default, so only a refusal is sent
        body["parallel_tool_calls"] = False


def _text_format(body: dict[str, Any], value: Any) -> None:
    if value:
        body["text"] = {**(body.get("text") or {}), "format": text_format(value)}


# Request fields spelled or shaped differently on /responses; the others are sent as they are.
_TRANSLATED: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "max_tokens": _max_output_tokens,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "parallel_tool_calls": _parallel_tool_calls,
    "response_format": _text_format,
}


class Responses:
    """The Responses wire format (stateless; one shared instance)."""

    path = "/responses"

    def build_payload(
        self, messages: Sequence[BaseMessage], params: Mapping[str, Any], *, stream: bool
    ) -> dict[str, Any]:
        """Known fields only when set; `extra_body` underneath them."""
        extra = params.get("extra_body")
        body: dict[str, Any] = dict(extra) if extra else {}
        instructions, items = to_input(messages)
        body["model"] = params["model"]
        body["input"] = items
        if instructions:
            # Mavera appends `instructions` to the persona prompt; keep any from extra_body first.
            earlier = body.get("instructions")
            body["instructions"] = f"{earlier}\n\n{instructions}" if earlier else instructions
        for field in REQUEST_FIELDS:
            value = params.get(field.name)
            if value is None or (value is False and not field.sends_false):  # not field.is_set, inlined
                continue
            translate = _TRANSLATED.get(field.name)
            if translate is None:
                body[field.name] = value
            else:
                translate(body, value)
        if stream:
            body["stream"] = True
        return body

    def parse_response(
        self, body: Mapping[str, Any], response: httpx2.Response, persona_id: str | None
    ) -> ChatResult:
        """An AIMessage with text, tool calls, usage and the metadata contract."""
        _raise_if_failed(body, response)
        if body.get("status") == "in_progress":
            msg = f"Mavera returned response {body.get('id')!r} still in_progress; the answer is incomplete."
            raise api_error(msg, response.request, response.text)
        output = body.get("output")
        if not isinstance(output, list):
            raise malformed_reply(response, "the response has no output list", response.text)
        text, raw_calls = _read_output(output)
        return answer(
            body,
            response,
            content=text,
            raw_tool_calls=raw_calls,
            finish_reason=finish_reason(body, called_tools=bool(raw_calls)),
            persona_id=persona_id,
        )

    def stream_parser(self, response: httpx2.Response, persona_id: str | None) -> EventParser:
        """A parser for one streaming reply."""
        return EventParser(response, persona_id)


# -- reply ---------------------------------------------------------------------------------


def _raise_if_failed(body: Mapping[str, Any], response: httpx2.Response) -> None:
    """A `failed` response (or one carrying an error object) as the typed error."""
    error = body.get("error")
    if body.get("status") != "failed" and not error:
        return
    fallback = {"message": "Mavera reported the response as failed."}
    payload = {"error": error if isinstance(error, Mapping | str) and error else fallback}
    raise error_from_stream_event(payload, response, None)


def _as_chat_tool_call(item: Mapping[str, Any]) -> dict[str, Any]:
    """A `function_call` item in the shape langchain-core's `parse_tool_call` reads."""
    return {
        "id": item.get("call_id") or item.get("id"),
        "type": "function",
        "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""},
    }


def _read_output(output: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    """All assistant text joined, and the function calls, from the output items."""
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for item in output:
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == "function_call":
            calls.append(_as_chat_tool_call(item))
        elif item.get("type") == "message":
            texts += [
                str(part.get("text") or "")
                for part in item.get("content") or ()
                if isinstance(part, Mapping) and part.get("type") == "output_text"
            ]
    return "".join(texts), calls


def finish_reason(body: Mapping[str, Any], *, called_tools: bool) -> str | None:
    """The chat-completions finish reason that the response's status amounts to."""
    status = body.get("status")
    if status == "incomplete":
        details = body.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, Mapping) else None
        return "length" if reason in (None, "max_output_tokens") else str(reason)
    if status not in (None, "completed"):
        return None
    return "tool_calls" if called_tools else "stop"


class EventParser(StreamState):
    """Responses stream events to LangChain chunks for one stream.

    The event type is read from the JSON `type` and falls back to the SSE
    `event:` name, so a stream carrying either one is understood. Text and
    function arguments are emitted from deltas; when a server sends only the
    `.done` / `output_item.done` events, their full values are emitted instead,
    never both.
    """

    __slots__ = ("_called_tools", "_emitted", "_final")

    def __init__(self, response: httpx2.Response, persona_id: str | None) -> None:
        super().__init__(response, persona_id)
        self._final: Mapping[str, Any] | None = None
        self._called_tools = False
        # Per output index: the text or arguments already emitted for that item.
        self._emitted: dict[int, str] = {}

    def _note_response(self, data: Mapping[str, Any]) -> None:
        """Keep the id, model, usage and analysis from any event that carries the response."""
        body = data.get("response")
        for source in (body, data):
            if not isinstance(source, Mapping):
                continue
            self._model = source.get("model") or self._model
            if isinstance(source.get("usage"), Mapping):
                self._usage = source["usage"]
            if source.get("analysis") is not None:
                self._analysis = source["analysis"]
        if isinstance(body, Mapping):
            self._id = text_or_none(body.get("id")) or self._id

    def feed(self, event: ServerSentEvent) -> ChatGenerationChunk | None:
        """The chunk carrying this event's text or function-call delta, if any."""
        if event.data == DONE:
            self.complete = True
            return None
        data = decode_event(event, self._response, "event")
        kind = data.get("type") or event.event
        # A typed `error` event, or the `{"error": {...}}` object chat completions streams send.
        if kind == "error" or isinstance(data.get("error"), Mapping | str):
            raise error_from_stream_event(data, self._response, None)
        self._note_response(data)
        if kind == "response.failed":
            _raise_if_failed({**_as_mapping(data.get("response")), "status": "failed"}, self._response)
        if kind in ("response.completed", "response.incomplete"):
            self._final = _as_mapping(data.get("response"))
            self.complete = True
            return None
        return self._content_chunk(kind, data)

    def _content_chunk(self, kind: Any, data: Mapping[str, Any]) -> ChatGenerationChunk | None:
        index = data.get("output_index", 0)
        item = _as_mapping(data.get("item"))
        if kind == "response.output_text.delta":
            return self._text(index, str(data.get("delta") or ""))
        if kind == "response.output_text.done":
            return self._text_if_unsent(index, str(data.get("text") or ""))
        if kind == "response.function_call_arguments.delta":
            return self._arguments(index, str(data.get("delta") or ""))
        if kind == "response.function_call_arguments.done":
            return self._arguments_if_unsent(index, str(data.get("arguments") or ""))
        if kind == "response.output_item.added" and item.get("type") == "function_call":
            return self._call_start(index, item)
        if kind == "response.output_item.done":
            return self._item_done(index, item)
        return None

    def _chunk(self, content: str = "", calls: list[Any] | None = None) -> ChatGenerationChunk:
        return delta_chunk(self._id, content, calls)

    def _text(self, index: int, delta: str) -> ChatGenerationChunk | None:
        if not delta:
            return None
        self._emitted[index] = self._emitted.get(index, "") + delta
        return self._chunk(delta)

    def _text_if_unsent(self, index: int, text: str) -> ChatGenerationChunk | None:
        return self._text(index, text) if not self._emitted.get(index) else None

    def _call_start(self, index: int, item: Mapping[str, Any]) -> ChatGenerationChunk:
        self._called_tools = True
        arguments = str(item.get("arguments") or "")
        self._emitted[index] = arguments
        call = tool_call_chunk(
            name=item.get("name"), args=arguments, id=item.get("call_id") or item.get("id"), index=index
        )
        return self._chunk(calls=[call])

    def _arguments(self, index: int, delta: str) -> ChatGenerationChunk | None:
        if not delta:
            return None
        self._emitted[index] = self._emitted.get(index, "") + delta
        return self._chunk(calls=[tool_call_chunk(name=None, args=delta, id=None, index=index)])

    def _arguments_if_unsent(self, index: int, arguments: str) -> ChatGenerationChunk | None:
        return self._arguments(index, arguments) if not self._emitted.get(index) else None

    def _item_done(self, index: int, item: Mapping[str, Any]) -> ChatGenerationChunk | None:
        """A finished item whose content never streamed (a server that skips deltas)."""
        if item.get("type") == "function_call":
            if index not in self._emitted:
                return self._call_start(index, item)
            return self._arguments_if_unsent(index, str(item.get("arguments") or ""))
        if item.get("type") == "message":
            text, _ = _read_output([item])
            return self._text_if_unsent(index, text)
        return None

    def final_chunk(self) -> ChatGenerationChunk:
        """Finish reason, model, id, usage, credits, analysis and rate limit, once."""
        final = self._final or {}
        called = self._called_tools or any(
            isinstance(item, Mapping) and item.get("type") == "function_call"
            for item in final.get("output") or ()
        )
        reason = finish_reason(final, called_tools=called) if self.complete else None
        return self._closing_chunk(reason)


def _as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


RESPONSES = Responses()
