"""Each request body is JSON-encoded once, and those bytes are what the openai SDK would have sent.

Validation used to encode the whole body only to check it, then the SDK
encoded it again to send it: a 5 MB image cost twice its encoding. The body is
now encoded once, with the SDK's settings, and the bytes are sent as they are.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from openai._utils._json import openapi_dumps  # noqa: TID251  (byte parity with the SDK's own encoder)

from langchain_mavera._transport.json_body import encode_json_body
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


_LARGE_URL = "data:image/png;base64," + base64.b64encode(bytes(range(256)) * 400).decode()


def _image_message(url: str, text: str = "What is this?") -> HumanMessage:
    return HumanMessage(
        content=[{"type": "text", "text": text}, {"type": "image_url", "image_url": {"url": url}}]
    )


def test_a_large_image_url_is_sent_as_the_sdk_encodes_it_without_the_encoder_scanning_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeMavera()
    model = fake.model(**_SETTINGS)
    encoded = _request_bodies(monkeypatch)
    model.invoke([*_MESSAGES, _image_message(_LARGE_URL), _image_message(_LARGE_URL + "QQ==", "again")])
    assert len(encoded) == 1
    assert _LARGE_URL not in str(encoded[0])  # the encoder was handed placeholders
    sent = fake.requests[0].content
    assert sent == openapi_dumps(json.loads(sent))
    urls = [a["url"] for m in json.loads(sent)["messages"] for a in m.get("attachments", [])]
    assert urls == ["data:image/png;base64," + "A" * 4096, _LARGE_URL, _LARGE_URL + "QQ=="]


@pytest.mark.parametrize(
    "url",
    [
        _LARGE_URL + '"quote',
        _LARGE_URL + "\\backslash",
        _LARGE_URL + "\nnewline",
        _LARGE_URL + "\x7fdel",
        _LARGE_URL + "é",
        "https://example.com/" + "a" * 70_000,
        "mavera-large-url-0-0",  # what a placeholder looks like, sent as an ordinary URL
    ],
)
def test_any_large_url_encodes_exactly_as_the_encoder_alone_does(url: str) -> None:
    body = {
        "model": "mavera-1",
        "messages": [
            {"role": "user", "content": "q", "attachments": [{"type": "image", "url": url}]},
            {"role": "user", "content": "q", "attachments": [{"type": "image", "url": _LARGE_URL}]},
        ],
    }
    before = json.dumps(body)
    assert encode_json_body(body) == json.dumps(
        body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")
    assert json.dumps(body) == before  # the caller's body is left as it was


def test_a_large_image_does_not_change_the_refusal_of_a_bad_body() -> None:
    fake = FakeMavera()
    model = fake.model(extra_body={"metadata": {"weight": float("nan")}})
    with pytest.raises(ValueError, match=r"extra_body\['metadata'\] cannot be sent as JSON: it holds NaN"):
        model.invoke([_image_message(_LARGE_URL)])
    with pytest.raises(ValueError, match="messages cannot be sent as JSON: its text holds a lone surrogate"):
        fake.model().invoke([_image_message(_LARGE_URL, "bad \ud800 text")])
    assert fake.requests == []
