"""The API key never leaks, and no OPENAI_* setting is read or sent."""

from __future__ import annotations

import logging
import pickle
import traceback
import warnings

import pytest
from langchain_core.load import dumpd, dumps
from pydantic import ValidationError

from langchain_mavera import ChatMavera, MaveraAuthenticationError, MaveraRateLimitError
from tests.fake_mavera import API_KEY, FakeMavera, ok, status

OPENAI_DECOYS = {
    "OPENAI_API_KEY": "sk-DECOY-openai-key-must-not-be-sent",
    "OPENAI_BASE_URL": "http://127.0.0.1:9/decoy/v1",
    "OPENAI_ORG_ID": "org-DECOY",
    "OPENAI_PROJECT_ID": "proj_DECOY",
    "OPENAI_CUSTOM_HEADERS": "X-Decoy: yes\nAuthorization: Bearer sk-DECOY-custom",
    "OPENAI_ADMIN_KEY": "sk-admin-DECOY",
}


def test_key_not_in_repr_str_or_serialized_forms() -> None:
    model = ChatMavera(api_key=API_KEY, persona_id="clx1abc2d0001abcdef123456")
    for text in (repr(model), str(model), dumps(model), str(dumpd(model)), str(model.model_dump())):
        assert API_KEY not in text
    assert dumpd(model)["kwargs"]["mavera_api_key"] == {"lc": 1, "type": "secret", "id": ["MAVERA_API_KEY"]}
    # A pickle must carry the key to work in another process; it is still a SecretStr there.
    restored = pickle.loads(pickle.dumps(model))
    assert restored.mavera_api_key is not None
    assert API_KEY not in repr(restored)


def test_key_not_in_error_messages_or_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = FakeMavera(status(401, "invalid_api_key", "Invalid API key."))
    with pytest.raises(MaveraAuthenticationError) as caught:
        script.model().invoke("hi")
    error = caught.value
    rendered = [str(error), repr(error), "".join(traceback.format_exception(error)), str(error.body)]
    for text in rendered:
        assert API_KEY not in text
    assert API_KEY not in caplog.text


def test_warns_on_plain_http_to_a_remote_host() -> None:
    with pytest.warns(UserWarning, match="plain http to a non-loopback host"):
        ChatMavera(api_key=API_KEY, base_url="http://mavera.example.com/api/v1")


@pytest.mark.parametrize(
    "base_url",
    [
        "https://app.mavera.io/api/v1",
        "http://127.0.0.1:8080/api/v1",
        "http://localhost/api/v1",
        "http://[::1]/v1",
    ],
)
def test_no_warning_for_https_or_loopback(base_url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ChatMavera(api_key=API_KEY, base_url=base_url)


def _set_decoys(monkeypatch: pytest.MonkeyPatch) -> None:
    # tests/conftest.py removes OPENAI_* before each test; set them again, on purpose.
    for name, value in OPENAI_DECOYS.items():
        monkeypatch.setenv(name, value)


async def test_openai_environment_not_sent_async(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_decoys(monkeypatch)
    script = FakeMavera(ok())
    await script.model().ainvoke("hi")
    headers = dict(script.requests[0].headers)
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert str(script.requests[0].url) == "https://app.mavera.io/api/v1/chat/completions"
    assert not {"openai-organization", "openai-project", "x-decoy"} & set(headers)


def test_openai_key_and_base_url_are_not_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_decoys(monkeypatch)
    monkeypatch.delenv("MAVERA_API_KEY", raising=False)
    monkeypatch.delenv("MAVERA_BASE_URL", raising=False)
    model = ChatMavera()
    assert model.mavera_api_key is None
    assert model.mavera_api_base == "https://app.mavera.io/api/v1"
    with pytest.raises(ValueError, match="No Mavera API key"):
        model.invoke("hi")


def test_errors_pickle_without_the_key() -> None:
    script = FakeMavera(status(429, "rate_limit_exceeded", "Rate limit exceeded.", **{"retry-after": "3"}))
    with pytest.raises(MaveraRateLimitError) as caught:
        script.model(max_retries=0).invoke("hi")
    data = pickle.dumps(caught.value)
    assert API_KEY.encode() not in data
    restored = pickle.loads(data)
    assert type(restored) is MaveraRateLimitError
    assert str(restored) == str(caught.value)
    assert (restored.status_code, restored.code, restored.retry_after) == (429, "rate_limit_exceeded", 3.0)
    assert restored.response.status_code == 429
    assert "authorization" not in restored.request.headers


def _persona_tool(**kwargs: object) -> object:
    from langchain_mavera import MaveraPersonaTool

    return MaveraPersonaTool(**kwargs)


def _panel_tool(**kwargs: object) -> object:
    from langchain_mavera import MaveraPanelTool

    return MaveraPanelTool(**kwargs)


def _survey(**kwargs: object) -> object:
    from langchain_mavera import PersonaSurvey

    return PersonaSurvey(**kwargs)


@pytest.mark.parametrize("build", [_persona_tool, _panel_tool, _survey], ids=["tool", "panel tool", "survey"])
@pytest.mark.parametrize(
    "extra",
    [{}, {"model": "not a model"}, {"model": ChatMavera(api_key="mvra_live_other"), "bogus": 1}],
    ids=["key alone", "bad model", "with a model"],
)
def test_key_passed_where_it_does_not_belong_is_not_echoed(build: object, extra: dict[str, object]) -> None:
    # These classes take a model, not a key: a key passed to them by mistake is refused without echoing it.
    with pytest.raises(ValidationError) as caught:
        build(api_key=API_KEY, **extra)  # type: ignore[operator]
    secret = API_KEY.removeprefix("mvra_live_")
    pieces = {secret[start : start + 8] for start in range(len(secret) - 7)}
    # pydantic shortens a long input in the middle, so look for any 8-character piece of the secret.
    for text in (str(caught.value), repr(caught.value)):
        assert not [piece for piece in pieces if piece in text]
