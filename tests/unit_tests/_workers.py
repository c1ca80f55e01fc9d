"""Functions run in spawned worker processes (they must be importable by name)."""

from __future__ import annotations

import os

from langchain_mavera import ChatMavera


def ask(model: ChatMavera, question: str) -> tuple[int, str]:
    """Invoke the model in this process and report which process answered."""
    return os.getpid(), str(model.invoke(question).content)
