"""Raw HTTP to the emulator, so the tests see exactly the bytes a client would."""

import http.client
import json
import time
from dataclasses import dataclass, field
from typing import Any

from tests.emulator import Emulator

GEN_Z = "clx1abc2d0001abcdef123456"
CMO = "clx2xyz9e0002abcdef789012"


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    lines: list[str] = field(default_factory=list)  # the non-empty lines of an SSE body
    arrival: list[float] = field(default_factory=list)  # seconds from the request to each line

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        body = self.json()
        assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "code", "param"}
        return dict(body["error"])

    @property
    def data(self) -> list[str]:
        return [line[len("data: ") :] for line in self.lines if line.startswith("data: ")]

    @property
    def chunks(self) -> list[dict[str, Any]]:
        return [json.loads(d) for d in self.data if d != "[DONE]"]

    @property
    def text(self) -> str:
        """The assistant text of a completion, or of a streamed completion's chunks."""
        if not self.lines:
            return str(self.json()["choices"][0]["message"]["content"])
        return "".join(c["choices"][0]["delta"].get("content") or "" for c in self.chunks if c["choices"])


def send(
    emu: Emulator, method: str, path: str, body: Any = None, *, key: str | None = "", raw: bytes | None = None
) -> Response:
    """One request under /api/v1 (``key=""`` is the emulator's own key, None sends none)."""
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key or emu.api_key}"
    payload = raw if raw is not None else None if body is None else json.dumps(body).encode()
    try:
        started = time.monotonic()
        connection.request(method, "/api/v1" + path, body=payload, headers=headers)
        reply = connection.getresponse()
        response = Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, b"")
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            response.body = reply.read()
            return response
        while line := reply.readline():
            if text := line.decode("utf-8").rstrip("\n"):
                response.lines.append(text)
                response.arrival.append(time.monotonic() - started)
        return response
    finally:
        connection.close()


def chat(
    emu: Emulator, content: str = "How do Gen Z consumers view sustainability?", **extra: Any
) -> Response:
    body = {"model": "mavera-1", "messages": [{"role": "user", "content": content}], **extra}
    return send(emu, "POST", "/chat/completions", {k: v for k, v in body.items() if v is not None})
