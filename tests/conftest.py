"""Cassette replay and recording, the emulator and the socket rule for the whole suite.

By default every test replays cassettes (`--record-mode=none`, sockets off; loopback
only for tests marked `loopback` or `vcr`). `--record-mode=rewrite` re-records: from
the local emulator, started here, unless `MAVERA_RECORD_TARGET=live`, which records
against the real API with the `MAVERA_API_KEY` from the environment. See README
"Cassettes".

The emulator is started here once per session (`emulator`); tests that talk to it
directly take `emu`, the same server with its request log, faults and rate-limit
window cleared before and after the test.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_socket

from cassettes.vcr_settings import (
    CASSETTE_DIR,
    PUBLIC_BASE_URL,
    REPLAY_API_KEY,
    SortedPersister,
    json_body_matcher,
    vcr_kwargs,
)
from tests.emulator import Emulator, run_emulator

_OPENAI_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENAI_CUSTOM_HEADERS",
    "OPENAI_ADMIN_KEY",
)


def _record_mode(config: pytest.Config) -> str:
    return str(config.getoption("--record-mode") or "none")


@pytest.fixture(scope="session", autouse=True)
def mavera_endpoint(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Where ChatMavera talks during this session, exported as MAVERA_* variables."""
    mode = _record_mode(request.config)
    target = os.environ.get("MAVERA_RECORD_TARGET", "emulator")
    saved = {name: os.environ.get(name) for name in ("MAVERA_BASE_URL", "MAVERA_API_KEY")}
    if mode == "none":
        endpoint = {"MAVERA_BASE_URL": PUBLIC_BASE_URL, "MAVERA_API_KEY": REPLAY_API_KEY}
    elif target == "live":
        key = saved["MAVERA_API_KEY"]
        if not key:
            pytest.exit("MAVERA_RECORD_TARGET=live needs MAVERA_API_KEY set to a real key.", returncode=2)
        endpoint = {"MAVERA_BASE_URL": saved["MAVERA_BASE_URL"] or PUBLIC_BASE_URL, "MAVERA_API_KEY": key}
    else:
        emulator: Emulator = request.getfixturevalue("emulator")
        endpoint = {"MAVERA_BASE_URL": emulator.base_url, "MAVERA_API_KEY": emulator.api_key}
    os.environ.update(endpoint)
    try:
        yield endpoint
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The one emulator of the session (loopback only); cassettes are recorded from it too."""
    # A session fixture starts inside whichever test first needs it. While recording, that is the
    # first test of the run (through the autouse endpoint fixture), often one with every socket
    # blocked: the emulator's listening socket belongs to the suite, so it is opened unblocked and
    # the test's own rule is put back at once.
    blocked = socket.socket is not pytest_socket._true_socket
    pytest_socket.enable_socket()
    try:
        server = run_emulator()
        running = server.__enter__()
    finally:
        if blocked:
            pytest_socket.disable_socket(allow_unix_socket=True)
    try:
        yield running
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:
    """The session's emulator, cleared before the test and after it, so no fault leaks on."""
    emulator.reset()
    yield emulator
    emulator.reset()


@pytest.fixture(autouse=True)
def _no_openai_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """OPENAI_* drift on a developer machine must not change a request or a URL."""
    for name in _OPENAI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def vcr_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """No `record_mode` here, so `--record-mode` on the command line decides."""
    config = vcr_kwargs(_record_mode(request.config))
    config.pop("record_mode")
    return config


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """One folder per test module under the top-level cassettes/ folder."""
    return str(CASSETTE_DIR / Path(str(request.module.__file__)).stem)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """No socket at all, not even to loopback, unless the test says it needs one.

    The suite-wide rule (`--disable-socket --allow-hosts=127.0.0.1,...`) lets a test reach a local
    server; a test that is not marked `loopback` (it talks to the emulator, the loopback server or a
    subprocess) or `vcr` (recording reaches the emulator over loopback) is stricter: it is marked
    `disable_socket`, which pytest-socket applies before `allow_hosts`. Unix sockets stay allowed:
    asyncio's event loop wakes itself through a socketpair.
    """
    for item in items:
        if item.get_closest_marker("loopback") is None and item.get_closest_marker("vcr") is None:
            item.add_marker(pytest.mark.disable_socket)


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", json_body_matcher)
    vcr.register_persister(SortedPersister)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The docs test's counts (blocks run / marked / total), when it ran."""
    from tests.test_docs_run import docs_summary

    line = docs_summary(config)
    if line:
        terminalreporter.write_sep("-", line)
