"""Functions run in spawned worker processes (they must be importable by name)."""

from __future__ import annotations

import os
from typing import Any

from langchain_core.rate_limiters import InMemoryRateLimiter

from langchain_mavera import ChatMavera

# The model this worker process built for itself in `build_paced_model`.
_OWN: dict[str, ChatMavera] = {}


def ask(model: ChatMavera, question: str) -> tuple[int, str]:
    """Invoke the model in this process and report which process answered."""
    return os.getpid(), str(model.invoke(question).content)


def build_paced_model(requests_per_second: float, settings: dict[str, Any]) -> None:
    """Pool initializer: each worker builds its own rate-limited model (a limiter does not pickle)."""
    limiter = InMemoryRateLimiter(
        requests_per_second=requests_per_second, check_every_n_seconds=0.01, max_bucket_size=1
    )
    _OWN["model"] = ChatMavera(rate_limiter=limiter, **settings)


def ask_own_model(question: str) -> tuple[int, str]:
    """`ask` with the model `build_paced_model` built in this worker."""
    return ask(_OWN["model"], question)
