"""get_mavera_callback / MaveraCreditsCallbackHandler: every credit counted once, budgets enforced
before any request, cache hits free, and each run's persona in its metadata."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from functools import reduce
from operator import add
from typing import Any

import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.globals import set_llm_cache
from langchain_core.language_models import FakeListChatModel
from langchain_core.runnables import RunnableParallel
from langchain_core.tools import tool

from langchain_mavera import (
    MaveraBudgetExceededError,
    MaveraCreditsCallbackHandler,
    MaveraError,
    PersonaPanel,
    get_mavera_callback,
)
from tests.fake_mavera import CREDITS, FakeMavera

A = "clxpersonaaaaaaaaaaaaaaaa1"
B = "clxpersonabbbbbbbbbbbbbbb2"


@pytest.fixture
def llm_cache() -> Iterator[InMemoryCache]:
    cache = InMemoryCache()
    set_llm_cache(cache)
    yield cache
    set_llm_cache(None)


def test_counts_invoke_stream_and_batch_once_each() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    with get_mavera_callback() as cb:
        model.invoke("q1")
        reduce(add, model.stream("q2"))
        model.batch(["q3", "q4", "q5"], config={"max_concurrency": 3})
        model.with_persona(B).invoke("q6")
    assert len(echo.requests) == 6
    assert cb.requests == 6
    assert cb.credits_used == 6 * CREDITS
    assert (cb.input_tokens, cb.output_tokens) == (6 * 5, 6 * 7)
    assert cb.by_persona == {A: 5 * CREDITS, B: CREDITS}
    assert cb.cache_hits == 0


async def test_async_block_counts_ainvoke_astream_abatch_and_tasks() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    async with get_mavera_callback() as cb:
        await model.ainvoke("q1")
        [chunk async for chunk in model.astream("q2")]
        await model.abatch(["q3", "q4"])
        await asyncio.gather(*(model.with_persona(B).ainvoke(f"t{i}") for i in range(4)))
    assert cb.requests == len(echo.requests) == 8
    assert cb.credits_used == 8 * CREDITS
    assert cb.by_persona == {A: 4 * CREDITS, B: 4 * CREDITS}


def test_concurrent_threads_lose_no_count() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    with get_mavera_callback() as cb:
        model.batch([f"q{i}" for i in range(40)], config={"max_concurrency": 16})
    assert cb.requests == 40 and cb.credits_used == 40 * CREDITS


def test_outside_the_block_nothing_is_counted_and_other_models_are_ignored() -> None:
    echo = FakeMavera()
    model = echo.model()
    with get_mavera_callback() as cb:
        FakeListChatModel(responses=["not mavera"]).invoke("q")
    model.invoke("after")
    assert (cb.requests, cb.credits_used) == (0, 0)


def test_a_cache_hit_counts_zero_credits_and_one_cache_hit(llm_cache: InMemoryCache) -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    with get_mavera_callback() as cb:
        model.invoke("same question")
        model.invoke("same question")
        model.invoke("same question")
    assert len(echo.requests) == 1
    assert (cb.requests, cb.cache_hits, cb.credits_used) == (1, 2, CREDITS)
    assert (cb.input_tokens, cb.output_tokens) == (5, 7)  # a cache hit spends no tokens either


def test_budget_stops_the_next_call_before_any_request() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    with get_mavera_callback(budget=2 * CREDITS) as cb:
        model.invoke("q1")
        model.invoke("q2")
        with pytest.raises(MaveraBudgetExceededError, match="budget reached") as caught:
            model.invoke("q3")
        with pytest.raises(MaveraBudgetExceededError):
            list(model.stream("q4"))
    assert len(echo.requests) == 2  # the refused calls sent nothing
    assert isinstance(caught.value, MaveraError)
    assert (caught.value.budget, caught.value.credits_used) == (2 * CREDITS, 2 * CREDITS)
    assert cb.credits_used == 2 * CREDITS


async def test_budget_applies_to_async_calls_before_any_request() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    async with get_mavera_callback(budget=CREDITS):
        await model.ainvoke("q1")
        with pytest.raises(MaveraBudgetExceededError):
            await model.ainvoke("q2")
        with pytest.raises(MaveraBudgetExceededError):
            [chunk async for chunk in model.astream("q3")]
    assert len(echo.requests) == 1


def test_budget_is_checked_per_call_within_a_batch() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    with get_mavera_callback(budget=CREDITS):
        results = model.batch(["q1", "q2", "q3"], config={"max_concurrency": 1}, return_exceptions=True)
    assert [type(result).__name__ for result in results] == [
        "AIMessage",
        "MaveraBudgetExceededError",
        "MaveraBudgetExceededError",
    ]
    assert len(echo.requests) == 1


def test_nested_blocks_count_in_both_and_the_outer_budget_applies_inside() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    with get_mavera_callback(budget=2 * CREDITS) as outer:
        model.invoke("q1")
        with get_mavera_callback() as inner:
            model.invoke("q2")
            with pytest.raises(MaveraBudgetExceededError):
                model.invoke("q3")
    assert (outer.requests, inner.requests) == (2, 1)
    assert len(echo.requests) == 2


def test_handler_in_config_callbacks() -> None:
    echo = FakeMavera()
    handler = MaveraCreditsCallbackHandler(budget=CREDITS)
    model = echo.model(persona_id=B)
    model.invoke("q", config={"callbacks": [handler]})
    with pytest.raises(MaveraBudgetExceededError):
        model.invoke("q", config={"callbacks": [handler]})
    assert handler.by_persona == {B: CREDITS} and len(echo.requests) == 1
    assert repr(handler) == "Mavera: 1 request, 0 cache hits, 2 credits (input 5 tokens, output 7 tokens)"


def test_bad_budget_is_refused() -> None:
    with pytest.raises(TypeError, match="budget"):
        get_mavera_callback(budget="10")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="budget"):
        get_mavera_callback(budget=-1)


def test_counts_calls_made_inside_tools_and_plain_threads_started_by_langchain() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)

    @tool
    def ask_audience(question: str) -> str:
        """Ask the audience persona."""
        return model.invoke(question).text

    with get_mavera_callback() as cb:
        ask_audience.invoke({"question": "q"})
        RunnableParallel(a=model, b=model.with_persona(B)).invoke("q")
    assert cb.requests == 3 and cb.by_persona == {A: 2 * CREDITS, B: CREDITS}


def test_contexts_in_separate_threads_do_not_mix() -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=A)
    tallies: dict[int, MaveraCreditsCallbackHandler] = {}

    def work(calls: int) -> None:
        with get_mavera_callback() as cb:
            for i in range(calls):
                model.invoke(f"{calls}-{i}")
        tallies[calls] = cb

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {n: cb.requests for n, cb in tallies.items()} == {1: 1, 2: 2, 3: 3}


# -- panels ---------------------------------------------------------------------------------------


def test_panel_credits_are_counted_and_a_cached_panel_costs_nothing(llm_cache: InMemoryCache) -> None:
    echo = FakeMavera()
    panel = PersonaPanel(model=echo.model(), personas=[A, B], analysis_mode=False)
    with get_mavera_callback() as cb:
        first = panel.invoke("Would you buy it?")
        again = panel.invoke("Would you buy it?")
    assert len(echo.requests) == 2
    assert first.total_credits == 2 * CREDITS
    assert again.total_credits == 0
    assert [answer.cached for answer in again.answers] == [True, True]
    assert (cb.requests, cb.cache_hits, cb.credits_used) == (2, 2, 2 * CREDITS)
    assert cb.by_persona == {A: CREDITS, B: CREDITS}


async def test_async_panel_is_counted() -> None:
    echo = FakeMavera()
    panel = PersonaPanel(model=echo.model(), personas=[A, B], analysis_mode=False)
    async with get_mavera_callback() as cb:
        await panel.ainvoke("q")
    assert cb.by_persona == {A: CREDITS, B: CREDITS}


# -- run metadata ---------------------------------------------------------------------------------


async def test_astream_events_tell_personas_apart_by_run_metadata() -> None:
    echo = FakeMavera()
    base = echo.model()
    chain = RunnableParallel(a=base.with_persona(A), b=base.bind(persona_id=B))
    streamed: dict[str, str] = {}
    async for event in chain.astream_events("Would you buy it?", version="v2"):
        if event["event"] == "on_chat_model_stream":
            persona = event["metadata"]["mavera_persona_id"]
            streamed[persona] = streamed.get(persona, "") + event["data"]["chunk"].text
    assert streamed == {A: f"Answer from {A}", B: f"Answer from {B}"}


def test_run_metadata_omits_the_persona_when_none_is_set() -> None:
    seen: list[dict[str, Any]] = []

    class Meta(MaveraCreditsCallbackHandler):
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            seen.append(kwargs.get("metadata") or {})

    FakeMavera().model().invoke("q", config={"callbacks": [Meta()]})
    assert seen and "mavera_persona_id" not in seen[0]


# -- paid calls that are not chat-model runs ------------------------------------------------------


def _unreachable() -> Any:
    """A model whose requests could only fail (sockets are off): a budget error proves none was sent."""
    from langchain_mavera import ChatMavera

    return ChatMavera(api_key="mvra_test_unit_budget", base_url="http://127.0.0.1:9/api/v1", max_retries=0)


@pytest.mark.parametrize("which", ["research", "story_analysis", "story_chat", "research_retriever"])
def test_a_reached_budget_stops_paid_tools_before_their_request(which: str) -> None:
    from langchain_mavera import (
        MaveraResearchRetriever,
        MaveraResearchTool,
        MaveraStoryAnalysisTool,
        MaveraStoryChatTool,
    )

    runnable: Any
    payload: Any
    if which == "research":
        runnable, payload = MaveraResearchTool(model=_unreachable()), {"query": "refills"}
    elif which == "story_analysis":
        runnable, payload = MaveraStoryAnalysisTool(model=_unreachable(), persona_id=A), {"story_id": "st_1"}
    elif which == "story_chat":
        runnable, payload = MaveraStoryChatTool(model=_unreachable()), {"story_id": "st_1", "message": "Why"}
    else:
        runnable, payload = MaveraResearchRetriever(model=_unreachable()), "refills"
    with get_mavera_callback(budget=0), pytest.raises(MaveraBudgetExceededError):
        runnable.invoke(payload)


async def test_a_reached_budget_stops_paid_tools_before_their_request_async() -> None:
    from langchain_mavera import MaveraResearchTool

    async with get_mavera_callback(budget=0):
        with pytest.raises(MaveraBudgetExceededError):
            await MaveraResearchTool(model=_unreachable()).ainvoke({"query": "refills"})


def test_credit_events_count_once_in_nested_tallies_and_reach_other_handlers() -> None:
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.callbacks.manager import CallbackManager

    from langchain_mavera.callbacks import CREDITS_EVENT, credits_charged

    class Seen(BaseCallbackHandler):
        def __init__(self) -> None:
            self.events: list[tuple[str, Any]] = []

        def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
            self.events.append((name, data))

    seen = Seen()
    with get_mavera_callback() as outer, get_mavera_callback() as inner:
        manager = CallbackManager.configure([seen])
        run = manager.on_tool_start({"name": "t"}, "q")
        credits_charged(run, "/mave/chat", 42, usage={"input_tokens": 7, "output_tokens": 9})
    for tally in (outer, inner):
        assert (tally.credits_used, tally.requests, tally.by_persona) == (42, 1, {None: 42})
        assert (tally.input_tokens, tally.output_tokens) == (7, 9)
    assert seen.events == [
        (
            CREDITS_EVENT,
            {
                "endpoint": "/mave/chat",
                "credits_used": 42,
                "persona_id": None,
                "input_tokens": 7,
                "output_tokens": 9,
            },
        )
    ]


def test_remaining_is_the_only_string_budget_and_model_needs_it() -> None:
    from langchain_mavera import ChatMavera

    with pytest.raises(TypeError, match='"remaining"'):
        get_mavera_callback(budget="all")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match='model is only used with budget="remaining"'):
        get_mavera_callback(budget=10, model=ChatMavera(api_key="mvra_test_unit_budget"))


def _reply_costing(credits: str) -> Any:
    import httpx2

    body = (
        '{"id": "c1", "model": "mavera-1", "choices": [{"index": 0, "message": {"role": "assistant",'
        ' "content": "hi"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1,'
        f' "completion_tokens": 1, "total_tokens": 2, "credits_used": {credits}}}}}'
    )
    return lambda _: httpx2.Response(200, text=body, headers={"content-type": "application/json"})


@pytest.mark.parametrize("credits", ["NaN", "-5"])
def test_a_nonsense_credit_figure_neither_poisons_the_tally_nor_lifts_the_budget(credits: str) -> None:
    script = FakeMavera(_reply_costing(credits), _reply_costing("3"), catalogue=None)
    model = script.model(persona_id=A)
    with get_mavera_callback(budget=3) as cb:
        model.invoke("q1")  # the server's figure cannot be a charge: counted as 0, kept in the metadata
        model.invoke("q2")
        with pytest.raises(MaveraBudgetExceededError):
            model.invoke("q3")
    assert len(script.requests) == 2
    assert (cb.requests, cb.credits_used, cb.by_persona) == (2, 3, {A: 3})


@pytest.mark.parametrize("budget", [float("nan")])
def test_a_nan_budget_is_refused(budget: float) -> None:
    with pytest.raises(ValueError, match="budget"):
        get_mavera_callback(budget=budget)
    with pytest.raises(ValueError, match="budget"):
        MaveraCreditsCallbackHandler(budget)


def _usage_saying(remaining: str) -> Any:
    import httpx2

    body = '{"object": "usage", "credits": {"used": 10, "remaining": ' + remaining + "}}"
    return lambda _: httpx2.Response(200, text=body, headers={"content-type": "application/json"})


def test_an_overdrawn_account_is_a_reached_budget_not_a_bad_argument() -> None:
    script = FakeMavera(_usage_saying("-3"), catalogue=None)
    model = script.model(persona_id=A)
    with get_mavera_callback(budget="remaining", model=model) as cb:
        assert cb.budget == 0
        with pytest.raises(MaveraBudgetExceededError):
            model.invoke("q")
    assert [request.method for request in script.requests] == ["GET"]


def test_a_nan_remaining_figure_is_no_figure() -> None:
    script = FakeMavera(_usage_saying("NaN"), catalogue=None)
    with get_mavera_callback(budget="remaining", model=script.model()) as cb:
        assert cb.budget is None  # as when the reply gives no credits.remaining (documented: no limit)
