"""The default bound on requests in flight for `batch` and `abatch`.

langchain-core runs an `abatch` without `max_concurrency` as one request per
input, all at once: 1,000 inputs open up to 1,000 connections, each with its
buffers, and a loopback server already answers fewer requests per second than
with a bound (the pool thrashes and nothing is reused). A remote API with a
per-minute rate limit gains nothing from more. `batch` without one uses a thread
pool sized for CPU work (`min(32, cpu + 4)` threads), too few for requests that
mostly wait. Both get `DEFAULT_MAX_CONCURRENCY` unless the caller gives
`config={"max_concurrency": n}`, which always wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig

DEFAULT_MAX_CONCURRENCY = 32
"""Requests in flight at once for `batch`/`abatch` when the config names no `max_concurrency`."""


def _bounded_one(config: RunnableConfig | None, limit: int) -> RunnableConfig:
    if config is None:
        return {"max_concurrency": limit}
    if config.get("max_concurrency") is not None:
        return config
    return {**config, "max_concurrency": limit}


def with_default_concurrency(
    config: RunnableConfig | Sequence[RunnableConfig] | None, limit: int = DEFAULT_MAX_CONCURRENCY
) -> Any:
    """`config` (one or a list) with `max_concurrency` filled in where it is missing.

    The caller's dicts are never modified: a config that needs the default is copied.
    """
    if config is None or isinstance(config, dict):
        return _bounded_one(config, limit)
    return [_bounded_one(one, limit) for one in config]
