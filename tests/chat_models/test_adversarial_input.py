"""Inputs that used to pass validation and crash inside a library: refused first, naming the parameter."""

from __future__ import annotations

import math
from typing import Any

import httpx
import httpx2
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import SecretStr, ValidationError

from langchain_mavera import ChatMavera
from tests.fake_mavera import FakeMavera, sse, stream_chunks
from tests.fake_mavera import ok as ok_reply

KEY = "mvra_live_SECRET_adversarial_0123456789"


def _script() -> Any:
    return FakeMavera(ok_reply(), sse(stream_chunks(["ok"])))


# -- 6. Only the HTTP library the SDK runs on ---------------------------------------------------


@pytest.mark.parametrize(
    ("field", "client"),
    [("http_client", httpx.Client()), ("http_async_client", httpx.AsyncClient())],
    ids=["sync", "async"],
)
def test_a_plain_httpx_client_is_refused_at_construction_with_a_hint(field: str, client: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatMavera(api_key=KEY, **{field: client})
    message = str(caught.value)
    assert field in message
    assert "httpx2." in message


def test_the_wrong_client_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"http_client must be an httpx2\.Client"):
        ChatMavera(api_key=KEY, http_client=httpx2.AsyncClient())


def test_httpx2_clients_are_accepted() -> None:
    model = ChatMavera(api_key=KEY, http_client=httpx2.Client(), http_async_client=httpx2.AsyncClient())
    assert isinstance(model.http_client, httpx2.Client)


# -- 10. Values that JSON or HTTP cannot carry ----------------------------------------------------


def _refused(call: Any, *names: str) -> None:
    script = _script()
    with pytest.raises((ValueError, TypeError)) as caught:
        call(script.model())
    for name in names:
        assert name in str(caught.value)
    assert script.requests == []


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_lone_surrogate_in_message_text_is_refused(stream: bool) -> None:
    def call(model: ChatMavera) -> Any:
        return list(model.stream("bad \ud800 text")) if stream else model.invoke("bad \ud800 text")

    _refused(call, "messages", "surrogate")


@pytest.mark.parametrize("value", [{1, 2}, math.nan, math.inf, object()], ids=["set", "nan", "inf", "object"])
def test_unsendable_extra_body_values_are_refused_naming_the_key(value: Any) -> None:
    _refused(lambda model: model.invoke("hi", extra_body={"mosaic": value}), "extra_body['mosaic']")


def test_unsendable_extra_body_on_the_instance_is_refused() -> None:
    script = _script()
    with pytest.raises(ValueError, match=r"extra_body\['tags'\]"):
        script.model(extra_body={"tags": {"a"}}).invoke("hi")
    assert script.requests == []


@pytest.mark.parametrize("args", [{"x": {1}}, {"x": math.nan}], ids=["set", "nan"])
def test_unsendable_tool_call_arguments_are_refused(args: dict[str, Any]) -> None:
    history = [
        HumanMessage("hi"),
        AIMessage("", tool_calls=[{"name": "lookup", "args": args, "id": "call_1"}]),
    ]
    _refused(lambda model: model.invoke(history), "lookup", "not JSON")


@pytest.mark.parametrize(
    "headers",
    [{"X-Note": "café"}, {"X-Note": "a\r\nInjected: yes"}, {"Bad Name": "v"}],
    ids=["non-ascii", "crlf", "bad-name"],
)
def test_unsendable_default_headers_are_refused_at_construction(headers: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="default_headers"):
        ChatMavera(api_key=KEY, default_headers=headers)


def test_a_header_value_is_never_echoed() -> None:
    with pytest.raises(ValidationError) as caught:
        ChatMavera(api_key=KEY, default_headers={"X-Token": "sécret-value"})
    assert "sécret-value" not in str(caught.value)


# -- 11. base_url ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://app.mavera.io/api/v1",
        "",
        "   ",
        "https://",
        "app.mavera.io",
    ],
)
def test_base_url_must_be_http_or_https(base_url: str) -> None:
    with pytest.raises(ValidationError, match="base_url must be an http"):
        ChatMavera(api_key=KEY, base_url=base_url)


def test_base_url_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAVERA_BASE_URL", "ftp://example.com")
    with pytest.raises(ValidationError, match="base_url"):
        ChatMavera(api_key=KEY)


def test_good_base_urls_are_kept_and_stripped() -> None:
    assert ChatMavera(api_key=KEY, base_url=" https://app.mavera.io/api/v1 ").mavera_api_base == (
        "https://app.mavera.io/api/v1"
    )
    assert ChatMavera(api_key=KEY, base_url="http://127.0.0.1:8080/v1").mavera_api_base.startswith("http://")


# -- 12. The per-call stop, and text blocks -------------------------------------------------------


@pytest.mark.parametrize("stop", [[1, None], [None], [3.5]])
def test_per_call_stop_is_validated_like_the_field(stop: Any) -> None:
    _refused(lambda model: model.invoke("hi", stop=stop), "stop")


def test_per_call_stop_still_sends_valid_values() -> None:
    script = _script()
    script.model().invoke("hi", stop=["END"])
    assert script.bodies()[0]["stop"] == ["END"]


@pytest.mark.parametrize("text", [None, 3, ["a"]], ids=["none", "int", "list"])
def test_a_text_block_without_string_text_is_refused(text: Any) -> None:
    message = HumanMessage(content=[{"type": "text", "text": text}])
    _refused(lambda model: model.invoke([message]), "text")


# -- 14. The API key -----------------------------------------------------------------------------


@pytest.mark.parametrize("padded", [KEY + "\n", "  " + KEY + "\r\n", "\t" + KEY])
def test_surrounding_whitespace_is_stripped_from_the_key(padded: str) -> None:
    assert ChatMavera(api_key=padded).mavera_api_key.get_secret_value() == KEY  # type: ignore[union-attr]


def test_key_from_the_environment_is_stripped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAVERA_API_KEY", KEY + "\n")
    assert ChatMavera().mavera_api_key.get_secret_value() == KEY  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "bad",
    [KEY[:10] + "é" + KEY[10:], KEY[:10] + "\n" + KEY[10:], KEY[:10] + " " + KEY[10:], KEY + "\x00", "   "],
    ids=["non-ascii", "inner-newline", "inner-space", "nul", "blank"],
)
@pytest.mark.parametrize("wrap", [str, SecretStr], ids=["str", "SecretStr"])
def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it(bad: str, wrap: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatMavera(api_key=wrap(bad))
    text = f"{caught.value}\n{caught.value!r}\n{caught.value.errors()}"
    assert "api_key" in text
    assert KEY[10:] not in text
    assert KEY[:10] not in text or bad.strip() == ""
