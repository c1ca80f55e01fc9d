"""Faults on the endpoints beyond chat (Mave research, news, usage, custom personas), against the emulator."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig

from langchain_mavera import (
    ChatMavera,
    MaveraAPIError,
    MaveraInsufficientCreditsError,
    MaveraNews,
    MaveraPermissionDeniedError,
    MaveraRateLimitError,
    MaveraResearchTool,
    MaveraServerError,
    MaveraStreamInterruptedError,
    fetch_usage,
)

pytestmark = pytest.mark.loopback

emulator = pytest.importorskip("tests.emulator")
mave = pytest.importorskip("tests.emulator.mave")
Fault = emulator.Fault
GEN_Z = "clx1abc2d0001abcdef123456"
STORY = "st_68e1bd"


@pytest.fixture(autouse=True)
def _fresh(emu: Any) -> None:
    """Every test starts with an empty request log and no queued faults."""


def _model(emu: Any, **kwargs: Any) -> ChatMavera:
    kwargs.setdefault("api_key", emu.api_key)
    return ChatMavera(base_url=emu.base_url, **kwargs)


def _tool(emu: Any, **kwargs: Any) -> MaveraResearchTool:
    retries = kwargs.pop("max_retries", 0)
    return MaveraResearchTool(model=_model(emu, max_retries=retries), **kwargs)


def _mave_requests(emu: Any) -> int:
    return sum(1 for request in emu.requests if request.path == "/mave/chat")


def test_out_of_credits_is_typed(emu: Any) -> None:
    tool = MaveraResearchTool(model=ChatMavera(api_key=emulator.NO_CREDITS_KEY, base_url=emu.base_url))
    with pytest.raises(MaveraInsufficientCreditsError) as caught:
        tool.invoke({"query": "Anything"})
    assert caught.value.code == "credits_exhausted"


def test_rate_limit_is_typed_with_retry_after(emu: Any) -> None:
    emu.faults.push(Fault("status", path="/mave/chat", status=429, retry_after=7))
    with pytest.raises(MaveraRateLimitError) as caught:
        _tool(emu).invoke({"query": "Anything"})
    assert caught.value.retry_after == 7


def test_unavailable_is_retried_by_the_shared_client(emu: Any) -> None:
    emu.faults.push(Fault("status", path="/mave/chat", status=503, retry_after=0))
    answer = _tool(emu, max_retries=1).invoke({"query": "Retry me"})
    assert answer.startswith("Research summary for: Retry me")
    assert _mave_requests(emu) == 2


def test_malformed_reply_keeps_the_raw_text(emu: Any) -> None:
    emu.faults.push(Fault("malformed", path="/mave/chat"))
    with pytest.raises(MaveraAPIError) as caught:
        _tool(emu).invoke({"query": "Anything"})
    assert "502 Bad Gateway" in (caught.value.raw_text or "")


@pytest.mark.parametrize("graceful", [False, True])
def test_cut_stream_keeps_the_partial_answer(emu: Any, graceful: bool) -> None:
    emu.faults.push(Fault("cut_stream", path="/mave/chat", after_chunks=2, graceful=graceful))
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        _tool(emu, streaming=True).invoke({"query": "Cut me off"})
    assert caught.value.partial is not None
    assert str(caught.value.partial.content).startswith("Research summary for: Cut me off")


def test_error_event_mid_stream_is_typed_with_partial(emu: Any) -> None:
    emu.faults.push(Fault("stream_error", path="/mave/chat", after_chunks=1, status=500))
    with pytest.raises(MaveraServerError) as caught:
        _tool(emu, streaming=True).invoke({"query": "Fail midway"})
    assert caught.value.partial is not None and str(caught.value.partial.content)


def test_keep_alive_comments_are_ignored(emu: Any) -> None:
    emu.faults.push(Fault("sse_comments", path="/mave/chat"))
    tool = _tool(emu, streaming=True)
    config: RunnableConfig = {"configurable": {"thread_id": "user-a"}}
    assert tool.invoke({"query": "Comments"}, config).startswith("Research summary for: Comments")
    assert tool.mave_thread("user-a") is not None


@pytest.fixture
def slow_mave(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each Mave request in flight long enough for 15 to overlap."""
    monkeypatch.setattr(mave, "LATENCY", 0.3)


def test_threads_respect_the_ten_request_cap(emu: Any, slow_mave: None) -> None:
    # The emulator refuses an 11th concurrent request with 429; retries are off, so any overlap fails.
    tool = _tool(emu, keep_thread=False)
    with ThreadPoolExecutor(max_workers=15) as pool:
        answers = list(pool.map(lambda i: tool.invoke({"query": f"Question {i}"}), range(15)))
    assert len(answers) == 15 and _mave_requests(emu) == 15


def test_event_loop_respects_the_ten_request_cap(emu: Any, slow_mave: None) -> None:
    tool = _tool(emu, keep_thread=False)

    async def ask_all() -> list[str]:
        calls = (tool.ainvoke({"query": f"Async question {i}"}) for i in range(15))
        answers: list[str] = await asyncio.gather(*calls)
        return answers

    assert len(asyncio.run(ask_all())) == 15
    assert _mave_requests(emu) == 15


def test_news_faults_are_typed(emu: Any) -> None:
    news = MaveraNews(model=_model(emu, max_retries=0))
    emu.faults.push(
        Fault("malformed", path="/news/stories/personalized", body="[1, 2]", content_type="application/json")
    )
    with pytest.raises(MaveraAPIError, match="expected a JSON object"):
        news.personalized([GEN_Z])
    emu.faults.push(Fault("status", path=f"/news/stories/{STORY}/analyze", status=500))
    with pytest.raises(MaveraServerError):
        news.analyze(STORY, GEN_Z)
    emu.faults.push(
        Fault("malformed", path=f"/news/stories/{STORY}", body='{"id": 5}', content_type="application/json")
    )
    with pytest.raises(MaveraAPIError, match="Malformed reply"):
        news.story(STORY)


def test_usage_fault_is_typed(emu: Any) -> None:
    emu.faults.push(Fault("status", path="/usage", status=403))
    with pytest.raises(MaveraPermissionDeniedError):
        fetch_usage(model=_model(emu, max_retries=0))


def test_custom_persona_server_validation_is_typed(emu: Any) -> None:
    from langchain_mavera import MaveraInvalidRequestError

    emu.faults.push(Fault("status", path="/personas", status=400, code="invalid_field", message="name taken"))
    with pytest.raises(MaveraInvalidRequestError) as caught:
        _model(emu, max_retries=0).personas.create(name="Taken Name", type="B2B")
    assert caught.value.server_message == "name taken"
