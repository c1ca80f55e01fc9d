"""Token accounting, truncation and the credit price of a completion.

Tokens are whitespace-separated words: crude, but it makes ``max_tokens``
behaviour predictable for tests (``max_tokens=5`` means five words).
"""

import json
import re

from .chat_request import ChatRequest

PERSONA_PROMPT_TOKENS = 120  # the hidden persona system prompt is billed too
PER_MESSAGE_TOKENS = 4
TOKENS_PER_CREDIT = 200
MAX_CREDITS = 5
_WORD = re.compile(r"\S+")


def count_tokens(text: str) -> int:
    return len(text.split())


def limit_text(text: str, stops: tuple[str, ...], max_tokens: int | None) -> tuple[str, str]:
    """Apply stop sequences then the token cap; returns (text, finish_reason)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    if cut >= 0:
        text = text[:cut]
    if max_tokens is not None:
        words = list(_WORD.finditer(text))
        if len(words) > max_tokens:
            return text[: words[max_tokens - 1].end()], "length"
    return text, "stop"


def prompt_tokens(req: ChatRequest) -> int:
    total = sum(count_tokens(m.text) + PER_MESSAGE_TOKENS for m in req.messages)
    total += sum(count_tokens(c.arguments) for m in req.messages for c in m.tool_calls)
    if req.persona is not None:
        total += PERSONA_PROMPT_TOKENS
    for tool in req.tools:
        total += count_tokens(f"{tool.name} {tool.description}")
        total += count_tokens(json.dumps(tool.parameters))
    if req.response_format.schema is not None:
        total += count_tokens(json.dumps(req.response_format.schema))
    return total


def credits(total_tokens: int, *, analysis: bool) -> int:
    """1-5 credits by size, one more for analysis, within the documented 1-5."""
    base = 1 + total_tokens // TOKENS_PER_CREDIT
    return min(MAX_CREDITS, base + (1 if analysis else 0))


def usage_body(req: ChatRequest, completion_tokens: int) -> dict[str, int]:
    prompt = prompt_tokens(req)
    total = prompt + completion_tokens
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": total,
        "credits_used": credits(total, analysis=req.analysis_mode),
    }
