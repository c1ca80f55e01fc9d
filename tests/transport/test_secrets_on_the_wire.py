"""The key on a real socket: sent once, stripped, and never in DEBUG logs, cassettes or OPENAI_* traffic.

These need a real HTTP server: the SDK's and the transport's DEBUG logging and
vcrpy's recording only happen on a real connection, not on a mock transport.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import vcr

from cassettes.vcr_settings import json_body_matcher, vcr_kwargs
from langchain_mavera import ChatMavera
from tests.loopback import run_loopback
from tests.transport.test_secrets import OPENAI_DECOYS

pytestmark = pytest.mark.loopback


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


def test_openai_environment_is_neither_read_nor_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in OPENAI_DECOYS.items():  # tests/conftest.py removed them; set them on purpose
        monkeypatch.setenv(name, value)
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


def test_a_stripped_key_is_sent_and_no_log_line_holds_it(caplog: pytest.LogCaptureFixture) -> None:
    with run_loopback() as server, caplog.at_level(logging.DEBUG):
        model = ChatMavera(api_key=server.api_key + "\n", base_url=server.base_url, max_retries=0)
        model.invoke("hi")
        list(model.stream("hi"))
    assert server.requests[0].headers["authorization"] == f"Bearer {server.api_key}"
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    assert caplog.records  # the SDK and transport did log at DEBUG
    assert server.api_key not in logged
