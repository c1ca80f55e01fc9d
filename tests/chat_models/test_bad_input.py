"""Bad input fails with a message naming the parameter and what is allowed, before any request."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from langchain_core.messages import HumanMessage
from pydantic import ValidationError

from langchain_mavera import ChatMavera
from tests.fake_mavera import API_KEY, FakeMavera, ok

CONSTRUCTOR_CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "temperature=3": ({"temperature": 3}, ["temperature", "less than or equal to 2"]),
    "temperature=-0.1": ({"temperature": -0.1}, ["temperature", "greater than or equal to 0"]),
    "reasoning_effort=extreme": (
        {"reasoning_effort": "extreme"},
        ["reasoning_effort", "'low', 'medium' or 'high'"],
    ),
    "verbosity=loud": ({"verbosity": "loud"}, ["verbosity", "'low', 'medium' or 'high'"]),
    "max_tokens=0": ({"max_tokens": 0}, ["max_tokens", "greater than or equal to 1"]),
    "persona_id=''": ({"persona_id": ""}, ["persona_id", "not be blank"]),
    "persona_id='  '": ({"persona_id": "   "}, ["persona_id", "not be blank"]),
    "persona_id=123": ({"persona_id": 123}, ["persona_id", "valid string"]),
    "extra_body=list": ({"extra_body": ["mosaic_mode"]}, ["extra_body", "valid dictionary"]),
    "max_retries=-1": ({"max_retries": -1}, ["max_retries", "greater than or equal to 0"]),
    "stream_chunk_timeout=0": ({"stream_chunk_timeout": 0}, ["stream_chunk_timeout", "greater than 0"]),
    "analysis_mode='yes'": ({"analysis_mode": "yes"}, ["analysis_mode", "valid boolean"]),
    "analysis_mode=1": ({"analysis_mode": 1}, ["analysis_mode", "valid boolean"]),
    "timeout='soon'": ({"timeout": "soon"}, ["timeout", "greater than 0", "httpx2.Timeout", "or None"]),
    "timeout=0": ({"timeout": 0}, ["timeout", "seconds greater than 0"]),
    "timeout=-5": ({"timeout": -5}, ["timeout", "seconds greater than 0"]),
    "timeout=True": ({"timeout": True}, ["timeout", "seconds greater than 0"]),
    "unknown kwarg": (
        {"top_k": 5},
        ["Unknown parameter(s) for ChatMavera: top_k", "extra_body={'top_k': ...}"],
    ),
}


@pytest.mark.parametrize(("kwargs", "fragments"), CONSTRUCTOR_CASES.values(), ids=CONSTRUCTOR_CASES.keys())
def test_constructor_rejects_bad_values(kwargs: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatMavera(api_key=API_KEY, **kwargs)
    for fragment in fragments:
        assert fragment in str(caught.value)


CALL_CASES: dict[str, tuple[dict[str, Any], type[Exception], list[str]]] = {
    "temperature=3": ({"temperature": 3}, ValidationError, ["temperature", "less than or equal to 2"]),
    "reasoning_effort=extreme": (
        {"reasoning_effort": "extreme"},
        ValidationError,
        ["reasoning_effort", "'low', 'medium' or 'high'"],
    ),
    "max_tokens=0": ({"max_tokens": 0}, ValidationError, ["max_tokens", "greater than or equal to 1"]),
    "persona_id=''": ({"persona_id": ""}, ValidationError, ["persona_id", "not be blank"]),
    "persona_id=5": ({"persona_id": 5}, ValidationError, ["persona_id", "valid string"]),
    "extra_body=str": ({"extra_body": "mosaic"}, ValidationError, ["extra_body", "valid dictionary"]),
    "analysis_mode='yes'": ({"analysis_mode": "yes"}, ValidationError, ["analysis_mode", "valid boolean"]),
    "unknown kwarg": (
        {"top_k": 3},
        TypeError,
        ["Unknown parameter(s) for a Mavera call: top_k", "extra_body={'top_k': ...}"],
    ),
}


def _sync_invoke(script: FakeMavera, kwargs: dict[str, Any]) -> None:
    script.model().invoke("hi", **kwargs)


def _sync_stream(script: FakeMavera, kwargs: dict[str, Any]) -> None:
    list(script.model().stream("hi", **kwargs))


def _bound(script: FakeMavera, kwargs: dict[str, Any]) -> None:
    script.model().bind(**kwargs).invoke("hi")


@pytest.mark.parametrize("call", [_sync_invoke, _sync_stream, _bound])
@pytest.mark.parametrize(("kwargs", "error", "fragments"), CALL_CASES.values(), ids=CALL_CASES.keys())
def test_per_call_values_rejected_before_any_request(
    call: Any, kwargs: dict[str, Any], error: type[Exception], fragments: list[str]
) -> None:
    script = FakeMavera(ok())
    with pytest.raises(error) as caught:
        call(script, kwargs)
    for fragment in fragments:
        assert fragment in str(caught.value)
    assert script.requests == []


@pytest.mark.parametrize(("kwargs", "error", "fragments"), CALL_CASES.values(), ids=CALL_CASES.keys())
async def test_per_call_values_rejected_async(
    kwargs: dict[str, Any], error: type[Exception], fragments: list[str]
) -> None:
    script = FakeMavera(ok())
    with pytest.raises(error):
        await script.model().ainvoke("hi", **kwargs)
    with pytest.raises(error):
        async for _ in script.model().astream("hi", **kwargs):
            pass
    assert script.requests == []


UNSUPPORTED_BLOCKS = {
    "audio": {"type": "audio", "base64": "UklGRg==", "mime_type": "audio/wav"},
    "openai input_audio": {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
    "pdf file": {"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf"},
    "video": {"type": "video", "url": "https://example.com/clip.mp4"},
}


@pytest.mark.parametrize("block", UNSUPPORTED_BLOCKS.values(), ids=UNSUPPORTED_BLOCKS.keys())
def test_unsupported_content_blocks_rejected_before_any_request(block: dict[str, Any]) -> None:
    script = FakeMavera(ok())
    message = HumanMessage(content=[{"type": "text", "text": "What is this?"}, block])
    with pytest.raises(ValueError, match="Unsupported content block type") as caught:
        script.model().invoke([message])
    assert "Mavera accepts text and images" in str(caught.value)
    assert script.requests == []


def test_empty_message_list_rejected_before_any_request() -> None:
    script = FakeMavera(ok())
    with pytest.raises(ValueError, match="messages must contain at least one message"):
        script.model().invoke([])
    assert script.requests == []


def test_missing_key_is_reported_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAVERA_API_KEY", raising=False)
    script = FakeMavera(ok())
    model = script.model(api_key=None)
    with pytest.raises(ValueError, match="No Mavera API key: pass api_key"):
        model.invoke("hi")
    assert script.requests == []


def test_subclass_fields_are_known_inputs_even_after_the_parent_checked_its_own() -> None:
    ChatMavera(api_key=API_KEY)  # fills the parent's cache of known inputs first

    class Traced(ChatMavera):
        tag: str = "x"

    assert Traced(api_key=API_KEY, tag="y").tag == "y"
    with pytest.raises(ValidationError, match="Unknown parameter"):
        Traced(api_key=API_KEY, top_k=5)
    with pytest.raises(ValidationError, match="Unknown parameter"):
        ChatMavera(api_key=API_KEY, tag="y")


@pytest.mark.parametrize("timeout", [None, 30, 2.5, httpx2.Timeout(10.0, read=3.0)], ids=repr)
def test_constructor_accepts_documented_timeouts(timeout: Any) -> None:
    model = ChatMavera(api_key=API_KEY, timeout=timeout)
    assert model.request_timeout == timeout


def test_legacy_httpx_timeout_is_converted_for_the_sdk() -> None:
    httpx = pytest.importorskip("httpx")
    model = ChatMavera(api_key=API_KEY, timeout=httpx.Timeout(10.0, read=3.0))
    assert isinstance(model.request_timeout, httpx2.Timeout)
    assert model.request_timeout == httpx2.Timeout(10.0, read=3.0)


@pytest.mark.parametrize("stop", [7, 2.5, object()], ids=["int", "float", "object"])
@pytest.mark.parametrize("call", [_sync_invoke, _sync_stream, _bound])
def test_per_call_stop_of_the_wrong_type_names_stop_before_any_request(call: Any, stop: Any) -> None:
    script = FakeMavera(ok())
    with pytest.raises(ValidationError) as caught:
        call(script, {"stop": stop})
    assert "stop" in str(caught.value)
    assert script.requests == []


async def test_per_call_stop_of_the_wrong_type_names_stop_async() -> None:
    script = FakeMavera(ok())
    with pytest.raises(ValidationError, match="stop"):
        await script.model().ainvoke("hi", stop=7)  # type: ignore[arg-type]
    assert script.requests == []


@pytest.mark.parametrize("kwargs", [{"top_k": 5}, {"apikey": API_KEY}], ids=["top_k", "misspelt key"])
def test_unknown_parameter_error_never_carries_the_key(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatMavera(api_key=API_KEY, **kwargs)
    error = caught.value
    assert "Unknown parameter(s) for ChatMavera" in str(error)
    for text in (str(error), repr(error), repr(error.args), repr(error.errors()), error.json()):
        assert API_KEY not in text
