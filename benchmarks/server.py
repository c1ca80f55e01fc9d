"""A canned-response Mavera stand-in for the benchmarks, run in its own process.

It does no work per request beyond reading the body: the JSON replies and the
200-chunk SSE stream are built once at start-up, so the benchmark measures the
client, and the server's CPU is never counted in the client's process time.

Streams go out with chunked transfer encoding, one HTTP chunk per SSE event,
as a real SSE server sends them; a base URL under `/content-length/` gets the
whole stream as one content-length body instead (cheaper for every client:
fewer reads and no chunk framing), and one under `/long/` a 2,000-chunk
stream. A request offering `tools` is answered with a tool call, one asking
for a `response_format` with a JSON object.

Run: `python benchmarks/server.py --port 0` prints `PORT <n>` once listening.
"""

from __future__ import annotations

import argparse
import json
import socketserver
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STREAM_CHUNKS = 200
LONG_STREAM_CHUNKS = 2000
MODEL = "mavera-1"
USAGE = {"prompt_tokens": 42, "completion_tokens": 200, "total_tokens": 242, "credits_used": 2}
ANALYSIS = {
    "confidence": 0.82,
    "emotion": {"emotional_valence": 0.4, "primary": "curious"},
    "biases": [{"name": "anchoring", "score": 0.2}],
    "insights": ["Price sensitivity is high.", "Sustainability matters."],
}
WORDS = [f"word{i} " for i in range(STREAM_CHUNKS)]


def completion_body() -> bytes:
    """A non-streaming chat.completion with usage, credits and analysis."""
    return json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(WORDS)},
                    "finish_reason": "stop",
                }
            ],
            "usage": USAGE,
            "analysis": ANALYSIS,
        }
    ).encode()


def _chunk(delta: dict[str, object], finish_reason: str | None = None, **extra: object) -> str:
    payload = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        **extra,
    }
    return f"data: {json.dumps(payload)}\n\n"


def stream_body(chunks: int = STREAM_CHUNKS) -> bytes:
    """A role chunk, `chunks` content chunks, a finish chunk with usage and analysis, then [DONE]."""
    parts = [_chunk({"role": "assistant", "content": ""})]
    parts += [_chunk({"content": f"word{i} "}) for i in range(chunks)]
    parts.append(_chunk({}, "stop", usage=USAGE, analysis=ANALYSIS))
    parts.append("data: [DONE]\n\n")
    return "".join(parts).encode()


def tool_call_body() -> bytes:
    """A chat.completion whose answer is one call of the first tool offered."""
    call = {
        "id": "call_bench",
        "type": "function",
        "function": {"name": "tool_0", "arguments": json.dumps({"city": "Paris", "days": 3})},
    }
    return json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": USAGE,
        }
    ).encode()


STRUCTURED_ANSWER = {"would_buy": True, "max_price_usd": 25.0, "reason": "Refills cut waste."}


def structured_body() -> bytes:
    """A chat.completion whose text is a JSON object (for response_format requests)."""
    body = json.loads(completion_body())
    body["choices"][0]["message"]["content"] = json.dumps(STRUCTURED_ANSWER)
    body.pop("analysis")
    return json.dumps(body).encode()


COMPLETION = completion_body()
TOOL_CALL = tool_call_body()
STRUCTURED = structured_body()
STREAM = stream_body()


def http_chunks(stream: bytes) -> list[bytes]:
    """One HTTP chunk per SSE event: the size line, the event, CRLF, in one write."""
    return [
        f"{len(event):x}\r\n".encode() + event + b"\r\n"
        for event in (part + b"\n\n" for part in stream.split(b"\n\n") if part)
    ]


STREAM_EVENTS = http_chunks(STREAM)
LONG_STREAM_EVENTS = http_chunks(stream_body(LONG_STREAM_CHUNKS))
RATE_LIMIT_HEADERS = (
    ("x-ratelimit-limit", "1000"),
    ("x-ratelimit-remaining", "999"),
    ("x-ratelimit-reset", "60"),
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: connection setup is not what we measure
    # Headers and body go out in separate writes; with Nagle on, the body would wait
    # for the client's delayed ACK (~40 ms) and every call would be idle time.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if request.get("stream") and not self.path.startswith("/content-length/"):
            self._chunked_stream(LONG_STREAM_EVENTS if self.path.startswith("/long/") else STREAM_EVENTS)
            return
        if request.get("stream"):
            body = STREAM
        elif request.get("tools"):
            body = TOOL_CALL
        elif request.get("response_format"):
            body = STRUCTURED
        else:
            body = COMPLETION
        self.send_response(200)
        self.send_header("content-type", "text/event-stream" if request.get("stream") else "application/json")
        self.send_header("content-length", str(len(body)))
        self._rate_limit_headers()
        self.end_headers()
        self.wfile.write(body)

    def _rate_limit_headers(self) -> None:
        for name, value in RATE_LIMIT_HEADERS:
            self.send_header(name, value)

    def _chunked_stream(self, events: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self._rate_limit_headers()
        self.end_headers()
        for event in events:
            self.wfile.write(event)
        self.wfile.write(b"0\r\n\r\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that closes a kept-alive connection mid-read (the SDK after [DONE]) is not news."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    socketserver.TCPServer.allow_reuse_address = True
    server = Server(("127.0.0.1", args.port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
