"""The :class:`Emulator`: an HTTP server on a daemon thread that parses, records,
authenticates, rate-limits, routes and writes.

Handlers only return reply objects; this module owns every byte on the socket, which is where
flushing, chunked encoding and injected connection faults have to happen.
"""

import json
import math
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .auth import DEFAULT_KEY, authenticate, bearer_token, redact
from .faults import FaultQueue, distort, immediate_reply
from .routes import ROUTES, Route, resolve
from .wire import (
    Abort,
    ApiError,
    Comment,
    EmulatorConfig,
    JsonReply,
    Pause,
    RawReply,
    Reply,
    RequestContext,
    StreamReply,
    UsagePlacement,
    rate_limit_message,
)

API_PREFIX = "/api/v1"
SERVED_BY = "langchain-mavera-emulator"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # relative to /api/v1 when under it, like Fault.path
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names, Authorization redacted
    json: Any  # parsed body; None when absent or not valid JSON
    raw_path: str  # the path as sent, e.g. "/api/v1/chat/completions"


class RateLimiter:
    """Sliding window: a request counts for ``window`` seconds after it arrives.

    Rejected requests are not counted, otherwise a client that keeps retrying would lock
    itself out forever.
    """

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def observe(self, key: str, *, consume: bool) -> tuple[dict[str, str], int | None]:
        """The ``X-RateLimit-*`` headers, and the seconds to wait if the request is refused."""
        now, wall = time.monotonic(), time.time()  # monotonic drives the window; wall the header
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            allowed = len(hits) < self.limit
            if consume and allowed:
                hits.append(now)
            wait = max(0.0, (hits[0] if hits else now) + self.window - now)
            headers = {
                "X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(max(0, self.limit - len(hits))),
                "X-RateLimit-Reset": str(math.ceil(wall + (wait if hits else self.window))),
            }
            return headers, None if allowed else max(1, math.ceil(wait))

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class Emulator:
    """A local Mavera API on 127.0.0.1.

    ``port=0`` picks a free port; read :attr:`base_url` after :meth:`start`.
    ``stream_usage_placement`` puts streamed usage/analysis on a trailing ``choices: []``
    chunk (default) or on the finish_reason chunk. ``rate_limit_window`` shortens the 60 s
    window for tests; ``stream_chunk_delay`` paces streams like a real model;
    ``keep_alive=False`` answers every request with ``Connection: close``; ``routes``
    replaces the routing table (e.g. to slow one route down).
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
        self.config = EmulatorConfig(stream_usage_placement, stream_chunk_delay, keep_alive)
        self.routes = routes
        self.limiter = RateLimiter(rate_limit_per_minute, rate_limit_window)
        self.faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        """Every request received, faulted or not, oldest first (live list)."""
        self._lock = threading.Lock()
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
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

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def reset(self) -> None:
        """Forget recorded requests, pending faults and rate-limit history."""
        with self._lock:
            self.requests.clear()
        self.faults.clear()
        self.limiter.reset()

    def start(self) -> "Emulator":
        if self._server is None:
            self._server = _HTTPServer(self._address, self)
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
        self._server = self._thread = None

    def serve_forever(self) -> None:
        """Block until interrupted (used by ``python -m tests.emulator``)."""
        try:
            while (thread := self.start()._thread) is not None and thread.is_alive():
                thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextmanager
def run_emulator(**options: Any) -> Iterator[Emulator]:
    """Start an :class:`Emulator` (same keyword options) for a ``with`` block."""
    with Emulator(**options) as emulator:
        yield emulator


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a slow_stream sleeper must not stall shutdown
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        super().__init__(address, _Handler)
        self.emulator = emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients dropping keep-alive sockets (timeouts, closed event loops) is normal
        # traffic, not something to print a traceback for.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked streaming and keep-alive
    server_version = "mavera-emulator/1.0"
    disable_nagle_algorithm = True  # tiny SSE writes must leave immediately
    timeout = 60  # reap idle keep-alive connections
    server: _HTTPServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: test output should not fill with access logs."""

    def _handle(self) -> None:
        emulator = self.server.emulator
        url = urlsplit(self.path)
        raw_body = self._read_body()
        relative = url.path == API_PREFIX or url.path.startswith(API_PREFIX + "/")
        path = (url.path[len(API_PREFIX) :] or "/") if relative else url.path
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            body, body_ok = json.loads(raw_body.decode("utf-8")), True
        except (UnicodeDecodeError, ValueError):  # no body at all, too
            body, body_ok = None, False
        headers = {k.lower(): v for k, v in self.headers.items()}
        recorded = dict(headers)
        if "authorization" in recorded:
            recorded["authorization"] = redact(recorded["authorization"])
        emulator.record(RecordedRequest(self.command, path, query, recorded, body, url.path))
        self._window: dict[str, str] = {}
        try:
            reply = self._answer(path if relative else None, query, headers, body, body_ok)
        except ApiError as error:
            exhausted = {"X-RateLimit-Remaining": "0"} if error.status == 429 else {}
            reply = JsonReply(error.body(), error.status, {**error.headers, **exhausted})
        except Exception as exc:  # surface emulator bugs as 500s, not hangs
            self.log_error("handler failed: %r", exc)
            reply = JsonReply(ApiError(500, f"Emulator bug: {exc!r}").body(), 500)
        if reply is None:
            self.close_connection = True  # the "close" fault: no response at all
        else:
            self._send(reply, self._window)

    def _answer(
        self, path: str | None, query: dict[str, str], headers: dict[str, str], body: Any, body_ok: bool
    ) -> Reply | None:
        emulator = self.server.emulator
        authorization = self.headers.get("Authorization")
        self._window = emulator.limiter.observe(bearer_token(authorization) or "", consume=False)[0]
        key = authenticate(authorization)
        self._window, retry = emulator.limiter.observe(key, consume=True)
        if retry is not None:
            raise ApiError(429, rate_limit_message(retry), headers={"Retry-After": str(retry)})
        found = resolve(emulator.routes, self.command, path) if path is not None else None
        if path is None or found is None:
            raise ApiError(404, f"Unknown endpoint: {self.command} {urlsplit(self.path).path}")
        if self.command in ("POST", "PUT", "PATCH") and not body_ok:
            raise ApiError(400, "Request body is not valid JSON.", code="invalid_json")
        route, params = found
        fault = emulator.faults.take(path, streaming=isinstance(body, dict) and body.get("stream") is True)
        if fault is not None and fault.kind == "close":
            return None
        reply = immediate_reply(fault) if fault is not None else None
        if reply is None:
            reply = route.handler(
                RequestContext(self.command, path, params, query, headers, body, key, emulator.config)
            )
            reply = distort(reply, fault) if fault is not None else reply
        return reply

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _read_body(self) -> bytes:
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""
        parts: list[bytes] = []
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            parts.append(self.rfile.read(size))
            self.rfile.readline()
        self.rfile.readline()
        return b"".join(parts)

    def _send(self, reply: Reply, headers: dict[str, str]) -> None:
        headers = {**headers, "X-Served-By": SERVED_BY}
        try:
            if isinstance(reply, StreamReply):
                self._send_stream(reply, headers)
            elif isinstance(reply, RawReply):
                self._send_bytes(reply.status, reply.body, reply.content_type, headers)
            else:
                data = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                self._send_bytes(reply.status, data, "application/json", {**headers, **reply.headers})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client hung up; nothing to tell it

    def _send_bytes(self, status: int, data: bytes, content_type: str, headers: dict[str, str]) -> None:
        self._start(status, {"Content-Type": content_type, "Content-Length": str(len(data)), **headers})
        self.wfile.write(data)

    def _start(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if not self.server.emulator.config.keep_alive:
            # Lets clients that cache connections across event loops record safely.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def _send_stream(self, reply: StreamReply, headers: dict[str, str]) -> None:
        sse = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
        self._start(reply.status, {**sse, "Transfer-Encoding": "chunked", **headers})
        delay = self.server.emulator.config.stream_chunk_delay
        for item in reply.items:
            if isinstance(item, Pause):
                time.sleep(item.seconds)
                continue
            if isinstance(item, Abort):
                self.close_connection = True  # no terminating chunk: the client sees a cut body
                return
            data = _encode_sse(item)
            # One HTTP chunk per SSE event, flushed, so clients see each as it goes.
            self.wfile.write(f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n")
            self.wfile.flush()
            if delay > 0 and not isinstance(item, Comment):
                time.sleep(delay)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _encode_sse(item: dict[str, Any] | str | Comment) -> bytes:
    if isinstance(item, Comment):
        return f": {item.text}\n\n".encode()
    if isinstance(item, str):
        return f"data: {item}\n\n".encode()
    payload = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    # Responses and Mave events are named after their `type`; chat chunks and errors have none.
    name = item.get("type")
    return (f"event: {name}\n" if isinstance(name, str) else "").encode() + f"data: {payload}\n\n".encode()
