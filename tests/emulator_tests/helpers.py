"""Raw HTTP helpers so the tests see exactly the bytes a client would."""

import http.client
import json
import time
from dataclasses import dataclass, field
from typing import Any

from tests.emulator import Emulator

PERSONA_GEN_Z = "clx1abc2d0001abcdef123456"
PERSONA_CMO = "clx2xyz9e0002abcdef789012"


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class StreamCapture:
    status: int
    headers: dict[str, str]
    lines: list[str] = field(default_factory=list)
    arrival: list[float] = field(default_factory=list)  # seconds since request

    @property
    def data(self) -> list[str]:
        return [line[len("data: ") :] for line in self.lines if line.startswith("data: ")]

    @property
    def chunks(self) -> list[dict[str, Any]]:
        return [json.loads(d) for d in self.data if d != "[DONE]"]


def chat_body(content: str = "How do Gen Z consumers view sustainability?", **extra: Any) -> dict[str, Any]:
    return {"model": "mavera-1", "messages": [{"role": "user", "content": content}], **extra}


def send(
    emu: Emulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    key: str | None = "default",
    raw: bytes | None = None,
    prefix: str = "/api/v1",
) -> Response:
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    try:
        headers = _headers(emu, key)
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        connection.request(method, prefix + path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        connection.close()


def content_of(response: Response) -> str:
    return str(response.json()["choices"][0]["message"]["content"])


def post_chat(emu: Emulator, body: dict[str, Any], **kwargs: Any) -> Response:
    return send(emu, "POST", "/chat/completions", body, **kwargs)


def stream_chat(emu: Emulator, body: dict[str, Any]) -> StreamCapture:
    """Read an SSE response line by line, timing each line's arrival."""
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    try:
        started = time.monotonic()
        connection.request(
            "POST",
            "/api/v1/chat/completions",
            body=json.dumps({**body, "stream": True}),
            headers=_headers(emu),
        )
        response = connection.getresponse()
        capture = StreamCapture(response.status, {k.lower(): v for k, v in response.getheaders()})
        while True:
            line = response.readline()
            if not line:
                break
            text = line.decode("utf-8").rstrip("\n")
            if text:
                capture.lines.append(text)
                capture.arrival.append(time.monotonic() - started)
        return capture
    finally:
        connection.close()


def _headers(emu: Emulator, key: str | None = "default") -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {emu.api_key if key == 'default' else key}"
    return headers
