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
from .wire import ApiError, canonical_json, digest, invalid_field, missing_field

MODELS = ("mavera-1",)
ROLES = ("system", "user", "assistant", "tool", "developer")
LEVELS = ("low", "medium", "high")
MAX_MESSAGES = 128
MAX_STOP = 4
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
    if body["model"] not in MODELS:
        message = f"Invalid value for 'model': must be one of {list(MODELS)}."
        raise ApiError(400, message, code="invalid_model", param="model")
    messages = _messages(body.get("messages"))
    tools = _tools(body.get("tools"))
    persona = None
    if body.get("persona_id") is not None:
        persona = find(body["persona_id"]) if isinstance(body["persona_id"], str) else None
        if persona is None:
            message = f"Persona '{body['persona_id']}' doesn't exist or is not accessible with this API key."
            raise ApiError(400, message, code="invalid_persona", param="persona_id")
    stream = _boolean(body, "stream", default=False)
    # The docs return analysis "when analysis_mode or mosaic_mode is enabled"; mosaic_mode is
    # otherwise undocumented.
    analysis_mode = _boolean(body, "analysis_mode", default=False) or body.get("mosaic_mode") is True
    levels = {name: body.get(name) for name in ("reasoning_effort", "verbosity")}
    for name, value in levels.items():
        if value is not None and value not in LEVELS:
            raise invalid_field(name, f"Invalid value for '{name}': must be one of {list(LEVELS)}.")
    temperature = body.get("temperature")
    if temperature is not None and not (_is_number(temperature) and 0 <= temperature <= 2):
        message = "Invalid value for 'temperature': must be a number between 0 and 2."
        raise invalid_field("temperature", message)
    max_tokens = _max_tokens(body)
    stop = _stop(body.get("stop"))
    tool_choice, forced = _tool_choice(body.get("tool_choice"), tools)
    parallel = _boolean(body, "parallel_tool_calls", default=True)
    kind, schema = _response_format(body.get("response_format"))
    # Fields that change how bytes are delivered, not what is said, stay out of the fingerprint.
    content_fields = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    return ChatRequest(
        messages, persona, stream, analysis_mode, levels["reasoning_effort"], levels["verbosity"], max_tokens,
        stop, tools, tool_choice, forced, parallel, kind, schema,
        digest(canonical_json(_numbered_call_ids(content_fields))),
    )  # fmt: skip


def _numbered_call_ids(fields: dict[str, Any]) -> dict[str, Any]:
    """Tool-call ids renamed id0, id1, ... in order of first appearance.

    Clients often mint these ids at random (uuid4), which would change the answer's ids on
    every recording; the numbering still ties each tool result to its call.
    """
    messages = fields.get("messages")
    if not isinstance(messages, list):
        return fields
    names: dict[str, str] = {}

    def number(value: Any) -> Any:
        return names.setdefault(value, f"id{len(names)}") if isinstance(value, str) else value

    numbered = []
    for message in messages:
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
        raise invalid_field(name, f"Invalid type for '{name}': expected a boolean.")
    return default if value is None else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _max_tokens(body: Mapping[str, Any]) -> int | None:
    # max_completion_tokens is what newer OpenAI clients send; honour it too.
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise invalid_field(name, f"Invalid value for '{name}': must be an integer >= 1.")
        return value
    return None


def _stop(value: Any) -> tuple[str, ...]:
    items = [] if value is None else [value] if isinstance(value, str) else value
    if not (isinstance(items, list) and all(isinstance(s, str) for s in items)) or len(items) > MAX_STOP:
        message = f"Invalid value for 'stop': must be a string or a list of up to {MAX_STOP} strings."
        raise invalid_field("stop", message)
    return tuple(s for s in items if s)


def _messages(raw: Any) -> tuple[Message, ...]:
    if raw is None:
        raise missing_field("messages")
    if not isinstance(raw, list):
        raise invalid_field("messages", "Invalid type for 'messages': expected an array.")
    if not 1 <= len(raw) <= MAX_MESSAGES:
        message = f"Invalid value for 'messages': must contain between 1 and {MAX_MESSAGES} items."
        raise invalid_field("messages", message)
    return tuple(_message(item, f"messages[{i}]") for i, item in enumerate(raw))


def _message(raw: Any, param: str) -> Message:
    if not isinstance(raw, dict):
        raise invalid_field(param, f"Invalid type for '{param}': expected an object.")
    role = raw.get("role")
    if role is None:
        raise missing_field(f"{param}.role")
    if role not in ROLES:
        raise invalid_field(
            f"{param}.role", f"Invalid value for '{param}.role': must be one of {list(ROLES)}."
        )
    content = raw.get("content")
    if content is None and role != "assistant":
        raise missing_field(f"{param}.content")
    text, images = _content(content, param)
    images += _attachments(raw.get("attachments"), f"{param}.attachments")
    tool_calls = _history_tool_calls(raw.get("tool_calls"), f"{param}.tool_calls")
    if role == "assistant" and content is None and not tool_calls:
        raise missing_field(f"{param}.content")
    tool_call_id = raw.get("tool_call_id")
    if role == "tool" and tool_call_id is None:
        raise missing_field(f"{param}.tool_call_id")
    if role == "tool" and not isinstance(tool_call_id, str):
        message = f"Invalid type for '{param}.tool_call_id': expected a string."
        raise invalid_field(f"{param}.tool_call_id", message)
    call_id = tool_call_id if isinstance(tool_call_id, str) else None
    return Message(role, text, tool_calls, call_id, images)


def _content(content: Any, param: str) -> tuple[str, int]:
    """Text of a message plus how many images its content parts carry."""
    if content is None or isinstance(content, str):
        return content or "", 0
    if not isinstance(content, list):
        message = f"Invalid type for '{param}.content': expected a string or array."
        raise invalid_field(f"{param}.content", message)
    texts: list[str] = []
    images = 0
    for index, part in enumerate(content):
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            where = f"{param}.content[{index}]"
            raise invalid_field(where, f"Invalid content part at '{where}'.")
        if part["type"] in ("text", "input_text") and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif part["type"] in ("image_url", "image", "input_image"):
            images += 1
    return "\n".join(texts), images


def _attachments(raw: Any, param: str) -> int:
    if raw is None:
        return 0
    if not isinstance(raw, list):
        raise invalid_field(param, f"Invalid type for '{param}': expected an array.")
    for index, item in enumerate(raw):
        where = f"{param}[{index}]"
        if not (isinstance(item, dict) and item.get("type") == "image"):
            message = "only {'type': 'image', 'url': ...} attachments are supported."
            raise invalid_field(where, f"Invalid attachment at '{where}': {message}")
        if not (isinstance(item.get("url"), str) and _IMAGE_URL.match(item["url"])):
            message = "'url' must be an http(s) URL or a data:image/...;base64 URL."
            raise invalid_field(where, f"Invalid attachment at '{where}': {message}")
    return len(raw)


def _history_tool_calls(raw: Any, param: str) -> tuple[HistoryToolCall, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise invalid_field(param, f"Invalid type for '{param}': expected an array.")
    calls: list[HistoryToolCall] = []
    for index, item in enumerate(raw):
        function = item.get("function") if isinstance(item, dict) else None
        if not (
            isinstance(function, dict)
            and isinstance(item.get("id"), str)
            and isinstance(function.get("name"), str)
        ):
            where = f"{param}[{index}]"
            shape = "{'id', 'type': 'function', 'function': {'name', 'arguments'}}."
            raise invalid_field(where, f"Invalid tool call at '{where}': expected {shape}")
        arguments = function.get("arguments")
        calls.append(
            HistoryToolCall(item["id"], function["name"], arguments if isinstance(arguments, str) else "{}")
        )
    return tuple(calls)


def _tools(raw: Any) -> tuple[ToolSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise invalid_field("tools", "Invalid type for 'tools': expected an array.")
    specs: list[ToolSpec] = []
    for index, item in enumerate(raw):
        where = f"tools[{index}]"
        function = item.get("function") if isinstance(item, dict) else None
        if not (isinstance(function, dict) and item.get("type", "function") == "function"):
            message = f"Invalid tool at '{where}': expected {{'type': 'function', 'function': {{...}}}}."
            raise invalid_field(where, message)
        name = function.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            message = f"Invalid value for '{where}.function.name': must match ^[A-Za-z0-9_.-]{{1,64}}$."
            raise invalid_field(f"{where}.function.name", message)
        parameters = function.get("parameters")
        parameters = {"type": "object", "properties": {}} if parameters is None else parameters
        if not isinstance(parameters, dict):
            where = f"{where}.function.parameters"
            raise invalid_field(where, f"Invalid type for '{where}': expected an object.")
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
        raise invalid_field("tool_choice", "Invalid value for 'tool_choice': 'required' needs 'tools'.")
    function = raw.get("function") if isinstance(raw, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str):
        message = (
            "Invalid value for 'tool_choice': must be 'auto', 'none', 'required' or "
            "{'type': 'function', 'function': {'name': ...}}."
        )
        raise invalid_field("tool_choice", message)
    if name not in {tool.name for tool in tools}:
        raise invalid_field(
            "tool_choice", f"Invalid value for 'tool_choice': no tool named '{name}' in 'tools'."
        )
    return "required", name


def _response_format(raw: Any) -> tuple[str, Mapping[str, Any] | None]:
    kind = "text" if raw is None else raw.get("type") if isinstance(raw, dict) else None
    if kind in ("text", "json_object"):
        return kind, None
    if kind != "json_schema":
        allowed = "['text', 'json_object', 'json_schema']"
        raise invalid_field(
            "response_format.type", f"Invalid value for 'response_format.type': must be one of {allowed}."
        )
    spec = raw.get("json_schema")
    if spec is None:
        raise missing_field("response_format.json_schema")
    schema = spec.get("schema", {}) if isinstance(spec, dict) else None
    if not isinstance(schema, dict):
        param = "response_format.json_schema.schema"
        raise invalid_field(param, f"Invalid type for '{param}': expected an object.")
    return "json_schema", schema
