"""One ChatMavera shared by threads, tasks and processes; pacing a batch under a rate budget."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import socket
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest
from langchain_core.language_models import LanguageModelInput
from langchain_core.rate_limiters import InMemoryRateLimiter
from langchain_core.runnables import ConfigurableField

from langchain_mavera import ChatMavera, MaveraConnectionError
from langchain_mavera._transport import client as _client
from tests.chat_models._workers import ask, ask_own_model, build_paced_model
from tests.emulator import run_emulator
from tests.loopback import Loopback, run_loopback

pytestmark = pytest.mark.loopback


@pytest.fixture
def server() -> Iterator[Loopback]:
    with run_loopback() as running:
        yield running


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many SDK clients get built, to prove one is shared."""
    counts = {"sync": 0, "async": 0}
    for kind, name in (("sync", "build_sync_client"), ("async", "build_async_client")):
        original = getattr(_client, name)

        def counting(*args: Any, _original: Any = original, _kind: str = kind, **kwargs: Any) -> Any:
            counts[_kind] += 1
            return _original(*args, **kwargs)

        # chat_models imports the builders from `_client` at first use (keeps the SDK out of
        # its import), so they are counted where they live.
        monkeypatch.setattr(_client, name, counting)
    return counts


def _model(server: Loopback, **kwargs: Any) -> ChatMavera:
    return ChatMavera(api_key=server.api_key, base_url=server.base_url, max_retries=0, **kwargs)


def test_one_model_shared_across_threads(server: Loopback, builds: dict[str, int]) -> None:
    server.reply_delay = 0.01  # keep several requests in flight at once
    model = _model(server)

    def work(index: int) -> str:
        if index % 2:
            return "".join(str(chunk.content) for chunk in model.stream(f"q{index}"))
        return str(model.invoke(f"q{index}").content)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(work, range(32)))
    assert answers == ["Hello from the persona." if i % 2 == 0 else "Hello" for i in range(32)]
    assert len(server.requests) == 32
    assert server.peak_in_flight > 1  # the calls really overlapped
    assert builds["sync"] == 1


async def test_one_model_shared_across_asyncio_tasks(server: Loopback, builds: dict[str, int]) -> None:
    server.reply_delay = 0.01
    model = _model(server)

    async def streamed(question: str) -> str:
        return "".join([str(chunk.content) async for chunk in model.astream(question)])

    answers = await asyncio.gather(
        *(model.ainvoke(f"q{i}") for i in range(10)), *(streamed(f"s{i}") for i in range(10))
    )
    texts = [str(getattr(answer, "content", answer)) for answer in answers]
    assert texts == ["Hello from the persona."] * 10 + ["Hello"] * 10
    assert server.peak_in_flight > 1
    assert builds["async"] == 1


PERSONAS = [f"clx{index:02d}abc2d0001abcdef1234" for index in range(10)]


def test_configurable_persona_builds_one_sync_client(server: Loopback, builds: dict[str, int]) -> None:
    # configurable_fields builds a new ChatMavera per call; the SDK client must not follow suit.
    model = _model(server).configurable_fields(persona_id=ConfigurableField(id="persona_id"))
    for persona_id in PERSONAS:
        model.invoke("hi", config={"configurable": {"persona_id": persona_id}})
    assert [request.body["persona_id"] for request in server.requests] == PERSONAS
    assert builds["sync"] == 1


async def test_configurable_persona_builds_one_async_client_per_loop(
    server: Loopback, builds: dict[str, int]
) -> None:
    model = _model(server).configurable_fields(persona_id=ConfigurableField(id="persona_id"))
    for persona_id in PERSONAS:
        await model.ainvoke("hi", config={"configurable": {"persona_id": persona_id}})
    assert [request.body["persona_id"] for request in server.requests] == PERSONAS
    assert builds["async"] == 1


def test_one_model_serves_successive_event_loops(builds: dict[str, int]) -> None:
    # Each asyncio.run closes its loop; a client and its kept-alive connections must not outlive
    # it, or the next run fails with "Event loop is closed". The emulator keeps connections alive.
    with run_emulator() as emulator:
        model = ChatMavera(api_key=emulator.api_key, base_url=emulator.base_url, max_retries=0)

        async def ask_twice() -> list[str]:
            answer = await model.ainvoke("hi")
            streamed = "".join([str(chunk.content) async for chunk in model.astream("hi")])
            return [str(answer.content), streamed]

        first = asyncio.run(ask_twice())
        second = asyncio.run(ask_twice())
    assert all(first) and second == first
    assert builds["async"] == 2  # one per loop, reused within it


def test_pickle_round_trip_after_use(server: Loopback) -> None:
    model = _model(server, persona_id="clx1abc2d0001abcdef123456", temperature=0.2)
    model.invoke("warm up the client")
    restored = pickle.loads(pickle.dumps(model))
    assert restored._settings is None  # clients are rebuilt lazily, never pickled
    assert restored.persona_id == model.persona_id
    assert restored.temperature == 0.2
    assert restored.invoke("hi").content == "Hello from the persona."
    assert server.requests[-1].body["persona_id"] == "clx1abc2d0001abcdef123456"


def test_runs_in_a_spawn_process_pool(server: Loopback) -> None:
    model = _model(server, persona_id="clx1abc2d0001abcdef123456")
    model.invoke("the parent uses it first")
    unreachable = ChatMavera(
        api_key=server.api_key, base_url=f"http://127.0.0.1:{_free_port()}/v1", max_retries=0
    )
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(ask, [model] * 4, [f"q{i}" for i in range(4)]))
        # A failure in a worker reaches the parent as the same typed error (errors pickle).
        with pytest.raises(MaveraConnectionError, match="Could not connect to Mavera"):
            pool.submit(ask, unreachable, "hi").result()
    assert [answer for _, answer in results] == ["Hello from the persona."] * 4
    assert {pid for pid, _ in results}.isdisjoint({os.getpid()})
    assert len(server.requests) == 5
    assert all(request.body["persona_id"] == "clx1abc2d0001abcdef123456" for request in server.requests)


def test_a_paced_model_is_built_in_each_spawned_worker(server: Loopback) -> None:
    # A rate limiter (and a caller's http_client) holds a thread lock, so such a model does not
    # pickle; the README's recipe builds one per worker in the pool initializer instead.
    with pytest.raises(TypeError, match="pickle"):
        pickle.dumps(_model(server, rate_limiter=InMemoryRateLimiter(requests_per_second=1)))
    settings = {"api_key": server.api_key, "base_url": server.base_url, "max_retries": 0}
    settings["persona_id"] = "clx1abc2d0001abcdef123456"
    with ProcessPoolExecutor(
        max_workers=2,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=build_paced_model,
        initargs=(50.0, settings),
    ) as pool:
        results = list(pool.map(ask_own_model, [f"q{i}" for i in range(4)]))
    assert [answer for _, answer in results] == ["Hello from the persona."] * 4
    assert {pid for pid, _ in results}.isdisjoint({os.getpid()})
    assert len(server.requests) == 4
    assert all(request.body["persona_id"] == "clx1abc2d0001abcdef123456" for request in server.requests)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    most = 0
    start = 0
    for end, moment in enumerate(times):
        while moment - times[start] > window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_abatch_with_rate_limiter_stays_under_budget(server: Loopback) -> None:
    # A scaled-down tier: 10 requests per second stands in for N requests per minute.
    per_second = 10
    limiter = InMemoryRateLimiter(
        requests_per_second=per_second, check_every_n_seconds=0.01, max_bucket_size=1
    )
    model = _model(server, rate_limiter=limiter)
    questions: list[LanguageModelInput] = [f"q{i}" for i in range(20)]
    answers = await model.abatch(questions, config={"max_concurrency": 4})
    assert [answer.content for answer in answers] == ["Hello from the persona."] * 20
    assert len(server.requests) == 20
    assert server.peak_in_flight <= 4
    arrivals = [request.at for request in server.requests]
    # Unpaced, all 20 arrive within a few milliseconds. Paced, a one-second window holds
    # about `per_second` of them; the slack absorbs arrival jitter, not a broken limiter.
    assert _most_in_any_window(arrivals, 1.0) <= per_second + 3
    assert max(arrivals) - min(arrivals) >= 0.5 * (len(questions) - 1) / per_second
