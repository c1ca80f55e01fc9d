"""Each request body is JSON-encoded once, and those bytes are what the openai SDK would have sent.

Validation used to encode the whole body only to check it, then the SDK
encoded it again to send it: a 5 MB image cost twice its encoding. The body is
now encoded once, with the SDK's settings, and the bytes are sent as they are.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from openai._utils._json import openapi_dumps

from tests.fake_mavera import FakeMavera

_MESSAGES = [
    SystemMessage("Réponds en français, s'il te plaît. 你好 🌍"),
    HumanMessage(
        content=[
            {"type": "text", "text": 'A "quoted" line\nand a tab\t'},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 4096}},
        ]
    ),
    AIMessage("", tool_calls=[{"name": "look_up", "args": {"city": "Zürich", "days": 3}, "id": "c1"}]),
    HumanMessage("And the price?"),
]
_SETTINGS: dict[str, Any] = {
    "persona_id": "clx1abc2d0001abcdef123456",
    "analysis_mode": True,
    "temperature": 0.25,
    "max_tokens": 300,
    "extra_body": {"metadata": {"team": "ünï", "weights": [1.5, -2, 1e-7], "flag": None}},
}


def _request_bodies(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every request body (a dict with `messages`) handed to a JSON encoder, as it is encoded."""
    encoded: list[Any] = []
    real = json.JSONEncoder.iterencode

    def spy(self: json.JSONEncoder, o: Any, _one_shot: bool = False) -> Any:
        if isinstance(o, dict) and "messages" in o:
            encoded.append(o)
        return real(self, o, _one_shot)

    monkeypatch.setattr(json.JSONEncoder, "iterencode", spy)
    return encoded


def test_invoke_encodes_the_body_once(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMavera()
    model = fake.model(**_SETTINGS)
    encoded = _request_bodies(monkeypatch)
    model.invoke(_MESSAGES)
    assert len(fake.requests) == 1
    assert len(encoded) == 1


def test_stream_and_ainvoke_encode_the_body_once(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMavera()
    model = fake.model(**_SETTINGS)
    encoded = _request_bodies(monkeypatch)
    list(model.stream(_MESSAGES))
    asyncio.run(model.ainvoke(_MESSAGES))
    assert len(fake.requests) == 2
    assert len(encoded) == 2


def test_the_bytes_sent_are_the_sdks_encoding_of_the_body() -> None:
    fake = FakeMavera()
    fake.model(**_SETTINGS).invoke(_MESSAGES)
    sent = fake.requests[0].content
    body = json.loads(sent)
    assert sent == openapi_dumps(body)
    assert body["metadata"] == _SETTINGS["extra_body"]["metadata"]
    assert body["messages"][0]["content"] == "Réponds en français, s'il te plaît. 你好 🌍"
    assert fake.requests[0].headers["content-type"] == "application/json"
    assert fake.requests[0].headers["content-length"] == str(len(sent))
