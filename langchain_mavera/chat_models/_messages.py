"""LangChain messages to Mavera's chat-completions message dicts.

Mavera takes images as `attachments: [{"type": "image", "url": ...}]` beside a
plain-text `content`, not as OpenAI content parts, so content blocks are split
here: text is joined into `content`, images become attachments, and anything
Mavera cannot take is refused before a request is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_mavera.chat_models._deferred import unsupported_content

_ROLES: dict[type[BaseMessage], str] = {
    HumanMessage: "user",
    SystemMessage: "system",
    AIMessage: "assistant",
    ToolMessage: "tool",
}

# Blocks an assistant turn may carry that are output bookkeeping, not text to resend.
_ASSISTANT_SKIPPED_BLOCKS = frozenset(
    {
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "tool_use",
        "reasoning",
        "thinking",
        "function_call",
    }
)
_IMAGE_URL_PREFIXES = ("https://", "http://", "data:image/")
# Media a tool result may carry; Mavera's tool messages are text only.
_MEDIA_BLOCKS = frozenset({"image", "image_url", "audio", "input_audio", "file", "video"})
_UNSUPPORTED_HINT = "Mavera accepts text and images (http(s) or data URLs) only."


def _image_url(block: Mapping[str, Any]) -> str | None:
    """The URL of an image block in any LangChain or OpenAI shape, else None."""
    block_type = block.get("type")
    if block_type == "image_url":
        image = block.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        return url if isinstance(url, str) else None
    if block_type != "image":
        return None
    if isinstance(block.get("url"), str):
        return str(block["url"])
    data = block.get("base64") or (block.get("data") if block.get("source_type") == "base64" else None)
    if isinstance(data, str):
        mime_type = block.get("mime_type") or "image/png"
        return f"data:{mime_type};base64,{data}"
    return None


def _split_content(content: str | list[Any], role: str) -> tuple[str, list[dict[str, str]]]:
    """Text joined with newlines, and image attachments, from message content."""
    if isinstance(content, str):
        return content, []
    texts: list[str] = []
    attachments: list[dict[str, str]] = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
            continue
        if not isinstance(block, Mapping):
            msg = f"Unsupported content block of type {type(block).__name__}. {_UNSUPPORTED_HINT}"
            raise unsupported_content(msg)
        block_type = block.get("type")
        if block_type == "text":
            texts.append(_block_text(block))
        elif block_type in ("image", "image_url"):
            url = _image_url(block)
            if url is None or not url.startswith(_IMAGE_URL_PREFIXES):
                shown = url[:60] if url else f"keys {sorted(block)}"
                msg = f"Image block without a usable http(s) or data:image URL ({shown}). {_UNSUPPORTED_HINT}"
                raise unsupported_content(msg)
            attachments.append({"type": "image", "url": url})
        elif role == "assistant" and block_type in _ASSISTANT_SKIPPED_BLOCKS:
            continue
        else:
            msg = f"Unsupported content block type {block_type!r} in a {role} message. {_UNSUPPORTED_HINT}"
            raise unsupported_content(msg)
    return "\n".join(texts), attachments


def _block_text(block: Mapping[str, Any]) -> str:
    """A text block's text; anything but a string (None included) is refused, never sent as 'None'."""
    text = block.get("text", "")
    if not isinstance(text, str):
        msg = f"A text content block's 'text' must be a string, got {type(text).__name__}."
        raise unsupported_content(msg)
    return text


def _arguments_json(call: Mapping[str, Any]) -> str:
    """A tool call's args as JSON, or a ValueError naming the call (a set, NaN or object is not JSON)."""
    try:
        return json.dumps(call["args"], ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        msg = f"The args of tool call {call.get('name')!r} in an AIMessage are not JSON: {exc}."
        raise ValueError(msg) from None


def _wire_tool_calls(message: AIMessage) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = [
        {
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"], "arguments": _arguments_json(call)},
        }
        for call in message.tool_calls
    ]
    calls += [
        {
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"], "arguments": call["args"]},
        }
        for call in message.invalid_tool_calls
    ]
    return calls


def _tool_content(message: ToolMessage) -> str:
    """Tool results are plain text on the wire; structured results become JSON."""
    content = message.content
    if isinstance(content, str):
        return content
    for block in content:
        if isinstance(block, Mapping) and block.get("type") in _MEDIA_BLOCKS:
            msg = f"Unsupported content block type {block['type']!r} in a tool message: results are text."
            raise unsupported_content(msg)
    texts = [
        block if isinstance(block, str) else _block_text(block)
        for block in content
        if isinstance(block, str) or (isinstance(block, Mapping) and block.get("type") == "text")
    ]
    if len(texts) == len(content):
        return "\n".join(texts)
    return json.dumps(content, ensure_ascii=False)


def role_of(message: BaseMessage) -> str:
    """The wire role for a message, or a ValueError naming the unsupported type."""
    role = _ROLES.get(type(message))
    if role is not None:
        return role
    for cls, name in _ROLES.items():
        if isinstance(message, cls):
            return name
    if isinstance(message, ChatMessage):
        return message.role
    msg = f"Unsupported message type {type(message).__name__}; use System, Human, AI, Tool or Chat messages."
    raise TypeError(msg)


# Exact types whose plain-string content needs no splitting, checking or extra keys.
_PLAIN_ROLES: dict[type[BaseMessage], str] = {cls: _ROLES[cls] for cls in (HumanMessage, SystemMessage)}


def _plain_wire_message(message: BaseMessage) -> dict[str, Any] | None:
    """The wire dict of an unnamed text-only Human, System or AI turn, else None (take the full path).

    Most of a long history is such turns, and this is what the full path returns for
    them, without its role lookup, content split or tool-call checks.
    """
    content = message.content
    if type(content) is not str or message.name:
        return None
    cls = type(message)
    role = _PLAIN_ROLES.get(cls)
    if role is not None:
        return {"role": role, "content": content}
    # `cls is AIMessage` for speed; isinstance only narrows the type for the checker.
    if (
        cls is AIMessage
        and isinstance(message, AIMessage)
        and not message.tool_calls
        and not message.invalid_tool_calls
    ):
        return {"role": "assistant", "content": content}
    return None


def to_wire_message(message: BaseMessage) -> dict[str, Any]:
    """One LangChain message as a Mavera chat-completions message dict."""
    return _plain_wire_message(message) or _full_wire_message(message)


def _full_wire_message(message: BaseMessage) -> dict[str, Any]:
    role = role_of(message)
    if isinstance(message, ToolMessage):
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": _tool_content(message)}
    text, attachments = _split_content(message.content, role)
    wire: dict[str, Any] = {"role": role, "content": text}
    if attachments:
        wire["attachments"] = attachments
    if message.name:
        wire["name"] = message.name
    if isinstance(message, AIMessage) and (message.tool_calls or message.invalid_tool_calls):
        wire["tool_calls"] = _wire_tool_calls(message)
        if not text:
            wire["content"] = None
    return wire


def to_wire_messages(messages: Sequence[BaseMessage] | Iterable[BaseMessage]) -> list[dict[str, Any]]:
    """Every message converted, refusing an empty conversation up front."""
    # to_wire_message spelled out: one call per message less, on histories of thousands.
    wire = [_plain_wire_message(message) or _full_wire_message(message) for message in messages]
    if not wire:
        msg = "messages must contain at least one message."
        raise ValueError(msg)
    return wire
