"""The API key never leaks, and no OPENAI_* setting is read or sent."""

from __future__ import annotations

import logging
import pickle
import traceback
import warnings
from pathlib import Path

import pytest
import vcr
from langchain_core.load import dumpd, dumps

from cassettes.vcr_settings import json_body_matcher, vcr_kwargs
from langchain_mavera import ChatMavera, MaveraAuthenticationError
from tests.fault_tests._loopback import run_loopback
from tests.fault_tests._scripted import API_KEY, ok, scripted, status

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


def test_key_not_in_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with run_loopback() as server:
        model = ChatMavera(api_key=server.api_key, base_url=server.base_url, max_retries=0)
        model.invoke("hi")
        list(model.stream("hi"))
        assert server.requests[0].headers["authorization"] == f"Bearer {server.api_key}"
    logged = "\n".join(f"{record.name}: {record.getMessage()}" for record in caplog.records)
    assert "openai" in logged  # DEBUG logging of the SDK and HTTP layers was really on
    assert server.api_key not in logged


def test_key_not_in_error_messages_or_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = scripted(status(401, "invalid_api_key", "Invalid API key."))
    with pytest.raises(MaveraAuthenticationError) as caught:
        script.model().invoke("hi")
    error = caught.value
    rendered = [str(error), repr(error), "".join(traceback.format_exception(error)), str(error.body)]
    for text in rendered:
        assert API_KEY not in text
    assert API_KEY not in caplog.text


def test_key_not_in_recorded_cassette(tmp_path: Path) -> None:
    cassette = tmp_path / "secret.yaml"
    with run_loopback() as server:
        model = ChatMavera(api_key=server.api_key, base_url=server.base_url, max_retries=0)
        recorder = vcr.VCR()
        recorder.register_matcher("json_body", json_body_matcher)
        with recorder.use_cassette(str(cassette), **vcr_kwargs("all")):
            model.invoke("hi")
    text = cassette.read_text()
    assert "chatcmpl-1" in text  # the exchange really was recorded
    assert server.api_key not in text
    assert "authorization" not in text.lower()


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


def test_openai_environment_is_neither_read_nor_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_decoys(monkeypatch)
    with run_loopback() as server:
        model = ChatMavera(api_key=server.api_key, base_url=server.base_url, max_retries=0)
        model.invoke("hi")
        list(model.stream("hi"))
    assert len(server.requests) == 2  # both reached Mavera, not OPENAI_BASE_URL
    for request in server.requests:
        assert request.path == "/api/v1/chat/completions"
        assert request.headers["authorization"] == f"Bearer {server.api_key}"
        sent = str(request.headers).lower()
        for value in OPENAI_DECOYS.values():
            assert value.lower() not in sent
        assert "openai-organization" not in request.headers
        assert "openai-project" not in request.headers
        assert "x-decoy" not in request.headers


async def test_openai_environment_not_sent_async(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_decoys(monkeypatch)
    script = scripted(ok())
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
