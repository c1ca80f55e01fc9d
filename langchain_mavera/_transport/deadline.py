"""A whole-call deadline that also covers waiting for a shared slot (research's 10 at once).

A research call's `timeout` bounds the call, not only each read: waiting for a slot held by
other calls, and a stream that sends only keep-alive comments, both end at the deadline.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx2

from langchain_mavera._transport.error_mapping import make_error
from langchain_mavera.errors import MaveraError, MaveraTimeoutError


class Deadline:
    """`timeout` seconds from now (None: no deadline)."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self._at = None if timeout is None else time.monotonic() + timeout

    def left(self) -> float | None:
        """Seconds left (never below a millisecond, so a read still fails as a timeout)."""
        return None if self._at is None else max(self._at - time.monotonic(), 0.001)

    def expired(self, waiting_for: str, url: str) -> MaveraError:
        message = f"Timed out after {self.timeout:g} s waiting for {waiting_for}; no request was sent."
        return make_error(MaveraTimeoutError, message, request=httpx2.Request("POST", url))


@contextmanager
def slot(slots: threading.Semaphore, deadline: Deadline, what: str, url: str) -> Iterator[None]:
    """Hold one of `slots`, waiting no longer than the deadline."""
    if not slots.acquire(timeout=deadline.left()):
        raise deadline.expired(what, url)
    try:
        yield
    finally:
        slots.release()


@asynccontextmanager
async def aslot(slots: asyncio.Semaphore, deadline: Deadline, what: str, url: str) -> AsyncIterator[None]:
    """Async twin of `slot`."""
    try:
        await asyncio.wait_for(slots.acquire(), deadline.left())
    except TimeoutError:
        raise deadline.expired(what, url) from None
    try:
        yield
    finally:
        slots.release()
