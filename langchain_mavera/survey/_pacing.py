"""Pacing requests at a key's rate limit, learnt from the X-RateLimit-* headers.

langchain-core's `InMemoryRateLimiter` is a token bucket with a fixed rate that
polls on a timer; a survey needs three things it lacks: the rate is learnt
from `X-RateLimit-Limit` (60 to 600 per minute depending on the tier), a 429's
`Retry-After` or an exhausted window (`X-RateLimit-Remaining: 0` until
`X-RateLimit-Reset`) pauses every worker at once, and each caller is handed
an exact start time rather than polling.

Sends are spaced evenly, `margin` wider than `window / limit`: however the
server's sliding window is aligned, it then never holds more than the limit,
and a send delayed by scheduling jitter cannot crowd the next one (a slot is
never earlier than the moment it is handed out).

A rate given by the user is a ceiling: `X-RateLimit-Limit` may lower it, but
never below a quarter of it (a lying or misconfigured header of `1` would
otherwise re-pace a large survey to a week). A re-pace by more than that factor
is logged at WARNING, whether it is bounded (a given rate) or applied (a learnt one).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

_log = logging.getLogger(__name__)

MAX_SLOWDOWN = 4.0
"""The most a header may lower a rate the user gave; a larger drop is logged at WARNING."""

_EPOCH_THRESHOLD = 1_000_000_000
"""A reset above this is a Unix timestamp (as documented); below it, seconds to wait."""


class Pacer:
    """Hands out send times so requests stay under the key's limit; shared by all workers."""

    def __init__(
        self,
        requests_per_minute: float | None = None,
        *,
        window: float = 60.0,
        margin: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.window = window
        self.margin = margin
        self._clock = clock
        self._wall = wall_clock
        self._lock = threading.Lock()
        self.limit: float | None = None
        self._interval = 0.0
        self._next_slot = clock()
        self._hold_until = 0.0
        self._ceiling = requests_per_minute
        self._refused: float | None = None
        if requests_per_minute is not None:
            self._set_limit(requests_per_minute)

    @property
    def knows_limit(self) -> bool:
        return self.limit is not None

    @property
    def interval(self) -> float:
        """Seconds between two sends (0 while the limit is unknown)."""
        return self._interval

    def reserve(self) -> float:
        """Claim the next send slot; returns how many seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot, self._hold_until)
            self._next_slot = slot + self._interval
            return slot - now

    def held(self) -> float:
        """Seconds left of a pause ordered after a slot was reserved (0 when none)."""
        with self._lock:
            return max(0.0, self._hold_until - self._clock())

    def observe(self, rate_limit: Mapping[str, Any] | None) -> None:
        """Learn from a response's `rate_limit` metadata (`limit`, `remaining`, `reset`)."""
        if not rate_limit:
            return
        limit = rate_limit.get("limit")
        if isinstance(limit, int | float) and not isinstance(limit, bool) and limit > 0:
            self._learn(float(limit))
        remaining = rate_limit.get("remaining")
        if isinstance(remaining, int | float) and remaining <= 0:
            self.pause(self._until_reset(rate_limit.get("reset")))

    def back_off(self, retry_after: float | None) -> None:
        """A 429 arrived: every worker waits `Retry-After` (one spacing interval when absent)."""
        self.pause(retry_after if retry_after is not None else max(self._interval, 1.0))

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._hold_until = max(self._hold_until, self._clock() + max(0.0, seconds))

    def _learn(self, header: float) -> None:
        with self._lock:
            wanted = header if self._ceiling is None else min(header, self._ceiling)
            current = self.limit
            drastic = current is not None and wanted * MAX_SLOWDOWN < current
            if self._ceiling is not None:
                wanted = max(wanted, self._ceiling / MAX_SLOWDOWN)
            if drastic and header != self._refused:
                self._refused = header
                _log.warning(
                    "X-RateLimit-Limit says %g requests per %gs where %g were %s; pacing at %g.",
                    header,
                    self.window,
                    current,
                    "given" if self._ceiling is not None else "learnt",
                    wanted,
                )
            if wanted != current:
                self._set_limit(wanted)

    def _set_limit(self, requests_per_minute: float) -> None:
        # Rates are per `window`; the documented window is one minute.
        self.limit = float(requests_per_minute)
        self._interval = self.window / self.limit * (1.0 + self.margin)

    def _until_reset(self, reset: Any) -> float:
        """Seconds until the window frees a slot; one interval when the header is missing or odd."""
        if not isinstance(reset, int | float):
            return self._interval
        seconds = reset - self._wall() if reset > _EPOCH_THRESHOLD else float(reset)
        return min(max(seconds, 0.0), self.window)
