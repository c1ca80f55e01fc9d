"""Bad input to research and news fails before any request; stream events are read liberally."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from langchain_core.tools import ToolException
from pydantic import ValidationError

from langchain_mavera import (
    ChatMavera,
    MaveraNews,
    MaveraNewsRetriever,
    MaveraResearchRetriever,
    MaveraResearchTool,
    MaveraStoryAnalysisTool,
    MaveraStoryChatTool,
)
from langchain_mavera.errors import MaveraStreamInterruptedError
from langchain_mavera.news import MAX_HISTORY, chat_body
from langchain_mavera.research import DEFAULT_TIMEOUT, _StreamState

# No server listens here: had a request been sent, it would fail as a connection error, not ValueError.
SETTINGS = {"api_key": "mvra_test_unit_no_network_000000000", "base_url": "http://127.0.0.1:9/api/v1"}
MODEL = ChatMavera(**SETTINGS)
RESPONSE = httpx2.Response(200, request=httpx2.Request("POST", "http://127.0.0.1:9/api/v1/mave/chat"))


@pytest.mark.parametrize("query", ["", "   ", None, 5])
def test_research_needs_a_question(query: Any) -> None:
    # Inside a tool the error is the model's to fix: a ToolException, returned as the tool's output.
    with pytest.raises(ToolException, match="query must be a non-blank string"):
        MaveraResearchTool(**SETTINGS)._run(query, config={})
    with pytest.raises(ValueError, match="query must be a non-blank string"):
        MaveraResearchRetriever(**SETTINGS).invoke(query)


def test_research_refuses_blank_thread_and_bad_k() -> None:
    output = MaveraResearchTool(thread_id=" ", **SETTINGS).invoke({"query": "Why?"})
    assert "thread_id must be a non-blank string" in output
    with pytest.raises(ValueError, match="k must be a positive integer"):
        MaveraResearchRetriever(**SETTINGS).invoke("Why?", k=0)


def test_research_defaults_fit_slow_answers() -> None:
    assert DEFAULT_TIMEOUT >= 120
    assert MaveraResearchTool(**SETTINGS).timeout == DEFAULT_TIMEOUT


def test_connection_settings_or_a_model_not_both() -> None:
    assert MaveraResearchTool(model=MODEL).model is MODEL
    with pytest.raises(TypeError, match="not both"):
        MaveraResearchTool(model=MODEL, api_key="mvra_test_unit_no_network_000000000")
    with pytest.raises(TypeError, match="not both"):
        MaveraNews(model=MODEL, api_key="mvra_test_unit_no_network_000000000")


def test_tools_never_serialize_the_key() -> None:
    tool = MaveraResearchTool(**SETTINGS)
    assert "mvra_test_unit" not in repr(tool) and "mvra_test_unit" not in json.dumps(
        tool.model_dump(), default=str
    )


@pytest.mark.parametrize(
    ("personas", "size", "match"),
    [
        ([], 15, "personas must be one persona id"),
        (["a,b"], 15, "personas must be one persona id"),
        ([""], 15, "personas must be one persona id"),
        (["clx1"], 0, "size must be an integer from 1 to 50"),
        (["clx1"], 51, "size must be an integer from 1 to 50"),
    ],
)
def test_personalized_news_validates_first(personas: Any, size: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        MaveraNews(model=MODEL).personalized(personas, size=size)


def test_news_retriever_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="personas"):
        MaveraNewsRetriever(personas=[], **SETTINGS)
    with pytest.raises(ValueError, match="size"):
        MaveraNewsRetriever(personas=["clx1"], size=51, **SETTINGS)
    assert MaveraNewsRetriever(personas="clx1", **SETTINGS).personas == ["clx1"]


def test_story_chat_limits_are_enforced_before_any_request() -> None:
    news = MaveraNews(model=MODEL)
    with pytest.raises(ValueError, match="at most 2000 characters, got 2001"):
        news.chat("st_1", "x" * 2001)
    too_long = [("user", "q"), ("assistant", "a")] * 10 + [("user", "q")]
    with pytest.raises(ValueError, match=f"at most {MAX_HISTORY} items, got 21"):
        news.chat("st_1", "Why?", history=too_long)
    with pytest.raises(ValueError, match="conversation_history items must be"):
        news.chat("st_1", "Why?", history=[{"role": "system", "content": "x"}])
    with pytest.raises(ValueError, match="story_id must be a non-blank string"):
        news.chat("", "Why?")


def test_story_chat_body_is_strict() -> None:
    body = chat_body("Why?", [("human", "q"), {"role": "ai", "content": "a"}])
    assert body == {
        "message": "Why?",
        "conversation_history": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
    }
    assert chat_body("Why?", []) == {"message": "Why?"}


def test_story_chat_tool_sends_at_most_twenty_remembered_items() -> None:
    tool = MaveraStoryChatTool(**SETTINGS)
    tool._conversations.update(
        ("c1", "st_1"), lambda _: [{"role": "user", "content": str(i)} for i in range(30)]
    )
    assert len(tool._sent_history("st_1", "c1")) == MAX_HISTORY
    assert tool._sent_history("st_1", "c1")[0]["content"] == "10"
    assert tool._sent_history("st_1", None) == []  # no conversation, no history
    assert MaveraStoryChatTool(remember=False, **SETTINGS)._sent_history("st_1", "c1") == []


def test_analysis_needs_a_persona() -> None:
    with pytest.raises(ValidationError, match="persona_id"):
        MaveraStoryAnalysisTool(**SETTINGS).invoke({"story_id": "st_1"})
    with pytest.raises(ToolException, match="persona_id is required"):
        MaveraStoryAnalysisTool(**SETTINGS)._run("st_1")


def test_stream_events_read_with_either_framing() -> None:
    seen: list[tuple[str, Any]] = []
    state = _StreamState(lambda name, data: seen.append((name, data)))
    state.feed("content", json.dumps({"content": "Hello "}), RESPONSE)  # event: line, no type key
    state.feed(None, json.dumps({"type": "content", "delta": "world [1]"}), RESPONSE)  # type key only
    state.feed(None, json.dumps({"type": "phase", "phase": "RESEARCH"}), RESPONSE)  # unknown: ignored
    state.feed("sources", json.dumps({"sources": [{"title": "T", "url": "https://e.com"}]}), RESPONSE)
    state.feed("validation", json.dumps({"confidence_score": 0.9, "hallucination_risk": "low"}), RESPONSE)
    state.feed("done", json.dumps({"thread_id": "t1", "usage": {"credits_used": 12}}), RESPONSE)
    state.feed(None, "[DONE]", RESPONSE)
    result = state.result(RESPONSE)
    assert result.content == "Hello world [1]"
    assert result.thread_id == "t1" and result.credits_used == 12
    assert result.sources[0].url == "https://e.com"
    assert result.validation is not None and result.validation.hallucination_risk == "low"
    assert [name for name, _ in seen] == [
        "mavera_research_content",
        "mavera_research_content",
        "mavera_research_sources",
        "mavera_research_validation",
        "mavera_research_done",
    ]


def test_stream_without_done_is_interrupted_with_partial() -> None:
    state = _StreamState(None)
    state.feed("content", json.dumps({"content": "Half an answer"}), RESPONSE)
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        state.result(RESPONSE)
    assert caught.value.partial is not None and caught.value.partial.content == "Half an answer"
