"""Per-key sliding-window rate limiting and the ``X-RateLimit-*`` headers."""

import math
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """What one request learned about its key's window."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # unix seconds, as documented
    retry_after: int  # seconds; only meaningful when not allowed

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }


class RateLimiter:
    """Sliding window: a request counts for ``window`` seconds after it arrives.

    Rejected requests are not counted, otherwise a client that keeps retrying
    would lock itself out forever.
    """

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> Window:
        return self._observe(key, consume=True)

    def peek(self, key: str) -> Window:
        return self._observe(key, consume=False)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def _observe(self, key: str, *, consume: bool) -> Window:
        # Monotonic time drives the window; wall time only feeds the header.
        now = time.monotonic()
        wall = time.time()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            allowed = len(hits) < self.limit
            if consume and allowed:
                hits.append(now)
            oldest = hits[0] if hits else now
            wait = max(0.0, oldest + self.window - now)
            return Window(
                allowed=allowed,
                limit=self.limit,
                remaining=max(0, self.limit - len(hits)),
                reset_at=math.ceil(wall + (wait if hits else self.window)),
                retry_after=max(1, math.ceil(wait)),
            )
