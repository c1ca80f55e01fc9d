"""``POST /chat/completions``: what the assistant says for a validated request, then its
delivery as one ``chat.completion`` or as ``chat.completion.chunk`` SSE events.

Both renderings start from one :class:`Completion`, which is how the streamed text is
guaranteed to equal the non-streamed text for the same body. Streamed text is cut at word
boundaries into groups of one to three words, so clients exercise their merging. Tokens are
whitespace-separated words: crude, but ``max_tokens=5`` then means five words.
"""

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from .chat_request import ChatRequest, parse_chat_request
from .language import build_analysis, chooser_for, compose_reply, question_of, read_prompt
from .synthesis import ToolCall, plan_tool_calls, structured_content
from .wire import Chooser, JsonReply, Reply, RequestContext, StreamItem, StreamReply, UsagePlacement

MODEL = "mavera-1"
CREATED = 1_767_225_600  # fixed so bodies are byte-identical between recordings (2026-01-01T00:00Z)
PERSONA_PROMPT_TOKENS = 120  # the hidden persona system prompt is billed too
_PIECE = re.compile(r"\s*\S+")


@dataclass(frozen=True)
class Completion:
    id: str
    content: str | None
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    usage: dict[str, int]
    analysis: dict[str, Any] | None


def create_chat_completion(ctx: RequestContext) -> Reply:
    request = parse_chat_request(ctx.body)
    completion = complete(request)
    if request.stream:
        return StreamReply(stream_items(completion, ctx.config.stream_usage_placement))
    return JsonReply(completion_body(completion))


def count_tokens(text: str) -> int:
    return len(text.split())


def complete(req: ChatRequest) -> Completion:
    prompt = read_prompt(question_of(req).text)
    chooser = chooser_for(req, prompt)
    calls = plan_tool_calls(req, prompt)
    content: str | None = None
    finish_reason = "tool_calls"
    spoken = sum(count_tokens(f"{c.name} {c.arguments}") for c in calls)
    if not calls:
        text = structured_content(req, prompt, chooser)
        content, finish_reason = _limit(compose_reply(req) if text is None else text, req)
        spoken = count_tokens(content)
    prompt_tokens = sum(count_tokens(m.text) + 4 for m in req.messages)
    prompt_tokens += sum(count_tokens(c.arguments) for m in req.messages for c in m.tool_calls)
    prompt_tokens += PERSONA_PROMPT_TOKENS if req.persona is not None else 0
    for tool in req.tools:
        prompt_tokens += count_tokens(f"{tool.name} {tool.description}") + count_tokens(
            json.dumps(tool.parameters)
        )
    if req.schema is not None:
        prompt_tokens += count_tokens(json.dumps(req.schema))
    total = prompt_tokens + spoken
    # 1 credit per 200 tokens begun, one more for analysis, within the documented 1-5.
    credits = min(5, 1 + total // 200 + (1 if req.analysis_mode else 0))
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": spoken,
        "total_tokens": total,
        "credits_used": credits,
    }
    analysis = build_analysis(req.persona, prompt, chooser) if req.analysis_mode else None
    return Completion("chatcmpl_" + req.fingerprint[:24], content, calls, finish_reason, usage, analysis)


def _limit(text: str, req: ChatRequest) -> tuple[str, str]:
    """Apply stop sequences then the token cap; returns (text, finish_reason)."""
    cut = min((i for i in (text.find(s) for s in req.stop) if i >= 0), default=-1)
    text = text[:cut] if cut >= 0 else text
    words = list(re.finditer(r"\S+", text))
    if req.max_tokens is not None and len(words) > req.max_tokens:
        return text[: words[req.max_tokens - 1].end()], "length"
    return text, "stop"


def completion_body(completion: Completion) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": completion.content}
    if completion.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in completion.tool_calls
        ]
    body: dict[str, Any] = {
        "id": completion.id,
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": completion.finish_reason}],
        "usage": completion.usage,
    }
    if completion.analysis is not None:
        body["analysis"] = completion.analysis
    return body


def stream_items(completion: Completion, placement: UsagePlacement) -> list[StreamItem]:
    base: dict[str, Any] = {
        "id": completion.id,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": MODEL,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

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
            items += [
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                for piece in split_arguments(call.arguments)
            ]
    else:
        items.append(chunk({"role": "assistant", "content": ""}))
        items += [chunk({"content": piece}) for piece in split_text(completion.content or "", completion.id)]
    extras: dict[str, Any] = {"usage": completion.usage}
    if completion.analysis is not None:
        extras["analysis"] = completion.analysis
    finish = chunk({}, completion.finish_reason)
    if placement == "final_chunk":
        return [*items, {**finish, **extras}, "[DONE]"]
    return [*items, finish, {**base, "choices": [], **extras}, "[DONE]"]


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
    """Four pieces (fewer for short arguments)."""
    size = max(1, math.ceil(len(arguments) / 4))
    return [arguments[i : i + size] for i in range(0, len(arguments), size)]
