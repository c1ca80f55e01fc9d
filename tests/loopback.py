"""One real HTTP server on 127.0.0.1, for what an in-process fake transport cannot show.

Read timeouts on a stalled socket, separate processes, concurrent callers, request
timing, and replies that misbehave byte by byte need a real socket. Each request
is read whole, recorded (arrival time, method, path, headers, body) and answered
by a script: byte strings to send, float pauses between them, or `RESET`, after
which the connection is closed. Nothing is framed for the script, so a test can
cut a body mid-line, stall, lie about gzip or charset, or send headers no library
would. Without a script the server answers like Mavera's chat completions (a
fixed reply, streamed when asked), after `reply_delay` and with a `stall_seconds`
silence after the first streamed chunk. The peak number of requests in flight is
kept. Only tests marked `loopback` may use it (tests/conftest.py gives every other test
no socket at all).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.fake_mavera import completion, stream_chunks

API_KEY = "mvra_live_LOOPBACK_secret_0123456789"

RESET = "reset"
"""A script step that hangs up with a TCP reset (RST) instead of a clean close."""

Step = bytes | float | str
Script = Callable[[dict[str, Any]], list[Step]]


def head(status: str = "200 OK", **headers: str) -> bytes:
    """A status line and headers; `Connection: close` is always added."""
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def sse_head(**headers: str) -> bytes:
    return head(content_type="text/event-stream", **headers)


def event(payload: Any) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


def chunk(content: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-raw",
        "model": "mavera-1",
        "choices": [{"index": 0, "delta": {"content": content}}],
        **extra,
    }


def finish(**extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-raw",
        "model": "mavera-1",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        **extra,
    }


def completion_bytes(content: str = "Hello from the persona.") -> bytes:
    return json.dumps(completion(content), ensure_ascii=False).encode()


@dataclass
class Received:
    at: float
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Loopback:
    script: Script | None = None
    base_url: str = ""
    api_key: str = API_KEY
    requests: list[Received] = field(default_factory=list)
    stall_seconds: float = 0.0
    """Default script: a stream sends one chunk and then goes silent this long."""
    reply_delay: float = 0.0
    """Default script: how long to wait before answering."""
    peak_in_flight: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def posts(self) -> int:
        return sum(1 for request in self.requests if request.method == "POST")

    @property
    def gets(self) -> int:
        return sum(1 for request in self.requests if request.method != "POST")

    def steps(self, body: dict[str, Any]) -> list[Step]:
        if self.script is not None:
            return self.script(body)
        if not body.get("stream"):
            return [self.reply_delay, head(content_type="application/json"), completion_bytes()]
        lines = [line.encode() for line in stream_chunks(["Hel", "lo"])]
        return [self.reply_delay, sse_head(), lines[0], self.stall_seconds, *lines[1:]]

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


def _read_request(conn: socket.socket) -> Received | None:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return None
        data += piece
    header_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = header_bytes.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        piece = conn.recv(65536)
        if not piece:
            break
        rest += piece
    try:
        body = json.loads(rest) if rest else {}
    except ValueError:
        body = {}
    return Received(time.monotonic(), method, path, headers, body)


def _play(state: Loopback, conn: socket.socket, steps: list[Step]) -> None:
    for step in steps:
        if step == RESET:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if isinstance(step, float):
            if step and state.stop.wait(step):
                return
        elif isinstance(step, bytes):
            conn.sendall(step)


def _serve(state: Loopback, conn: socket.socket) -> None:
    with conn:
        request = _read_request(conn)
        if request is None:
            return
        state.requests.append(request)
        state.enter()
        try:
            _play(state, conn, state.steps(request.body))
        except OSError:
            return  # clients that time out hang up on purpose; their broken pipes are not news
        finally:
            state.leave()


@contextmanager
def run_loopback(script: Script | None = None) -> Iterator[Loopback]:
    state = Loopback(script)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)  # a small backlog resets bursts of concurrent callers
    listener.settimeout(0.05)
    state.base_url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1"

    def accept() -> None:
        while not state.stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_serve, args=(state, conn), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        thread.join(2)
        listener.close()
