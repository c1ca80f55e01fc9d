"""Validation of a ``POST /chat/completions`` body into a typed request.

Every documented constraint is enforced with the documented error codes; fields the docs do
not mention are accepted and ignored, because rejecting an unknown OpenAI field would make
the emulator stricter than anything we know about the real API.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .personas import Persona, find
from .wire import ApiError, bad_type, bad_value, canonical_json, digest, invalid_field, missing_field

LEVELS = ["low", "medium", "high"]
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_IMAGE_URL = re.compile(r"^(https?://[^\s/]+\S*|data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+)$")


@dataclass(frozen=True)
class HistoryToolCall:
    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Message:
    role: str
    text: str
    tool_calls: tuple[HistoryToolCall, ...] = ()
    tool_call_id: str | None = None
    image_count: int = 0


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[Message, ...]
    persona: Persona | None
    stream: bool
    analysis_mode: bool
    reasoning_effort: str | None
    verbosity: str | None
    max_tokens: int | None
    stop: tuple[str, ...]
    tools: tuple[ToolSpec, ...]
    tool_choice: str  # "auto", "none" or "required"
    forced_tool: str | None  # the one function a tool_choice object names
    parallel_tool_calls: bool
    format_kind: str  # "text", "json_object" or "json_schema"
    schema: Mapping[str, Any] | None
    fingerprint: str  # stable hash of everything that affects the answer

    @property
    def last(self) -> Message:
        return self.messages[-1]


def parse_chat_request(body: Any) -> ChatRequest:
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object.", code="invalid_json")
    if body.get("model") is None:
        raise missing_field("model")
    if body["model"] != "mavera-1":
        message = "Invalid value for 'model': must be one of ['mavera-1']."
        raise ApiError(400, message, code="invalid_model", param="model")
    messages = _messages(body.get("messages"))
    tools = _tools(body.get("tools"))
    persona_id = body.get("persona_id")
    persona = find(persona_id) if isinstance(persona_id, str) else None
    if persona_id is not None and persona is None:
        message = f"Persona '{persona_id}' doesn't exist or is not accessible with this API key."
        raise ApiError(400, message, code="invalid_persona", param="persona_id")
    stream = _boolean(body, "stream", default=False)
    # The docs return analysis "when analysis_mode or mosaic_mode is enabled"; mosaic_mode is
    # otherwise undocumented.
    analysis_mode = _boolean(body, "analysis_mode", default=False) or body.get("mosaic_mode") is True
    effort, verbosity = body.get("reasoning_effort"), body.get("verbosity")
    for name, value in (("reasoning_effort", effort), ("verbosity", verbosity)):
        if value is not None and value not in LEVELS:
            raise bad_value(name, f"must be one of {LEVELS}.")
    temperature = body.get("temperature")
    if temperature is not None and not (_is_number(temperature) and 0 <= temperature <= 2):
        raise bad_value("temperature", "must be a number between 0 and 2.")
    max_tokens = None
    # max_completion_tokens is what newer OpenAI clients send; honour it too.
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and max_tokens is None:
            if not (_is_number(value) and isinstance(value, int) and value >= 1):
                raise bad_value(name, "must be an integer >= 1.")
            max_tokens = value
    stop = body.get("stop")
    stop = [] if stop is None else [stop] if isinstance(stop, str) else stop
    if not (isinstance(stop, list) and all(isinstance(s, str) for s in stop)) or len(stop) > 4:
        raise bad_value("stop", "must be a string or a list of up to 4 strings.")
    tool_choice, forced = _tool_choice(body.get("tool_choice"), tools)
    parallel = _boolean(body, "parallel_tool_calls", default=True)
    kind, schema = _response_format(body.get("response_format"))
    # Fields that change how bytes are delivered, not what is said, stay out of the fingerprint.
    content_fields = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    fingerprint = digest(canonical_json(_numbered_call_ids(content_fields)))
    return ChatRequest(
        messages, persona, stream, analysis_mode, effort, verbosity, max_tokens, tuple(s for s in stop if s),
        tools, tool_choice, forced, parallel, kind, schema, fingerprint,
    )  # fmt: skip


def _numbered_call_ids(fields: dict[str, Any]) -> dict[str, Any]:
    """Tool-call ids renamed id0, id1, ... in order of first appearance.

    Clients often mint these ids at random (uuid4), which would change the answer's ids on
    every recording; the numbering still ties each tool result to its call.
    """
    if not isinstance(fields.get("messages"), list):
        return fields
    names: dict[str, str] = {}

    def number(value: Any) -> Any:
        return names.setdefault(value, f"id{len(names)}") if isinstance(value, str) else value

    numbered = []
    for message in fields["messages"]:
        if isinstance(message, dict):
            message = dict(message)
            if isinstance(message.get("tool_calls"), list):
                message["tool_calls"] = [
                    {**call, "id": number(call.get("id"))} if isinstance(call, dict) else call
                    for call in message["tool_calls"]
                ]
            if "tool_call_id" in message:
                message["tool_call_id"] = number(message["tool_call_id"])
        numbered.append(message)
    return {**fields, "messages": numbered}


def _boolean(body: Mapping[str, Any], name: str, *, default: bool) -> bool:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise bad_type(name, "a boolean")
    return default if value is None else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _messages(raw: Any) -> tuple[Message, ...]:
    if raw is None:
        raise missing_field("messages")
    if not isinstance(raw, list):
        raise bad_type("messages", "an array")
    if not 1 <= len(raw) <= 128:
        raise bad_value("messages", "must contain between 1 and 128 items.")
    return tuple(_message(item, f"messages[{i}]") for i, item in enumerate(raw))


def _message(raw: Any, param: str) -> Message:
    if not isinstance(raw, dict):
        raise bad_type(param, "an object")
    role = raw.get("role")
    if role is None:
        raise missing_field(f"{param}.role")
    if role not in ("system", "user", "assistant", "tool", "developer"):
        raise bad_value(
            f"{param}.role", "must be one of ['system', 'user', 'assistant', 'tool', 'developer']."
        )
    content = raw.get("content")
    if content is None and role != "assistant":
        raise missing_field(f"{param}.content")
    text, images = content or "", 0
    if isinstance(content, list):
        for index, part in enumerate(content):
            if not (isinstance(part, dict) and isinstance(part.get("type"), str)):
                raise invalid_field(
                    f"{param}.content[{index}]", f"Invalid content part at '{param}.content[{index}]'."
                )
        texts = [
            p["text"]
            for p in content
            if p["type"] in ("text", "input_text") and isinstance(p.get("text"), str)
        ]
        text, images = (
            "\n".join(texts),
            sum(p["type"] in ("image_url", "image", "input_image") for p in content),
        )
    elif content is not None and not isinstance(content, str):
        raise bad_type(f"{param}.content", "a string or array")
    images += _attachments(raw.get("attachments"), f"{param}.attachments")
    tool_calls = _history_tool_calls(raw.get("tool_calls"), f"{param}.tool_calls")
    if role == "assistant" and content is None and not tool_calls:
        raise missing_field(f"{param}.content")
    call_id = raw.get("tool_call_id")
    if role == "tool" and call_id is None:
        raise missing_field(f"{param}.tool_call_id")
    if role == "tool" and not isinstance(call_id, str):
        raise bad_type(f"{param}.tool_call_id", "a string")
    return Message(role, text, tool_calls, call_id if isinstance(call_id, str) else None, images)


def _attachments(raw: Any, param: str) -> int:
    if raw is None:
        return 0
    if not isinstance(raw, list):
        raise bad_type(param, "an array")
    for index, item in enumerate(raw):
        where = f"{param}[{index}]"
        if not (isinstance(item, dict) and item.get("type") == "image"):
            rule = "only {'type': 'image', 'url': ...} attachments are supported."
            raise invalid_field(where, f"Invalid attachment at '{where}': {rule}")
        if not (isinstance(item.get("url"), str) and _IMAGE_URL.match(item["url"])):
            rule = "'url' must be an http(s) URL or a data:image/...;base64 URL."
            raise invalid_field(where, f"Invalid attachment at '{where}': {rule}")
    return len(raw)


def _history_tool_calls(raw: Any, param: str) -> tuple[HistoryToolCall, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise bad_type(param, "an array")
    calls: list[HistoryToolCall] = []
    for index, item in enumerate(raw):
        function = item.get("function") if isinstance(item, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if not (isinstance(name, str) and isinstance(item.get("id"), str)):
            shape = "{'id', 'type': 'function', 'function': {'name', 'arguments'}}."
            raise invalid_field(
                f"{param}[{index}]", f"Invalid tool call at '{param}[{index}]': expected {shape}"
            )
        arguments = item["function"].get("arguments")
        calls.append(HistoryToolCall(item["id"], name, arguments if isinstance(arguments, str) else "{}"))
    return tuple(calls)


def _tools(raw: Any) -> tuple[ToolSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise bad_type("tools", "an array")
    specs: list[ToolSpec] = []
    for index, item in enumerate(raw):
        where = f"tools[{index}]"
        function = item.get("function") if isinstance(item, dict) else None
        if not (isinstance(function, dict) and item.get("type", "function") == "function"):
            raise invalid_field(
                where, f"Invalid tool at '{where}': expected {{'type': 'function', 'function': {{...}}}}."
            )
        name = function.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise bad_value(f"{where}.function.name", "must match ^[A-Za-z0-9_.-]{1,64}$.")
        parameters = function.get("parameters")
        parameters = {"type": "object", "properties": {}} if parameters is None else parameters
        if not isinstance(parameters, dict):
            raise bad_type(f"{where}.function.parameters", "an object")
        description = function.get("description")
        specs.append(ToolSpec(name, description if isinstance(description, str) else "", parameters))
    return tuple(specs)


def _tool_choice(raw: Any, tools: tuple[ToolSpec, ...]) -> tuple[str, str | None]:
    if raw is None:
        return ("auto" if tools else "none"), None
    raw = "required" if raw == "any" else raw  # "any" is LangChain's spelling of "required"
    if raw in ("auto", "none") or (raw == "required" and tools):
        return raw, None
    if raw == "required":
        raise bad_value("tool_choice", "'required' needs 'tools'.")
    function = raw.get("function") if isinstance(raw, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str):
        shape = "{'type': 'function', 'function': {'name': ...}}."
        raise bad_value("tool_choice", f"must be 'auto', 'none', 'required' or {shape}")
    if name not in {tool.name for tool in tools}:
        raise bad_value("tool_choice", f"no tool named '{name}' in 'tools'.")
    return "required", name


def _response_format(raw: Any) -> tuple[str, Mapping[str, Any] | None]:
    kind = "text" if raw is None else raw.get("type") if isinstance(raw, dict) else None
    if kind in ("text", "json_object"):
        return kind, None
    if kind != "json_schema":
        raise bad_value("response_format.type", "must be one of ['text', 'json_object', 'json_schema'].")
    if raw.get("json_schema") is None:
        raise missing_field("response_format.json_schema")
    spec = raw["json_schema"]
    schema = spec.get("schema", {}) if isinstance(spec, dict) else None
    if not isinstance(schema, dict):
        raise bad_type("response_format.json_schema.schema", "an object")
    return "json_schema", schema
