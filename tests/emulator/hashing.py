"""Stable hashing: every "random" choice in the emulator flows through here.

Cassettes are re-recorded from the emulator, so any variation must come from
the request itself, never from the clock or the process (``hash()`` is salted
per process, hence sha256).
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def digest(*parts: str) -> str:
    """Hex sha256 of the parts; the separator keeps ("ab", "c") != ("a", "bc")."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, so dict ordering in a client cannot change ids."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class Chooser:
    """Deterministic picks keyed by a seed plus a label per decision.

    The label makes each decision independent: changing how many sentences a
    reply has does not reshuffle which opener it uses.
    """

    def __init__(self, seed: str) -> None:
        self._seed = seed

    def integer(self, label: str, low: int, high: int) -> int:
        """An int in [low, high]."""
        span = high - low + 1
        return low + int(digest(self._seed, label)[:12], 16) % span

    def pick(self, label: str, options: Sequence[T]) -> T:
        return options[self.integer(label, 0, len(options) - 1)]

    def fraction(self, label: str) -> float:
        """A float in [0, 1)."""
        return int(digest(self._seed, label)[:12], 16) / float(16**12)
