"""The suite's socket rule holds (tests/conftest.py): no socket at all, not even to loopback,
for a test marked neither `loopback` nor `vcr`; loopback for one that is."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketBlockedError


# pytest-socket also warns as it blocks; the block itself is what this test checks.
@pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")
def test_a_unit_test_cannot_open_even_a_loopback_socket() -> None:
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("127.0.0.1", 9))


@pytest.mark.loopback
def test_a_loopback_test_can_reach_loopback() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        with socket.create_connection(server.getsockname()[:2], timeout=5):
            pass
