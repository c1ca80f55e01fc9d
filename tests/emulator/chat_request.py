"""Validation of a ``POST /chat/completions`` body into a typed request.

Every documented constraint is enforced with the documented error codes;
fields the docs do not mention are accepted and ignored, because rejecting
an unknown OpenAI field would make the emulator stricter than anything we
know about the real API.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from . import personas
from .errors import ApiError, invalid_field, missing_field
from .hashing import canonical_json, digest
from .personas import Persona

MODELS = ("mavera-1",)
ROLES = ("system", "user", "assistant", "tool", "developer")
LEVELS = ("low", "medium", "high")
MAX_MESSAGES = 128
MAX_STOP = 4
# Fields that change how bytes are delivered, not what is said.
DELIVERY_FIELDS = frozenset({"stream", "stream_options"})

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_DATA_IMAGE_URL = re.compile(r"^data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+$")
_TEXT_PARTS = ("text", "input_text")
_IMAGE_PARTS = ("image_url", "image", "input_image")

ChoiceMode: TypeAlias = Literal["auto", "none", "required"]
FormatKind: TypeAlias = Literal["text", "json_object", "json_schema"]


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
class ToolChoice:
    mode: ChoiceMode
    name: str | None = None  # set when one function is forced


@dataclass(frozen=True)
class ResponseFormat:
    kind: FormatKind
    schema: Mapping[str, Any] | None = None
    name: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[Message, ...]
    persona: Persona | None
    stream: bool
    analysis_mode: bool
    reasoning_effort: str | None
    verbosity: str | None
    temperature: float
    max_tokens: int | None
    stop: tuple[str, ...]
    tools: tuple[ToolSpec, ...]
    tool_choice: ToolChoice
    parallel_tool_calls: bool
    response_format: ResponseFormat
    fingerprint: str  # stable hash of everything that affects the answer

    @property
    def last(self) -> Message:
        return self.messages[-1]


def parse_chat_request(body: Any) -> ChatRequest:
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object.", code="invalid_json")
    _check_model(body)
    messages = _messages(body)
    tools = _tools(body.get("tools"))
    content_fields = {k: v for k, v in body.items() if k not in DELIVERY_FIELDS}
    return ChatRequest(
        messages=messages,
        persona=_persona(body.get("persona_id")),
        stream=_boolean(body, "stream", default=False),
        # The docs say analysis is returned "when analysis_mode or mosaic_mode
        # is enabled"; mosaic_mode is otherwise undocumented.
        analysis_mode=_boolean(body, "analysis_mode", default=False) or body.get("mosaic_mode") is True,
        reasoning_effort=_level(body, "reasoning_effort"),
        verbosity=_level(body, "verbosity"),
        temperature=_temperature(body.get("temperature")),
        max_tokens=_max_tokens(body),
        stop=_stop(body.get("stop")),
        tools=tools,
        tool_choice=_tool_choice(body.get("tool_choice"), tools),
        parallel_tool_calls=_boolean(body, "parallel_tool_calls", default=True),
        response_format=_response_format(body.get("response_format")),
        fingerprint=digest(canonical_json(_numbered_call_ids(content_fields))),
    )


def _numbered_call_ids(fields: dict[str, Any]) -> dict[str, Any]:
    """Tool-call ids renamed id0, id1, ... in order of first appearance.

    Clients often mint these ids at random (uuid4), which would change the
    answer's ids on every recording; the numbering still ties each tool
    result to its call.
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


def _check_model(body: Mapping[str, Any]) -> None:
    if "model" not in body or body["model"] is None:
        raise missing_field("model")
    if body["model"] not in MODELS:
        raise ApiError(
            400,
            f"Invalid value for 'model': must be one of {list(MODELS)}.",
            code="invalid_model",
            param="model",
        )


def _persona(raw: Any) -> Persona | None:
    if raw is None:
        return None
    persona = personas.find(raw) if isinstance(raw, str) else None
    if persona is None:
        raise ApiError(
            400,
            f"Persona '{raw}' doesn't exist or is not accessible with this API key.",
            code="invalid_persona",
            param="persona_id",
        )
    return persona


def _boolean(body: Mapping[str, Any], name: str, *, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid_field(name, f"Invalid type for '{name}': expected a boolean.")
    return value


def _level(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if value not in LEVELS:
        message = f"Invalid value for '{name}': must be one of {list(LEVELS)}."
        raise invalid_field(name, message)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _temperature(value: Any) -> float:
    if value is None:
        return 1.0
    if not _is_number(value) or not 0 <= value <= 2:
        message = "Invalid value for 'temperature': must be a number between 0 and 2."
        raise invalid_field("temperature", message)
    return float(value)


def _max_tokens(body: Mapping[str, Any]) -> int | None:
    # max_completion_tokens is what newer OpenAI clients send; honour it too.
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            message = f"Invalid value for '{name}': must be an integer >= 1."
            raise invalid_field(name, message)
        return value
    return None


def _stop(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    valid = isinstance(items, list) and all(isinstance(s, str) for s in items)
    if not valid or len(items) > MAX_STOP:
        message = f"Invalid value for 'stop': must be a string or a list of up to {MAX_STOP} strings."
        raise invalid_field("stop", message)
    return tuple(s for s in items if s)


def _messages(body: Mapping[str, Any]) -> tuple[Message, ...]:
    raw = body.get("messages")
    if raw is None:
        raise missing_field("messages")
    if not isinstance(raw, list):
        message = "Invalid type for 'messages': expected an array."
        raise invalid_field("messages", message)
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
        message = f"Invalid value for '{param}.role': must be one of {list(ROLES)}."
        raise invalid_field(f"{param}.role", message)
    text, images = _content(raw, param, role)
    images += _attachments(raw.get("attachments"), f"{param}.attachments")
    tool_calls = _history_tool_calls(raw.get("tool_calls"), f"{param}.tool_calls")
    if role == "assistant" and raw.get("content") is None and not tool_calls:
        raise missing_field(f"{param}.content")
    tool_call_id = raw.get("tool_call_id")
    if role == "tool":
        if tool_call_id is None:
            raise missing_field(f"{param}.tool_call_id")
        if not isinstance(tool_call_id, str):
            message = f"Invalid type for '{param}.tool_call_id': expected a string."
            raise invalid_field(f"{param}.tool_call_id", message)
    return Message(
        role=role,
        text=text,
        tool_calls=tool_calls,
        tool_call_id=tool_call_id if isinstance(tool_call_id, str) else None,
        image_count=images,
    )


def _content(raw: Mapping[str, Any], param: str, role: str) -> tuple[str, int]:
    """Text of a message plus how many images its content parts carry."""
    if "content" not in raw and role != "assistant":
        raise missing_field(f"{param}.content")
    content = raw.get("content")
    if content is None:
        if role != "assistant":
            raise missing_field(f"{param}.content")
        return "", 0
    if isinstance(content, str):
        return content, 0
    if not isinstance(content, list):
        message = f"Invalid type for '{param}.content': expected a string or array."
        raise invalid_field(f"{param}.content", message)
    texts: list[str] = []
    images = 0
    for index, part in enumerate(content):
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            where = f"{param}.content[{index}]"
            raise invalid_field(where, f"Invalid content part at '{where}'.")
        if part["type"] in _TEXT_PARTS and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif part["type"] in _IMAGE_PARTS:
            images += 1
    return "\n".join(texts), images


def _attachments(raw: Any, param: str) -> int:
    if raw is None:
        return 0
    if not isinstance(raw, list):
        raise invalid_field(param, f"Invalid type for '{param}': expected an array.")
    for index, item in enumerate(raw):
        where = f"{param}[{index}]"
        url = item.get("url") if isinstance(item, dict) else None
        if not (isinstance(item, dict) and item.get("type") == "image"):
            message = (
                f"Invalid attachment at '{where}': only "
                "{'type': 'image', 'url': ...} attachments are supported."
            )
            raise invalid_field(where, message)
        if not _is_image_url(url):
            message = (
                f"Invalid attachment at '{where}': 'url' must be an http(s) URL or a "
                "data:image/...;base64 URL."
            )
            raise invalid_field(where, message)
    return len(raw)


def _is_image_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    if re.match(r"^https?://[^\s/]+\S*$", url):
        return True
    return bool(_DATA_IMAGE_URL.match(url))


def _history_tool_calls(raw: Any, param: str) -> tuple[HistoryToolCall, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise invalid_field(param, f"Invalid type for '{param}': expected an array.")
    calls: list[HistoryToolCall] = []
    for index, item in enumerate(raw):
        where = f"{param}[{index}]"
        function = item.get("function") if isinstance(item, dict) else None
        if not (
            isinstance(item, dict)
            and isinstance(item.get("id"), str)
            and isinstance(function, dict)
            and isinstance(function.get("name"), str)
        ):
            message = (
                f"Invalid tool call at '{where}': expected "
                "{'id', 'type': 'function', 'function': {'name', 'arguments'}}."
            )
            raise invalid_field(where, message)
        arguments = function.get("arguments")
        calls.append(
            HistoryToolCall(
                id=item["id"],
                name=function["name"],
                arguments=arguments if isinstance(arguments, str) else "{}",
            )
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
        if not (
            isinstance(item, dict)
            and item.get("type", "function") == "function"
            and isinstance(function, dict)
        ):
            message = f"Invalid tool at '{where}': expected {{'type': 'function', 'function': {{...}}}}."
            raise invalid_field(where, message)
        name = function.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            message = f"Invalid value for '{where}.function.name': must match ^[A-Za-z0-9_.-]{{1,64}}$."
            raise invalid_field(f"{where}.function.name", message)
        parameters = function.get("parameters")
        if parameters is None:
            parameters = {"type": "object", "properties": {}}
        if not isinstance(parameters, dict):
            where = f"{where}.function.parameters"
            message = f"Invalid type for '{where}': expected an object."
            raise invalid_field(where, message)
        description = function.get("description")
        specs.append(
            ToolSpec(
                name=name,
                description=description if isinstance(description, str) else "",
                parameters=parameters,
            )
        )
    return tuple(specs)


def _tool_choice(raw: Any, tools: tuple[ToolSpec, ...]) -> ToolChoice:
    if raw is None:
        return ToolChoice("auto" if tools else "none")
    if raw == "any":  # LangChain's spelling of "required"
        raw = "required"
    if raw in ("auto", "none"):
        return ToolChoice(raw)
    if raw == "required":
        if not tools:
            message = "Invalid value for 'tool_choice': 'required' needs 'tools'."
            raise invalid_field("tool_choice", message)
        return ToolChoice("required")
    function = raw.get("function") if isinstance(raw, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str):
        message = (
            "Invalid value for 'tool_choice': must be 'auto', 'none', 'required' or "
            "{'type': 'function', 'function': {'name': ...}}."
        )
        raise invalid_field("tool_choice", message)
    if name not in {tool.name for tool in tools}:
        message = f"Invalid value for 'tool_choice': no tool named '{name}' in 'tools'."
        raise invalid_field("tool_choice", message)
    return ToolChoice("required", name)


def _response_format(raw: Any) -> ResponseFormat:
    if raw is None:
        return ResponseFormat("text")
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind in ("text", "json_object"):
        return ResponseFormat(kind)
    if kind != "json_schema":
        message = (
            "Invalid value for 'response_format.type': must be one of ['text', 'json_object', 'json_schema']."
        )
        raise invalid_field("response_format.type", message)
    spec = raw.get("json_schema")
    if spec is None:
        raise missing_field("response_format.json_schema")
    schema = spec.get("schema", {}) if isinstance(spec, dict) else None
    if not isinstance(schema, dict):
        param = "response_format.json_schema.schema"
        raise invalid_field(param, f"Invalid type for '{param}': expected an object.")
    name = spec.get("name")
    return ResponseFormat("json_schema", schema, name if isinstance(name, str) else None)
