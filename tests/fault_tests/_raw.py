"""A raw-socket server on 127.0.0.1 that misbehaves byte by byte.

Each request is read whole (headers and Content-Length body), counted, and
answered by a script: a list of byte strings to send and float pauses between
them, after which the connection is closed. Nothing is framed for the script,
so a test can cut a body mid-line, stall, lie about gzip or charset, or send
headers no library would.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

API_KEY = "mvra_live_RAWSOCKET_secret_0123456789"

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
    body = {
        "id": "chatcmpl-raw",
        "object": "chat.completion",
        "model": "mavera-1",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "credits_used": 1},
    }
    return json.dumps(body, ensure_ascii=False).encode()


@dataclass
class RawServer:
    script: Script
    base_url: str = ""
    api_key: str = API_KEY
    posts: int = 0
    gets: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def _read_request(conn: socket.socket) -> tuple[str, dict[str, Any]] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return None
        data += piece
    header_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = header_bytes.decode("latin-1").split("\r\n")
    method = lines[0].split(" ")[0]
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        piece = conn.recv(65536)
        if not piece:
            break
        rest += piece
    try:
        body = json.loads(rest) if rest else {}
    except ValueError:
        body = {}
    return method, body


def _serve(state: RawServer, conn: socket.socket) -> None:
    with conn:
        request = _read_request(conn)
        if request is None:
            return
        method, body = request
        if method == "POST":
            state.posts += 1
        else:
            state.gets += 1
        body["_method"] = method
        state.bodies.append(body)
        try:
            for step in state.script(body):
                if step == RESET:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if isinstance(step, float):
                    if state.stop.wait(step):
                        return
                elif isinstance(step, bytes):
                    conn.sendall(step)
        except OSError:
            return


@contextmanager
def run_raw(script: Script) -> Iterator[RawServer]:
    state = RawServer(script)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
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
