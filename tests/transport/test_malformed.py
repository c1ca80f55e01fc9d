"""Replies we cannot use become `MaveraAPIError` with the raw text; never a KeyError."""

from __future__ import annotations

import socket
import warnings

import httpx2
import openai
import pytest

from langchain_mavera import (
    ChatMavera,
    MaveraAPIError,
    MaveraConnectionError,
    MaveraServerError,
    get_analysis,
)
from tests.fake_mavera import FakeMavera, completion, ok, raw, sse, stream_chunks

pytestmark = pytest.mark.loopback

HTML = "<html><body><h1>502 Bad Gateway</h1></body></html>"


MALFORMED = {
    "html": (HTML, "text/html"),
    "plain-text": ("upstream said no", "text/plain"),
    "json-list": ('["a", "list"]', "application/json"),
    "no-choices": ('{"id": "x", "object": "chat.completion"}', "application/json"),
    "content-not-text": ('{"choices": [{"message": {"content": 5}}]}', "application/json"),
    "choices-not-list": ('{"choices": {"0": 1}}', "application/json"),
}


@pytest.mark.parametrize(("text", "content_type"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_body_is_api_error_with_raw_text(text: str, content_type: str) -> None:
    with pytest.raises(MaveraAPIError) as caught:
        FakeMavera(raw(200, text, content_type)).model().invoke("hi")
    assert caught.value.raw_text == text
    assert "Malformed reply from Mavera" in str(caught.value)


async def test_malformed_body_async() -> None:
    with pytest.raises(MaveraAPIError) as caught:
        await FakeMavera(raw(200, HTML)).model().ainvoke("hi")
    assert caught.value.raw_text == HTML


def test_html_error_page_is_server_error_with_raw_text() -> None:
    script = FakeMavera(raw(502, HTML))
    with pytest.raises(MaveraServerError) as caught:
        script.model(max_retries=0).invoke("hi")
    assert caught.value.raw_text == HTML
    assert caught.value.status_code == 502


@pytest.mark.parametrize(
    "chunk", ['{"choices": {"a": 1}}', '{"choices": [{"delta": "text"}]}', "not json"], ids=str
)
def test_malformed_stream_chunk_is_api_error_with_partial(chunk: str) -> None:
    lines = [*stream_chunks(["ok"], finish=False), f"data: {chunk}\n\n"]
    with pytest.raises(MaveraAPIError) as caught:
        list(FakeMavera(sse(lines)).model().stream("hi"))
    assert caught.value.raw_text == chunk
    assert caught.value.partial.content == "ok"  # type: ignore[union-attr]


@pytest.mark.parametrize("use_responses_api", [False, True], ids=["chat-completions", "responses"])
def test_error_object_in_a_200_body_keeps_the_response(use_responses_api: bool) -> None:
    body = {"error": {"message": "bad key", "type": "authentication_error", "code": "invalid_api_key"}}
    script = FakeMavera(ok(body, headers={"x-request-id": "req_200_error"}))
    with pytest.raises(openai.AuthenticationError) as caught:
        script.model(use_responses_api=use_responses_api).invoke("hi")
    assert caught.value.response.headers["x-request-id"] == "req_200_error"
    assert caught.value.request_id == "req_200_error"
    assert caught.value.status_code is None


def test_error_null_is_not_an_error() -> None:
    message = FakeMavera(ok({**completion(), "error": None})).model().invoke("hi")
    assert message.content == "Hello from the persona."


def test_bad_analysis_shape_warns_and_keeps_raw() -> None:
    script = FakeMavera(ok({**completion(), "analysis": "analysis unavailable"}))
    with pytest.warns(UserWarning, match="analysis"):
        message = script.model(analysis_mode=True).invoke("hi")
    assert message.response_metadata["analysis"] == "analysis unavailable"
    with pytest.warns(UserWarning, match="raw value is kept"):
        assert get_analysis(message) is None


def test_bad_analysis_inside_object_warns_on_get_analysis() -> None:
    script = FakeMavera(ok({**completion(), "analysis": {"confidence": "very", "biases": "none"}}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = script.model(analysis_mode=True).invoke("hi")
    with pytest.warns(UserWarning, match="did not match the documented shape"):
        assert get_analysis(message) is None
    assert message.response_metadata["analysis"] == {"confidence": "very", "biases": "none"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused_is_connection_error() -> None:
    model = ChatMavera(
        api_key="mvra_live_x", base_url=f"http://127.0.0.1:{_free_port()}/api/v1", max_retries=0
    )
    with pytest.raises(MaveraConnectionError) as caught:
        model.invoke("hi")
    assert "Could not connect to Mavera" in str(caught.value)


async def test_connection_refused_async() -> None:
    model = ChatMavera(
        api_key="mvra_live_x", base_url=f"http://127.0.0.1:{_free_port()}/api/v1", max_retries=0
    )
    with pytest.raises(MaveraConnectionError):
        await model.ainvoke("hi")


def test_connection_errors_are_retried() -> None:
    attempts: list[httpx2.Request] = []

    def refuse(request: httpx2.Request) -> httpx2.Response:
        attempts.append(request)
        raise httpx2.ConnectError("connection refused", request=request)

    script = FakeMavera(refuse)
    with pytest.raises(MaveraConnectionError):
        script.model(max_retries=2).invoke("hi")
    assert len(attempts) == 3
