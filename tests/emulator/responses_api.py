"""``POST /responses``: the Responses API, answered by the chat emulator's synthesis.

A Responses body is translated into the equivalent chat-completions request
(``instructions`` -> a leading system message, input items -> messages, flat
tools -> nested tools, ``text.format`` -> ``response_format``,
``max_output_tokens`` -> ``max_tokens``), validated and completed exactly as
``/chat/completions`` would, then rendered as a ``response`` object or as the
documented named SSE events, ending with Mavera's ``data: [DONE]``.

Shapes the Responses API does not take are refused as OpenAI refuses them
(``messages`` instead of ``input``, nested ``{type, function: {...}}`` tools),
so a client that forgets to translate fails loudly here too.
"""

from collections.abc import Mapping
from typing import Any

from .chat_request import parse_chat_request
from .chat_stream import split_arguments, split_text
from .completion import CREATED, MODEL, Completion, complete
from .errors import ApiError, invalid_field, missing_field
from .wire import JsonReply, Reply, RequestContext, StreamItem, StreamReply

DONE = "[DONE]"
MAX_INPUT_CHARS = 100_000
# Passed through to the chat request unchanged.
_SAME_FIELDS = (
    "model",
    "persona_id",
    "analysis_mode",
    "mosaic_mode",
    "reasoning_effort",
    "verbosity",
    "temperature",
    "stop",
    "parallel_tool_calls",
    "stream",
)
_TEXT_PARTS = ("input_text", "output_text", "text")


def create_response(ctx: RequestContext) -> Reply:
    chat_body = to_chat_body(ctx.body)
    completion = complete(parse_chat_request(chat_body))
    response_id = "resp_" + completion.id.removeprefix("chatcmpl_")
    if chat_body.get("stream") is True:
        return StreamReply(stream_events(completion, response_id))
    return JsonReply(response_body(completion, response_id))


# -- request translation ----------------------------------------------------------------


def to_chat_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object.", code="invalid_json")
    if "input" not in body or body["input"] is None:
        raise missing_field("input")
    chat: dict[str, Any] = {key: body[key] for key in _SAME_FIELDS if key in body}
    messages = _messages(body["input"])
    instructions = body.get("instructions")
    if instructions is not None:
        if not isinstance(instructions, str):
            raise invalid_field("instructions", "Invalid type for 'instructions': expected a string.")
        messages.insert(0, {"role": "system", "content": instructions})
    chat["messages"] = messages
    if "max_output_tokens" in body:
        chat["max_tokens"] = body["max_output_tokens"]
    if "tools" in body:
        chat["tools"] = _tools(body["tools"])
    if "tool_choice" in body:
        chat["tool_choice"] = _tool_choice(body["tool_choice"])
    text = body.get("text")
    if isinstance(text, dict) and text.get("format") is not None:
        chat["response_format"] = _response_format(text["format"])
    return chat


def _messages(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        if len(raw) > MAX_INPUT_CHARS:
            message = f"Invalid value for 'input': at most {MAX_INPUT_CHARS} characters."
            raise invalid_field("input", message)
        return [{"role": "user", "content": raw}]
    if not isinstance(raw, list) or not raw:
        raise invalid_field("input", "Invalid value for 'input': expected a string or a non-empty array.")
    messages: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"input[{index}]"
        if not isinstance(item, dict):
            raise invalid_field(where, f"Invalid type for '{where}': expected an object.")
        kind = item.get("type", "message")
        if kind == "message":
            messages.append(_message(item, where))
        elif kind == "function_call":
            _append_call(messages, item, where)
        elif kind == "function_call_output":
            messages.append(_call_output(item, where))
        else:
            raise invalid_field(f"{where}.type", f"Unsupported input item type {kind!r} at '{where}'.")
    return messages


def _message(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    content = item.get("content")
    if isinstance(content, str):
        return {"role": item.get("role"), "content": content}
    if not isinstance(content, list):
        raise invalid_field(f"{where}.content", f"Invalid type for '{where}.content'.")
    parts: list[dict[str, Any]] = []
    for number, part in enumerate(content):
        at = f"{where}.content[{number}]"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in _TEXT_PARTS and isinstance(part.get("text"), str):
            parts.append({"type": "text", "text": part["text"]})
        elif kind == "input_image" and isinstance(part.get("image_url"), str):
            parts.append({"type": "image_url", "image_url": {"url": part["image_url"]}})
        else:
            raise invalid_field(
                at, f"Invalid content part at '{at}': expected input_text, output_text or input_image."
            )
    if all(part["type"] == "text" for part in parts):
        # Text-only turns read as chat's plain string, so both endpoints answer alike.
        return {"role": item.get("role"), "content": "\n".join(part["text"] for part in parts)}
    return {"role": item.get("role"), "content": parts}


def _append_call(messages: list[dict[str, Any]], item: Mapping[str, Any], where: str) -> None:
    """Consecutive function_call items are one assistant turn in chat terms."""
    if not isinstance(item.get("call_id"), str) or not isinstance(item.get("name"), str):
        raise invalid_field(where, f"Invalid function_call at '{where}': needs 'call_id' and 'name'.")
    call = {
        "id": item["call_id"],
        "type": "function",
        "function": {"name": item["name"], "arguments": item.get("arguments") or ""},
    }
    previous = messages[-1] if messages else None
    if (
        previous
        and previous["role"] == "assistant"
        and (previous.get("tool_calls") or not previous["content"])
    ):
        previous.setdefault("tool_calls", []).append(call)
        return
    messages.append({"role": "assistant", "content": None, "tool_calls": [call]})


def _call_output(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(item.get("call_id"), str):
        raise missing_field(f"{where}.call_id")
    output = item.get("output")
    text = output if isinstance(output, str) else str(output)
    return {"role": "tool", "tool_call_id": item["call_id"], "content": text}


def _tools(raw: Any) -> Any:
    if not isinstance(raw, list):
        return raw  # the chat validation reports the type error
    nested: list[Any] = []
    for index, tool in enumerate(raw):
        where = f"tools[{index}]"
        if not isinstance(tool, dict) or "function" in tool or tool.get("type") != "function":
            message = (
                f"Invalid tool at '{where}': expected the flat format "
                "{'type': 'function', 'name', 'description', 'parameters'}."
            )
            raise invalid_field(where, message)
        function = {key: tool[key] for key in ("name", "description", "parameters", "strict") if key in tool}
        nested.append({"type": "function", "function": function})
    return nested


def _tool_choice(raw: Any) -> Any:
    if isinstance(raw, dict) and raw.get("type") == "function":
        if "function" in raw or not isinstance(raw.get("name"), str):
            message = "Invalid value for 'tool_choice': expected {'type': 'function', 'name': ...}."
            raise invalid_field("tool_choice", message)
        return {"type": "function", "function": {"name": raw["name"]}}
    return raw


def _response_format(raw: Any) -> Any:
    if isinstance(raw, dict) and raw.get("type") == "json_schema":
        spec = {key: raw[key] for key in ("name", "schema", "strict", "description") if key in raw}
        return {"type": "json_schema", "json_schema": spec}
    return raw


# -- reply rendering -------------------------------------------------------------------------


def _usage(completion: Completion) -> dict[str, int]:
    usage = completion.usage
    return {
        "input_tokens": usage["prompt_tokens"],
        "output_tokens": usage["completion_tokens"],
        "total_tokens": usage["total_tokens"],
        "credits_used": usage["credits_used"],
    }


def _output_items(completion: Completion, response_id: str) -> list[dict[str, Any]]:
    suffix = response_id.removeprefix("resp_")
    if completion.tool_calls:
        return [
            {
                "id": f"fc_{suffix}_{index}",
                "type": "function_call",
                "status": "completed",
                "call_id": call.id,
                "name": call.name,
                "arguments": call.arguments,
            }
            for index, call in enumerate(completion.tool_calls)
        ]
    return [
        {
            "id": f"msg_{suffix}",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": completion.content or "", "annotations": []}],
        }
    ]


def response_body(completion: Completion, response_id: str, *, status: str | None = None) -> dict[str, Any]:
    """The ``response`` object; ``status`` overrides it for the in-progress snapshot."""
    truncated = completion.finish_reason == "length"
    final_status = "incomplete" if truncated else "completed"
    body: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": CREATED,
        "status": status or final_status,
        "model": MODEL,
        "output": [] if status else _output_items(completion, response_id),
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if truncated and not status else None,
    }
    if status:
        return body
    body["usage"] = _usage(completion)
    if completion.analysis is not None:
        body["analysis"] = completion.analysis
    return body


def stream_events(completion: Completion, response_id: str) -> list[StreamItem]:
    """The documented event sequence; each event's ``type`` is also its SSE name."""
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": response_body(completion, response_id, status="in_progress")}
    ]
    for index, item in enumerate(_output_items(completion, response_id)):
        if item["type"] == "function_call":
            events += _call_events(index, item)
        else:
            events += _message_events(index, item, response_id)
    final = response_body(completion, response_id)
    kind = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    events.append({"type": kind, "response": final})
    items: list[StreamItem] = [{**event, "sequence_number": number} for number, event in enumerate(events)]
    items.append(DONE)
    return items


def _call_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    base = {"output_index": index, "item_id": item["id"]}
    events: list[dict[str, Any]] = [
        {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**item, "arguments": "", "status": "in_progress"},
        }
    ]
    events += [
        {"type": "response.function_call_arguments.delta", **base, "delta": piece}
        for piece in split_arguments(item["arguments"])
    ]
    events.append({"type": "response.function_call_arguments.done", **base, "arguments": item["arguments"]})
    events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    return events


def _message_events(index: int, item: dict[str, Any], seed: str) -> list[dict[str, Any]]:
    text = item["content"][0]["text"]
    base = {"output_index": index, "item_id": item["id"], "content_index": 0}
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.added", "output_index": index,
         "item": {**item, "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", **base,
         "part": {"type": "output_text", "text": "", "annotations": []}},
    ]  # fmt: skip
    events += [
        {"type": "response.output_text.delta", **base, "delta": piece} for piece in split_text(text, seed)
    ]
    events.append({"type": "response.output_text.done", **base, "text": text})
    events.append({"type": "response.content_part.done", **base, "part": item["content"][0]})
    events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    return events
