"""The :class:`Emulator` object: a server on a daemon thread plus its state."""

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from .auth import DEFAULT_KEY
from .faults import FaultQueue
from .ratelimit import RateLimiter
from .routes import ROUTES, Route
from .server import API_PREFIX, EmulatorHTTPServer, RecordedRequest, ServerState
from .wire import EmulatorConfig, UsagePlacement


class Emulator:
    """A local Mavera chat API on 127.0.0.1.

    ``port=0`` picks a free port; read :attr:`base_url` after :meth:`start`.
    ``stream_usage_placement`` puts streamed usage/analysis on a trailing
    ``choices: []`` chunk (default) or on the finish_reason chunk.
    ``rate_limit_window`` shortens the 60 s window for tests;
    ``stream_chunk_delay`` paces streams like a real model;
    ``keep_alive=False`` answers every request with ``Connection: close``.
    """

    api_key: str = DEFAULT_KEY

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        stream_usage_placement: UsagePlacement = "trailing",
        rate_limit_per_minute: int = 600,
        rate_limit_window: float = 60.0,
        stream_chunk_delay: float = 0.0,
        keep_alive: bool = True,
        routes: Sequence[Route] = ROUTES,
    ) -> None:
        if stream_usage_placement not in ("trailing", "final_chunk"):
            raise ValueError("stream_usage_placement must be 'trailing' or 'final_chunk'")
        config = EmulatorConfig(
            stream_usage_placement=stream_usage_placement,
            stream_chunk_delay=stream_chunk_delay,
            keep_alive=keep_alive,
        )
        self._state = ServerState(config, routes, RateLimiter(rate_limit_per_minute, rate_limit_window))
        self._address = (host, port)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return self._address[0]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, faulted or not, oldest first (live list)."""
        return self._state.requests

    @property
    def faults(self) -> FaultQueue:
        return self._state.faults

    def start(self) -> "Emulator":
        if self._server is not None:
            return self
        self._server = EmulatorHTTPServer(self._address, self._state)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # fast shutdown keeps test runs quick
            name=f"mavera-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def reset(self) -> None:
        """Forget recorded requests, pending faults and rate-limit history."""
        self._state.clear_requests()
        self._state.faults.clear()
        self._state.limiter.reset()

    def serve_forever(self) -> None:
        """Block until interrupted (used by ``python -m tests.emulator``)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def run_emulator(**options: Any) -> Iterator[Emulator]:
    """Start an :class:`Emulator` (same keyword options) for a ``with`` block."""
    emulator = Emulator(**options)
    with emulator:
        yield emulator
