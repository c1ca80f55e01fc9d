"""Mave research (POST /mave/chat) as a tool and a retriever, on cassettes.

Replayed offline by default; `python scripts/record_cassettes.py -k test_research_cassettes`
re-records them from the emulator.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import ToolException

from langchain_mavera import (
    ChatMavera,
    MaveraNotFoundError,
    MaveraResearchRetriever,
    MaveraResearchTool,
)

pytestmark = pytest.mark.vcr

QUESTION = "How do shoppers under 30 feel about refillable packaging?"


def _call(
    tool: MaveraResearchTool, args: dict[str, Any], call_id: str = "call_1", conversation: str | None = None
) -> ToolMessage:
    config: RunnableConfig = {"configurable": {"thread_id": conversation}} if conversation else {}
    message = tool.invoke({"name": tool.name, "args": args, "id": call_id, "type": "tool_call"}, config)
    assert isinstance(message, ToolMessage)
    return message


def test_tool_answers_with_citations_and_artifact() -> None:
    tool = MaveraResearchTool()
    message = _call(tool, {"query": QUESTION})
    content = str(message.content)
    assert "[1]" in content and "\n\nSources:\n[1] " in content
    artifact = message.artifact
    assert artifact["thread_id"].startswith("mave_thread_")
    assert artifact["sources"] and all({"title", "url", "domain"} <= set(s) for s in artifact["sources"])
    assert artifact["personas_used"] and all({"id", "name"} <= set(p) for p in artifact["personas_used"])
    assert artifact["validation"]["hallucination_risk"] in ("low", "medium", "high")
    assert isinstance(artifact["credits_used"], int) and artifact["credits_used"] > 0
    for index, source in enumerate(artifact["sources"], start=1):
        assert f"[{index}] {source['title']} - {source['url']}" in content


def test_tool_keeps_one_thread_per_conversation() -> None:
    tool = MaveraResearchTool(model=ChatMavera())
    first = _call(tool, {"query": QUESTION}, conversation="user-a")
    second = _call(tool, {"query": "Does that hold for parents too?"}, "call_2", conversation="user-a")
    assert tool.mave_thread("user-a") == first.artifact["thread_id"] == second.artifact["thread_id"]
    assert tool.thread_id is None and tool.mave_thread("user-b") is None  # nothing shared on the tool
    assert "Building on the earlier research in this thread" in str(second.content)


def test_tool_thread_id_setting_and_fresh_threads() -> None:
    opener = MaveraResearchTool(keep_thread=False)
    first = _call(opener, {"query": "What drives subscription fatigue?"})
    assert opener.thread_id is None  # keep_thread=False remembers nothing
    other = MaveraResearchTool(thread_id=first.artifact["thread_id"])
    follow = _call(other, {"query": "Which households cancel most?"})
    assert follow.artifact["thread_id"] == first.artifact["thread_id"]


def test_unknown_thread_is_a_typed_not_found() -> None:
    tool = MaveraResearchTool(thread_id="mave_thread_does_not_exist", max_retries=0)
    output = tool.invoke({"query": QUESTION})  # a 404 is the tool's output, for the model to read
    assert output.startswith("MaveraNotFoundError") and "mave_thread_does_not_exist" in output
    raising = tool.model_copy(update={"handle_tool_error": False})
    with pytest.raises(ToolException) as caught:
        raising.invoke({"query": QUESTION})
    assert isinstance(caught.value.__cause__, MaveraNotFoundError)
    assert caught.value.__cause__.code == "resource_not_found"


class _Events(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.events.append((name, data))


class _AsyncEvents(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    async def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.events.append((name, data))


def _check_stream(events: list[tuple[str, Any]], content: str) -> None:
    # The research events sit between the credit-tally events every paid tool call dispatches.
    (first, _), (last, credits) = events[0], events[-1]
    assert (first, last) == ("mavera_request_start", "mavera_credits")
    events = events[1:-1]
    assert credits["credits_used"] == events[-1][1]["usage"]["credits_used"]
    names = [name for name, _ in events]
    assert names.count("mavera_research_content") > 1
    assert names[-3:] == ["mavera_research_sources", "mavera_research_validation", "mavera_research_done"]
    text = "".join(data["text"] for name, data in events if name == "mavera_research_content")
    assert content.startswith(text) and text
    done = events[-1][1]
    assert done["thread_id"].startswith("mave_thread_") and done["usage"]["credits_used"] > 0


def test_streaming_dispatches_each_event_to_callbacks() -> None:
    handler = _Events()
    tool = MaveraResearchTool(streaming=True)
    config: RunnableConfig = {"callbacks": [handler], "configurable": {"thread_id": "user-a"}}
    answer = tool.invoke({"query": "Is refill packaging a fad?"}, config)
    _check_stream(handler.events, answer)
    assert tool.mave_thread("user-a") == handler.events[-2][1]["thread_id"]  # the `done` event


async def test_astreaming_dispatches_each_event_to_callbacks() -> None:
    handler = _AsyncEvents()
    tool = MaveraResearchTool(streaming=True)
    message = await tool.ainvoke(
        {"name": tool.name, "args": {"query": "Is refill packaging a fad?"}, "id": "c", "type": "tool_call"},
        config={"callbacks": [handler]},
    )
    _check_stream(handler.events, str(message.content))
    assert message.artifact["sources"] and message.artifact["validation"] is not None


async def test_astream_events_shows_research_events() -> None:
    tool = MaveraResearchTool(streaming=True)
    names = [
        event["name"]
        async for event in tool.astream_events({"query": "Is refill packaging a fad?"}, version="v2")
        if event["event"] == "on_custom_event"
    ]
    assert names[0] == "mavera_request_start" and names[-1] == "mavera_credits"
    assert names[1] == "mavera_research_content" and names[-2] == "mavera_research_done"


def test_retriever_returns_answer_then_sources() -> None:
    docs = MaveraResearchRetriever().invoke(QUESTION)
    answer, *sources = docs
    assert answer.metadata["type"] == "answer" and "[1]" in answer.page_content
    assert answer.metadata["credits_used"] > 0 and answer.metadata["personas_used"]
    assert answer.metadata["validation"]["confidence_score"] > 0
    assert sources and [d.metadata["citation"] for d in sources] == list(range(1, len(sources) + 1))
    for doc in sources:
        assert doc.metadata["type"] == "source"
        assert {"title", "url", "domain", "snippet"} <= set(doc.metadata)
        assert doc.page_content == doc.metadata["snippet"]
        assert doc.metadata["thread_id"] == answer.metadata["thread_id"]


async def test_retriever_async_k_and_no_answer() -> None:
    retriever = MaveraResearchRetriever(include_answer=False)
    docs = await retriever.ainvoke(QUESTION, k=1)
    assert len(docs) == 1 and docs[0].metadata == {**docs[0].metadata, "type": "source", "citation": 1}
