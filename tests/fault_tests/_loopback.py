"""A tiny real HTTP server on 127.0.0.1 for what a mock transport cannot show.

Stalled streams (the client's read timeout must fire on a real socket),
separate processes, concurrent callers and request timing need real sockets.
It answers every chat completion with a fixed reply, streamed when asked, and
records each request (arrival time, headers, body) plus the peak concurrency.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fault_tests._scripted import completion, stream_chunks

API_KEY = "mvra_live_LOOPBACK_secret_0123456789"


@dataclass
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Loopback:
    base_url: str = ""
    api_key: str = API_KEY
    requests: list[Received] = field(default_factory=list)
    stall_seconds: float = 0.0
    """When set, a stream sends one chunk and then goes silent this long."""
    reply_delay: float = 0.0
    peak_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


def _handler(state: Loopback) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
            headers = {key.lower(): value for key, value in self.headers.items()}
            state.requests.append(Received(time.monotonic(), self.path, headers, body))
            state.enter()
            try:
                time.sleep(state.reply_delay)
                if body.get("stream"):
                    self._stream()
                else:
                    self._json(completion())
            finally:
                state.leave()

        def _json(self, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("connection", "close")
            self.end_headers()
            for index, line in enumerate(stream_chunks(["Hel", "lo"])):
                self.wfile.write(line.encode())
                self.wfile.flush()
                if index == 0 and state.stall_seconds:
                    time.sleep(state.stall_seconds)
            self.close_connection = True

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 resets bursts of concurrent callers

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out hang up on purpose; their broken pipes are not news."""


@contextmanager
def run_loopback() -> Iterator[Loopback]:
    state = Loopback()
    server = _Server(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
