"""``POST /responses``: the Responses API, answered by the chat emulator's synthesis.

A Responses body is translated into the equivalent chat-completions request (``instructions``
-> a leading system message, input items -> messages, flat tools -> nested tools,
``text.format`` -> ``response_format``, ``max_output_tokens`` -> ``max_tokens``), validated and
completed exactly as ``/chat/completions`` would, then rendered as a ``response`` object or as
the documented named SSE events, ending with Mavera's ``data: [DONE]``. Shapes the Responses
API does not take are refused as OpenAI refuses them (``messages`` instead of ``input``, nested
``{type, function: {...}}`` tools), so a client that forgets to translate fails loudly here too.
"""

from collections.abc import Mapping
from typing import Any

from .chat import CREATED, MODEL, Completion, complete, split_arguments, split_text
from .chat_request import parse_chat_request
from .wire import (
    ApiError,
    JsonReply,
    Reply,
    RequestContext,
    StreamItem,
    StreamReply,
    bad_type,
    bad_value,
    invalid_field,
    missing_field,
)

MAX_INPUT_CHARS = 100_000
# Passed through to the chat request unchanged.
_SAME_FIELDS = (
    "model", "persona_id", "analysis_mode", "mosaic_mode", "reasoning_effort", "verbosity", "temperature",
    "stop", "parallel_tool_calls", "stream",
)  # fmt: skip


def create_response(ctx: RequestContext) -> Reply:
    chat_body = to_chat_body(ctx.body)
    completion = complete(parse_chat_request(chat_body))
    response_id = "resp_" + completion.id.removeprefix("chatcmpl_")
    if chat_body.get("stream") is True:
        return StreamReply(stream_events(completion, response_id))
    return JsonReply(response_body(completion, response_id))


def to_chat_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object.", code="invalid_json")
    if body.get("input") is None:
        raise missing_field("input")
    chat: dict[str, Any] = {key: body[key] for key in _SAME_FIELDS if key in body}
    messages = _messages(body["input"])
    instructions = body.get("instructions")
    if instructions is not None:
        if not isinstance(instructions, str):
            raise bad_type("instructions", "a string")
        messages.insert(0, {"role": "system", "content": instructions})
    chat["messages"] = messages
    if "max_output_tokens" in body:
        chat["max_tokens"] = body["max_output_tokens"]
    if "tools" in body:
        chat["tools"] = _tools(body["tools"])
    if "tool_choice" in body:
        raw = body["tool_choice"]
        if isinstance(raw, dict) and raw.get("type") == "function":
            if "function" in raw or not isinstance(raw.get("name"), str):
                raise bad_value("tool_choice", "expected {'type': 'function', 'name': ...}.")
            raw = {"type": "function", "function": {"name": raw["name"]}}
        chat["tool_choice"] = raw
    text = body.get("text")
    if isinstance(text, dict) and text.get("format") is not None:
        raw = text["format"]
        if isinstance(raw, dict) and raw.get("type") == "json_schema":
            spec = {key: raw[key] for key in ("name", "schema", "strict", "description") if key in raw}
            raw = {"type": "json_schema", "json_schema": spec}
        chat["response_format"] = raw
    return chat


def _messages(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        if len(raw) > MAX_INPUT_CHARS:
            raise bad_value("input", f"at most {MAX_INPUT_CHARS} characters.")
        return [{"role": "user", "content": raw}]
    if not isinstance(raw, list) or not raw:
        raise bad_value("input", "expected a string or a non-empty array.")
    messages: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"input[{index}]"
        if not isinstance(item, dict):
            raise bad_type(where, "an object")
        kind = item.get("type", "message")
        if kind == "message":
            messages.append(_message(item, where))
        elif kind == "function_call":
            if not isinstance(item.get("call_id"), str) or not isinstance(item.get("name"), str):
                raise invalid_field(where, f"Invalid function_call at '{where}': needs 'call_id' and 'name'.")
            function = {"name": item["name"], "arguments": item.get("arguments") or ""}
            call = {"id": item["call_id"], "type": "function", "function": function}
            previous = messages[-1] if messages else None
            # Consecutive function_call items are one assistant turn in chat terms.
            if (
                previous
                and previous["role"] == "assistant"
                and (previous.get("tool_calls") or not previous["content"])
            ):
                previous.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            if not isinstance(item.get("call_id"), str):
                raise missing_field(f"{where}.call_id")
            output = item.get("output")
            content = output if isinstance(output, str) else str(output)
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": content})
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
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in ("input_text", "output_text", "text") and isinstance(part.get("text"), str):
            parts.append({"type": "text", "text": part["text"]})
        elif kind == "input_image" and isinstance(part.get("image_url"), str):
            parts.append({"type": "image_url", "image_url": {"url": part["image_url"]}})
        else:
            at = f"{where}.content[{number}]"
            expected = "expected input_text, output_text or input_image."
            raise invalid_field(at, f"Invalid content part at '{at}': {expected}")
    if all(part["type"] == "text" for part in parts):
        # Text-only turns read as chat's plain string, so both endpoints answer alike.
        return {"role": item.get("role"), "content": "\n".join(part["text"] for part in parts)}
    return {"role": item.get("role"), "content": parts}


def _tools(raw: Any) -> Any:
    if not isinstance(raw, list):
        return raw  # the chat validation reports the type error
    nested: list[Any] = []
    for index, tool in enumerate(raw):
        if not isinstance(tool, dict) or "function" in tool or tool.get("type") != "function":
            where = f"tools[{index}]"
            flat = "{'type': 'function', 'name', 'description', 'parameters'}."
            raise invalid_field(where, f"Invalid tool at '{where}': expected the flat format {flat}")
        function = {key: tool[key] for key in ("name", "description", "parameters", "strict") if key in tool}
        nested.append({"type": "function", "function": function})
    return nested


def _output_items(completion: Completion, response_id: str) -> list[dict[str, Any]]:
    suffix = response_id.removeprefix("resp_")
    if completion.tool_calls:
        return [
            {"id": f"fc_{suffix}_{index}", "type": "function_call", "status": "completed",
             "call_id": call.id, "name": call.name, "arguments": call.arguments}
            for index, call in enumerate(completion.tool_calls)
        ]  # fmt: skip
    text = {"type": "output_text", "text": completion.content or "", "annotations": []}
    return [
        {
            "id": f"msg_{suffix}",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [text],
        }
    ]


def response_body(completion: Completion, response_id: str, *, status: str | None = None) -> dict[str, Any]:
    """The ``response`` object; ``status`` overrides it for the in-progress snapshot."""
    truncated = completion.finish_reason == "length"
    body: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": CREATED,
        "status": status or ("incomplete" if truncated else "completed"),
        "model": MODEL,
        "output": [] if status else _output_items(completion, response_id),
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if truncated and not status else None,
    }
    if status:
        return body
    usage = completion.usage
    body["usage"] = {
        "input_tokens": usage["prompt_tokens"],
        "output_tokens": usage["completion_tokens"],
        "total_tokens": usage["total_tokens"],
        "credits_used": usage["credits_used"],
    }
    if completion.analysis is not None:
        body["analysis"] = completion.analysis
    return body


def stream_events(completion: Completion, response_id: str) -> list[StreamItem]:
    """The documented event sequence; each event's ``type`` is also its SSE name."""
    snapshot = response_body(completion, response_id, status="in_progress")
    events: list[dict[str, Any]] = [{"type": "response.created", "response": snapshot}]
    for index, item in enumerate(_output_items(completion, response_id)):
        at = {"output_index": index, "item_id": item["id"]}
        if item["type"] == "function_call":
            opened = {**item, "arguments": "", "status": "in_progress"}
            events.append({"type": "response.output_item.added", "output_index": index, "item": opened})
            events += [
                {"type": "response.function_call_arguments.delta", **at, "delta": piece}
                for piece in split_arguments(item["arguments"])
            ]
            events.append(
                {"type": "response.function_call_arguments.done", **at, "arguments": item["arguments"]}
            )
        else:
            text, at = item["content"][0]["text"], {**at, "content_index": 0}
            opened = {**item, "status": "in_progress", "content": []}
            events.append({"type": "response.output_item.added", "output_index": index, "item": opened})
            empty = {"type": "output_text", "text": "", "annotations": []}
            events.append({"type": "response.content_part.added", **at, "part": empty})
            events += [
                {"type": "response.output_text.delta", **at, "delta": piece}
                for piece in split_text(text, response_id)
            ]
            events.append({"type": "response.output_text.done", **at, "text": text})
            events.append({"type": "response.content_part.done", **at, "part": item["content"][0]})
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    final = response_body(completion, response_id)
    kind = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    events.append({"type": kind, "response": final})
    return [*({**event, "sequence_number": number} for number, event in enumerate(events)), "[DONE]"]
