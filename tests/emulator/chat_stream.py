"""Rendering a :class:`Completion` as ``chat.completion.chunk`` SSE events.

Text is cut at word boundaries into groups of one to three words, so a long
answer really arrives as many chunks and clients exercise their merging.
"""

import math
import re
from typing import Any

from .completion import CREATED, MODEL, Completion
from .hashing import Chooser
from .wire import StreamItem, UsagePlacement

DONE = "[DONE]"
ARGUMENT_PIECES = 4
_PIECE = re.compile(r"\s*\S+")


def stream_items(completion: Completion, placement: UsagePlacement) -> list[StreamItem]:
    base: dict[str, Any] = {
        "id": completion.id,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": MODEL,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {**base, "choices": [choice]}

    items: list[StreamItem] = []
    if completion.tool_calls:
        items.append(chunk({"role": "assistant", "content": None}))
        for index, call in enumerate(completion.tool_calls):
            opening = {
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            items.append(chunk({"tool_calls": [opening]}))
            for piece in split_arguments(call.arguments):
                delta = {"index": index, "function": {"arguments": piece}}
                items.append(chunk({"tool_calls": [delta]}))
    else:
        items.append(chunk({"role": "assistant", "content": ""}))
        for piece in split_text(completion.content or "", completion.id):
            items.append(chunk({"content": piece}))

    extras: dict[str, Any] = {"usage": completion.usage}
    if completion.analysis is not None:
        extras["analysis"] = completion.analysis
    finish = chunk({}, completion.finish_reason)
    if placement == "final_chunk":
        items.append({**finish, **extras})
    else:
        items.append(finish)
        items.append({**base, "choices": [], **extras})
    items.append(DONE)
    return items


def split_text(text: str, seed: str) -> list[str]:
    """Pieces of 1-3 words whose concatenation is exactly ``text``."""
    words = _PIECE.findall(text)
    if not words:
        return [text] if text else []
    words[-1] += text[len("".join(words)) :]  # keep trailing whitespace
    chooser = Chooser(seed)
    pieces: list[str] = []
    index = 0
    while index < len(words):
        size = chooser.integer(f"group:{len(pieces)}", 1, 3)
        pieces.append("".join(words[index : index + size]))
        index += size
    return pieces


def split_arguments(arguments: str) -> list[str]:
    if not arguments:
        return []
    size = max(1, math.ceil(len(arguments) / ARGUMENT_PIECES))
    return [arguments[i : i + size] for i in range(0, len(arguments), size)]
