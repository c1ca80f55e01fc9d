"""One emulator for the whole emulator suite, reset before every test."""

from collections.abc import Iterator

import pytest
from openai import OpenAI

from tests.emulator import Emulator, run_emulator


@pytest.fixture(scope="session")
def shared_emulator() -> Iterator[Emulator]:
    with run_emulator() as emulator:
        yield emulator


@pytest.fixture
def emu(shared_emulator: Emulator) -> Emulator:
    shared_emulator.reset()
    return shared_emulator


@pytest.fixture
def client(emu: Emulator) -> OpenAI:
    return OpenAI(base_url=emu.base_url, api_key=emu.api_key, max_retries=0, timeout=10)
