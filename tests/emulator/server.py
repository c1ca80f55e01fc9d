"""HTTP plumbing: parse, record, authenticate, rate-limit, route, write.

Handlers only return reply objects; this module owns every byte on the
socket, which is where flushing, chunked encoding and injected connection
faults have to happen.
"""

import json
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .auth import authenticate, bearer_token, redact
from .errors import ApiError, rate_limit_message
from .faults import FaultQueue, distort, immediate_reply
from .ratelimit import RateLimiter, Window
from .routes import Route, resolve
from .wire import (
    Abort,
    Comment,
    EmulatorConfig,
    JsonReply,
    Pause,
    RawReply,
    Reply,
    RequestContext,
    StreamReply,
)

API_PREFIX = "/api/v1"
SERVED_BY = "langchain-mavera-emulator"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_ANONYMOUS = ""  # rate-limit bucket for requests without a usable key


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # relative to /api/v1 when under it, like Fault.path
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names, Authorization redacted
    json: Any  # parsed body; None when absent or not valid JSON
    raw_path: str  # the path as sent, e.g. "/api/v1/chat/completions"


class ServerState:
    """Everything handler threads share; each part guards itself."""

    def __init__(
        self,
        config: EmulatorConfig,
        routes: Sequence[Route],
        limiter: RateLimiter,
    ) -> None:
        self.config = config
        self.routes = routes
        self.limiter = limiter
        self.faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a slow_stream sleeper must not stall shutdown
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        super().__init__(address, RequestHandler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients dropping keep-alive sockets (timeouts, closed event loops)
        # is normal traffic, not something to print a traceback for.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked streaming and keep-alive
    server_version = "mavera-emulator/1.0"
    disable_nagle_algorithm = True  # tiny SSE writes must leave immediately
    timeout = 60  # reap idle keep-alive connections
    server: EmulatorHTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: test output should not fill with access logs."""

    def _handle(self) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        raw_body = self._read_body()
        path = _relative(url.path)
        body, body_ok = _parse_json(raw_body)
        state.record(
            RecordedRequest(
                method=self.command,
                path=path if path is not None else url.path,
                query={k: v[-1] for k, v in parse_qs(url.query).items()},
                headers=self._recorded_headers(),
                json=body,
                raw_path=url.path,
            )
        )
        authorization = self.headers.get("Authorization")
        try:
            key = authenticate(authorization)
        except ApiError as error:
            bucket = bearer_token(authorization) or _ANONYMOUS
            self._send_error(error, state.limiter.peek(bucket))
            return
        window = state.limiter.hit(key)
        if not window.allowed:
            retry = {"Retry-After": str(window.retry_after)}
            message = rate_limit_message(window.retry_after)
            self._send_error(ApiError(429, message, headers=retry), window)
            return
        found = resolve(state.routes, self.command, path) if path is not None else None
        if path is None or found is None:
            message = f"Unknown endpoint: {self.command} {url.path}"
            self._send_error(ApiError(404, message), window)
            return
        if self.command in _BODY_METHODS and not body_ok:
            invalid = ApiError(400, "Request body is not valid JSON.", code="invalid_json")
            self._send_error(invalid, window)
            return
        route, params = found
        streaming = isinstance(body, dict) and body.get("stream") is True
        fault = state.faults.take(path, streaming=streaming)
        if fault is not None and fault.kind == "close":
            self.close_connection = True
            return
        context = RequestContext(
            method=self.command,
            path=path,
            path_params=params,
            query={k: v[-1] for k, v in parse_qs(url.query).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            api_key=key,
            config=state.config,
        )
        try:
            reply = immediate_reply(fault) if fault is not None else None
            if reply is None:
                reply = route.handler(context)
                if fault is not None:
                    reply = distort(reply, fault)
        except ApiError as error:
            self._send_error(error, window)
            return
        except Exception as exc:  # surface emulator bugs as 500s, not hangs
            self.log_error("handler failed: %r", exc)
            self._send_error(ApiError(500, f"Emulator bug: {exc!r}"), window)
            return
        self._send(reply, window.headers())

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _recorded_headers(self) -> dict[str, str]:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "authorization" in headers:
            headers["authorization"] = redact(headers["authorization"])
        return headers

    def _send_error(self, error: ApiError, window: Window) -> None:
        headers = {**window.headers(), **error.headers}
        if error.status == 429:
            headers["X-RateLimit-Remaining"] = "0"
        self._send(JsonReply(error.body(), error.status), headers)

    def _send(self, reply: Reply, headers: dict[str, str]) -> None:
        headers = {**headers, "X-Served-By": SERVED_BY}
        try:
            if isinstance(reply, StreamReply):
                self._send_stream(reply, headers)
            elif isinstance(reply, RawReply):
                self._send_bytes(reply.status, reply.body, reply.content_type, headers)
            else:
                data = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":"))
                headers.update(reply.headers)
                self._send_bytes(reply.status, data.encode("utf-8"), "application/json", headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client hung up; nothing to tell it

    def _send_bytes(self, status: int, data: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self._finish_headers(headers)
        self.wfile.write(data)

    def _finish_headers(self, headers: dict[str, str]) -> None:
        for name, value in headers.items():
            self.send_header(name, value)
        if not self.server.state.config.keep_alive:
            # Lets clients that cache connections across event loops record safely.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def _send_stream(self, reply: StreamReply, headers: dict[str, str]) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self._finish_headers(headers)
        delay = self.server.state.config.stream_chunk_delay
        for item in reply.items:
            if isinstance(item, Pause):
                time.sleep(item.seconds)
                continue
            if isinstance(item, Abort):
                # No terminating chunk: the client sees a truncated body.
                self.close_connection = True
                return
            self._write_chunk(_encode_sse(item))
            if delay > 0 and not isinstance(item, Comment):
                time.sleep(delay)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        # One HTTP chunk per SSE event, flushed, so clients see each as it goes.
        self.wfile.write(f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n")
        self.wfile.flush()


def _encode_sse(item: dict[str, Any] | str | Comment) -> bytes:
    if isinstance(item, Comment):
        return f": {item.text}\n\n".encode()
    if isinstance(item, str):
        return f"data: {item}\n\n".encode()
    payload = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    # Responses API events are named after their `type` (`event: response.completed`);
    # chat chunks and error objects carry no `type` and stay unnamed.
    name = item.get("type")
    if isinstance(name, str):
        return f"event: {name}\ndata: {payload}\n\n".encode()
    return f"data: {payload}\n\n".encode()


def _relative(path: str) -> str | None:
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return path[len(API_PREFIX) :] or "/"
    return None


def _parse_json(raw: bytes) -> tuple[Any, bool]:
    if not raw.strip():
        return None, False
    try:
        return json.loads(raw.decode("utf-8")), True
    except (UnicodeDecodeError, ValueError):
        return None, False
