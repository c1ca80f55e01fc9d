"""`batch`/`abatch` without `max_concurrency` keep a bounded number of requests in flight.

Counted on a real loopback server (peak requests being served at once), so the
bound is what the network sees, not what a mock was asked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig

from langchain_mavera import ChatMavera
from langchain_mavera.chat_models._concurrency import DEFAULT_MAX_CONCURRENCY, with_default_concurrency
from tests.loopback import Loopback, run_loopback

pytestmark = pytest.mark.loopback


@pytest.fixture
def server() -> Iterator[Loopback]:
    with run_loopback() as running:
        running.reply_delay = 0.25  # long enough that every admitted request overlaps the others
        yield running


def _model(server: Loopback) -> ChatMavera:
    return ChatMavera(api_key=server.api_key, base_url=server.base_url, max_retries=0)


async def test_abatch_without_a_cap_keeps_the_default_bound(server: Loopback) -> None:
    count = DEFAULT_MAX_CONCURRENCY * 2 + 8
    answers = await _model(server).abatch([f"q{i}" for i in range(count)])
    assert [answer.content for answer in answers] == ["Hello from the persona."] * count
    assert len(server.requests) == count
    # Unbounded, langchain-core would send all of them at once.
    assert 1 < server.peak_in_flight <= DEFAULT_MAX_CONCURRENCY


async def test_abatch_max_concurrency_overrides_the_default(server: Loopback) -> None:
    await _model(server).abatch([f"q{i}" for i in range(12)], config={"max_concurrency": 3})
    assert 1 < server.peak_in_flight <= 3


async def test_abatch_of_a_bound_model_keeps_the_default_bound(server: Loopback) -> None:
    count = DEFAULT_MAX_CONCURRENCY + 16
    bound = _model(server).bind(temperature=0.2)
    await bound.abatch([f"q{i}" for i in range(count)], config={"tags": ["survey"]})
    assert 1 < server.peak_in_flight <= DEFAULT_MAX_CONCURRENCY


def test_batch_without_a_cap_keeps_the_default_bound(server: Loopback) -> None:
    count = DEFAULT_MAX_CONCURRENCY + 8
    answers = _model(server).batch([f"q{i}" for i in range(count)])
    assert len(answers) == count
    assert 1 < server.peak_in_flight <= DEFAULT_MAX_CONCURRENCY
    # langchain-core's own default is a CPU-sized pool (min(32, cpus + 4) threads).
    cpu_sized = min(32, (os.cpu_count() or 1) + 4)
    if cpu_sized < DEFAULT_MAX_CONCURRENCY:
        assert server.peak_in_flight > cpu_sized


def test_batch_max_concurrency_overrides_the_default(server: Loopback) -> None:
    _model(server).batch([f"q{i}" for i in range(8)], config={"max_concurrency": 2})
    assert 1 < server.peak_in_flight <= 2


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (None, {"max_concurrency": DEFAULT_MAX_CONCURRENCY}),
        ({"tags": ["a"]}, {"tags": ["a"], "max_concurrency": DEFAULT_MAX_CONCURRENCY}),
        ({"max_concurrency": None}, {"max_concurrency": DEFAULT_MAX_CONCURRENCY}),
        ({"max_concurrency": 500}, {"max_concurrency": 500}),
    ],
)
def test_the_default_fills_only_a_missing_cap(config: Any, expected: dict[str, Any]) -> None:
    assert with_default_concurrency(config) == expected


def test_the_callers_configs_are_not_modified() -> None:
    one: RunnableConfig = {"tags": ["a"]}
    two: RunnableConfig = {"max_concurrency": 4}
    filled = with_default_concurrency([one, two])
    assert filled == [{"tags": ["a"], "max_concurrency": DEFAULT_MAX_CONCURRENCY}, {"max_concurrency": 4}]
    assert one == {"tags": ["a"]}
    assert filled[1] is two
