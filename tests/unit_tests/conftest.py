"""Unit tests never open an internet socket, not even to loopback.

The suite-wide rule (`--disable-socket --allow-hosts=127.0.0.1,...`) lets the
server tests talk to a local server; this folder is stricter: every test here
is marked `disable_socket`, which pytest-socket applies before `allow_hosts`.
Tests that need a server (loopback or the emulator) live in tests/server_tests/.
Unix sockets stay allowed: asyncio's event loop wakes itself through a socketpair.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Collection hooks see every item of the session, so only this folder's are marked.
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.disable_socket)
