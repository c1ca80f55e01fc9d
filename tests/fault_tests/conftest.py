"""The emulator shared by the fault modules that talk to it directly (loopback only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def emu() -> Iterator[Any]:
    emulator = pytest.importorskip("tests.emulator")
    with emulator.run_emulator() as running:
        yield running


@pytest.fixture
def fresh_emu(emu: Any) -> Any:
    """The module's emulator with its request log, faults and rate window cleared."""
    emu.reset()
    return emu
