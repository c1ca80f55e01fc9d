"""The suite's socket rule holds (tests/conftest.py): a test marked neither `loopback` nor `vcr`
opens no socket at all, not even to loopback."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketBlockedError


# pytest-socket also warns as it blocks; the block itself is what this test checks.
@pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")
def test_a_unit_test_cannot_open_even_a_loopback_socket() -> None:
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("127.0.0.1", 9))
