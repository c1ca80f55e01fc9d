"""A budget is a bound: against a loopback server that bills every request it receives, what is
billed inside a budget never exceeds it by more than one call, whatever the concurrency, and the
tally equals what was sent (issue 19)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage
from langchain_core.runnables.config import ContextThreadPoolExecutor

from langchain_mavera import (
    ChatMavera,
    MaveraBudgetExceededError,
    MaveraCreditsCallbackHandler,
    MaveraResearchTool,
    MaveraTimeoutError,
    get_mavera_callback,
)
from tests.fake_mavera import completion
from tests.loopback import Loopback, Step, head, run_loopback, sse_head

pytestmark = pytest.mark.loopback

DELAY = 0.05
"""Long enough for every caller of a batch to be in flight at once."""


class Billing:
    """What the server billed: each request at the price its path costs."""

    def __init__(self, chat: float = 1, research: float = 10) -> None:
        self.chat = chat
        self.research = research
        self.research_delay = DELAY
        self.credits: float = 0
        self.requests = 0
        self._lock = threading.Lock()

    def bill(self, amount: float) -> None:
        with self._lock:
            self.credits += amount
            self.requests += 1

    def script(self, body: dict[str, Any]) -> list[Step]:
        if "message" in body and body.get("stream"):  # a research stream that only keeps alive
            self.bill(self.research)
            return [sse_head(), *[step for _ in range(50) for step in (b": ping\n\n", 0.1)]]
        if "message" in body:  # POST /mave/chat
            self.bill(self.research)
            reply = {
                "object": "mave_message",
                "content": "Demand is rising.",
                "usage": {"credits_used": self.research},
            }
            return [self.research_delay, head(content_type="application/json"), json.dumps(reply).encode()]
        self.bill(self.chat)
        if any(message.get("role") == "tool" for message in body.get("messages", [])):
            return [head(content_type="application/json"), _chat_reply("Done.", self.chat)]
        if body.get("tools"):
            calls = [
                {
                    "id": f"call_{n}",
                    "type": "function",
                    "function": {"name": "mavera_research", "arguments": json.dumps({"query": f"topic {n}"})},
                }
                for n in range(5)
            ]
            return [head(content_type="application/json"), _chat_reply(None, self.chat, calls)]
        if body.get("stream"):
            first = {"id": "c", "model": "mavera-1", "choices": [{"index": 0, "delta": {"content": "Hel"}}]}
            # The answer starts, then the server goes quiet: the caller stops reading first.
            return [sse_head(), f"data: {json.dumps(first)}\n\n".encode(), 5.0]
        return [DELAY, head(content_type="application/json"), _chat_reply("Hi", self.chat)]


def _chat_reply(content: str | None, credits: float, calls: list[dict[str, Any]] | None = None) -> bytes:
    body = completion(content, calls)
    body["usage"]["credits_used"] = credits
    return json.dumps(body).encode()


@pytest.fixture
def billing() -> Billing:
    return Billing()


@pytest.fixture
def server(billing: Billing) -> Iterator[Loopback]:
    with run_loopback(billing.script) as running:
        yield running


def _model(server: Loopback) -> ChatMavera:
    return ChatMavera(base_url=server.base_url, api_key=server.api_key, max_retries=0)


def _refused(results: list[Any]) -> int:
    return sum(isinstance(result, MaveraBudgetExceededError) for result in results)


@pytest.mark.parametrize(("budget", "price"), [(10, 1), (10, 5), (100, 5)])
def test_a_threaded_batch_stays_within_one_call_of_the_budget(
    server: Loopback, billing: Billing, budget: float, price: float
) -> None:
    billing.chat = price
    with get_mavera_callback(budget=budget) as cb:
        results = _model(server).batch(["q"] * 32, config={"max_concurrency": 32}, return_exceptions=True)
    assert billing.credits <= budget + price
    assert (cb.requests, cb.credits_used) == (billing.requests, billing.credits)
    assert _refused(results) == 32 - billing.requests


@pytest.mark.parametrize("price", [1, 5])
async def test_abatch_stays_within_one_call_of_the_budget(
    server: Loopback, billing: Billing, price: float
) -> None:
    billing.chat = price
    async with get_mavera_callback(budget=10) as cb:
        results = await _model(server).abatch(
            ["q"] * 32, config={"max_concurrency": 32}, return_exceptions=True
        )
    assert billing.credits <= 10 + price
    assert (cb.requests, cb.credits_used) == (billing.requests, billing.credits)
    assert _refused(results) == 32 - billing.requests


async def test_gathered_ainvokes_stay_within_the_budget_without_blocking_the_loop(
    server: Loopback, billing: Billing
) -> None:
    model = _model(server)
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    beat = asyncio.ensure_future(heartbeat())
    async with get_mavera_callback(budget=10) as cb:
        results = await asyncio.gather(*(model.ainvoke("q") for _ in range(32)), return_exceptions=True)
    beat.cancel()
    assert billing.credits == 10  # every call costs 1: exactly the budget
    assert (cb.requests, cb.credits_used) == (10, 10)
    assert _refused(list(results)) == 22
    assert ticks > 5  # the calls waiting for their admission left the event loop running


def test_threads_of_a_users_context_pool_share_the_budget(server: Loopback, billing: Billing) -> None:
    model = _model(server)
    with get_mavera_callback(budget=10) as cb, ContextThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(model.invoke, "q") for _ in range(16)]
        outcomes = [future.exception() for future in futures]
    assert billing.credits == 10
    assert cb.requests == 10
    assert sum(isinstance(outcome, MaveraBudgetExceededError) for outcome in outcomes) == 6


def test_an_agent_with_parallel_tool_calls_stays_within_the_budget(
    server: Loopback, billing: Billing
) -> None:
    planner = _model(server)
    research = MaveraResearchTool(base_url=server.base_url, api_key=server.api_key, max_retries=0)
    agent = create_agent(planner, tools=[research])
    with get_mavera_callback(budget=15) as cb, pytest.raises(MaveraBudgetExceededError):
        agent.invoke({"messages": [HumanMessage("research five topics")]})
    # The planner (1 credit) and the first research call (10) fit; a second call of 10 does not.
    assert billing.credits <= 15 + billing.research
    assert (cb.requests, cb.credits_used) == (billing.requests, billing.credits)


def test_a_stream_stopped_early_is_a_counted_request(server: Loopback, billing: Billing) -> None:
    model = _model(server)
    with get_mavera_callback(budget=3) as cb:
        refused = 0
        for _ in range(10):
            try:
                for _chunk in model.stream("q"):
                    break
            except MaveraBudgetExceededError:
                refused += 1
    assert billing.requests == cb.requests == 3  # unknown cost, charged at 1 credit each
    assert cb.unknown_cost_requests == 3 and refused == 7
    assert "3 of unknown cost" in repr(cb)


async def test_a_stream_timed_out_by_the_caller_is_a_counted_request(
    server: Loopback, billing: Billing
) -> None:
    model = _model(server)

    async def read_all() -> None:
        async for _chunk in model.astream("q"):
            pass

    async with get_mavera_callback() as cb:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(read_all(), 0.3)
    assert (billing.requests, cb.requests, cb.unknown_cost_requests) == (1, 1, 1)


def test_a_stream_costs_the_worst_seen_when_its_cost_never_arrives(
    server: Loopback, billing: Billing
) -> None:
    model = _model(server)
    billing.chat = 4
    with get_mavera_callback(budget=10) as cb:
        model.invoke("q")  # 4 credits: the worst cost seen
        for _chunk in model.stream("q"):
            break  # charged 4 to the budget: 8 of 10, so a call of 4 no longer fits
        with pytest.raises(MaveraBudgetExceededError, match="8 of 10"):
            model.invoke("q")
    assert (cb.requests, cb.credits_used, cb.unknown_cost_requests) == (2, 4, 1)


def test_a_tally_in_config_inside_a_nested_block_counts_each_call_once(
    server: Loopback, billing: Billing
) -> None:
    model = _model(server)
    with get_mavera_callback() as outer:
        with get_mavera_callback() as inner:
            for _ in range(3):
                model.invoke("q", config={"callbacks": [outer]})
        given = MaveraCreditsCallbackHandler()
        with get_mavera_callback(budget=2) as limited:
            model.invoke("q", config={"callbacks": [given, limited]})
    assert (outer.requests, outer.credits_used) == (4, 4)
    assert (inner.requests, given.requests, limited.requests) == (3, 1, 1)


def test_a_plain_thread_pool_is_not_counted_but_a_copied_context_is(
    server: Loopback, billing: Billing
) -> None:
    """What docs/credits.md says of a user's own thread pool."""
    import contextvars

    model = _model(server)
    with get_mavera_callback() as cb, ThreadPoolExecutor(max_workers=2) as pool:
        pool.submit(model.invoke, "q").result()
        pool.submit(contextvars.copy_context().run, model.invoke, "q").result()
    assert (billing.requests, cb.requests) == (2, 1)


@pytest.mark.parametrize("run_async", [False, True])
async def test_a_research_call_slower_than_its_timeout_is_sent_once_and_counted(
    server: Loopback, billing: Billing, run_async: bool
) -> None:
    billing.research_delay = 3.0
    research = MaveraResearchTool(
        base_url=server.base_url, api_key=server.api_key, timeout=0.3
    )  # SDK retries on
    query = {"query": "refill demand"}
    async with get_mavera_callback(budget=50) as cb:
        call = research.ainvoke(query) if run_async else asyncio.to_thread(research.invoke, query)
        with pytest.raises(MaveraTimeoutError):
            await call
    assert server.posts == 1  # a paid POST that may have been billed is not sent again
    assert (cb.requests, cb.unknown_cost_requests) == (1, 1)


def test_a_research_stream_of_pings_ends_at_its_timeout(server: Loopback, billing: Billing) -> None:
    research = MaveraResearchTool(
        base_url=server.base_url, api_key=server.api_key, timeout=0.5, streaming=True, max_retries=0
    )
    started = time.monotonic()
    with get_mavera_callback() as cb, pytest.raises(MaveraTimeoutError):
        research.invoke({"query": "refill demand"})
    assert time.monotonic() - started < 3  # generous: the server would keep pinging for 5 s
    assert (cb.requests, cb.unknown_cost_requests) == (1, 1)


@pytest.mark.parametrize("run_async", [False, True])
async def test_research_timeout_covers_waiting_for_a_slot(server: Loopback, run_async: bool) -> None:
    from langchain_mavera import research as research_module

    research = MaveraResearchTool(base_url=server.base_url, api_key=server.api_key, timeout=0.3)
    held = [
        research_module._sync_slots.acquire(blocking=False) for _ in range(research_module.MAX_CONCURRENT)
    ]
    slots = research_module._loop_slots()
    for _ in range(research_module.MAX_CONCURRENT):
        await slots.acquire()
    query = {"query": "refill demand"}
    # The sync call runs in a thread, so a regression fails here instead of hanging the suite.
    call = research.ainvoke(query) if run_async else asyncio.to_thread(research.invoke, query)
    try:
        with pytest.raises(MaveraTimeoutError, match="research slots"):
            await asyncio.wait_for(call, 3)
    finally:
        for taken in held:
            if taken:
                research_module._sync_slots.release()
        for _ in range(research_module.MAX_CONCURRENT):
            slots.release()
    assert server.posts == 0
