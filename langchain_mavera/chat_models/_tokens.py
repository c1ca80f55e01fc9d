"""Offline token counting: an approximation, since Mavera publishes no tokenizer.

langchain-core's default falls back to a GPT-2 tokenizer from `transformers`,
which is missing (ImportError) or downloads its vocabulary on first use (a hang
without network). Mavera's model is undisclosed, so no tokenizer would be exact
anyway; langchain-core's `count_tokens_approximately` (about 4 characters per
token, a few tokens per message, tool schemas included) needs nothing and is
good enough for `trim_messages` and context budgeting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.messages.utils import count_tokens_approximately

__all__ = ["CHARS_PER_TOKEN", "count_message_tokens", "count_text_tokens"]

CHARS_PER_TOKEN = 4.0
"""Characters per token for English text (langchain-core's default)."""


def count_text_tokens(text: str) -> int:
    """Approximate tokens in a plain string."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def count_message_tokens(messages: Sequence[BaseMessage], tools: Sequence[Any] | None = None) -> int:
    """Approximate tokens in messages plus the schemas of the tools offered with them."""
    return count_tokens_approximately(
        messages, chars_per_token=CHARS_PER_TOKEN, tools=list(tools) if tools else None
    )
