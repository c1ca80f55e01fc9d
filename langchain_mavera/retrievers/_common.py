"""What the retrievers share: the `k` check."""

from __future__ import annotations


def checked_k(k: object) -> int | None:
    """A retriever's `k` (most documents returned): None, or a positive int; else a ValueError."""
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        msg = f"k must be a positive integer (most documents returned), got {k!r}."
        raise ValueError(msg)
    return k
