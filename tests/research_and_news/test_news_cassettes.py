"""Personalized news, story details, persona analysis and story chat, on cassettes.

Replayed offline by default; `python scripts/record_cassettes.py -k test_news_cassettes`
re-records them from the emulator.
"""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig

from langchain_mavera import (
    ChatMavera,
    MaveraNews,
    MaveraNewsRetriever,
    MaveraNotFoundError,
    MaveraPersonaNotFoundError,
    MaveraStoryAnalysisTool,
    MaveraStoryChatTool,
    StoryAnalysis,
    StoryChatReply,
)

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
OWNER = "clx5sbo8n0005stuvwx567890"
REFILL_STORY = "st_68e1bd"


def test_retriever_personalized_stories_as_documents() -> None:
    docs = MaveraNewsRetriever(personas=[GEN_Z, OWNER], k=3).invoke("refill prices")
    assert len(docs) == 3
    top = docs[0]
    assert top.metadata["id"] == REFILL_STORY  # ranked first: it shares the query's words
    assert top.page_content.startswith(f"{top.metadata['name']}\n\n")
    assert "\n\nKey points:\n- " in top.page_content
    assert {"id", "name", "categories", "topics", "sentiment", "created_at", "updated_at"} <= set(
        top.metadata
    )
    assert set(top.metadata["sentiment"]) == {"positive", "negative", "neutral"}
    assert all(isinstance(doc.metadata["categories"], list) for doc in docs)


def test_retriever_blank_query_keeps_server_order_and_details_on_demand() -> None:
    retriever = MaveraNewsRetriever(personas=GEN_Z, size=5, k=None)
    docs = retriever.invoke("")
    stories = MaveraNews(model=ChatMavera()).personalized([GEN_Z], size=5)
    assert [doc.metadata["id"] for doc in docs] == [story.id for story in stories]
    details = retriever.details(docs[0].metadata["id"], include_history=False)
    assert details.id == docs[0].metadata["id"]
    assert details.key_points and details.key_points[0].references
    assert details.selected_articles and details.history == []
    assert retriever.details(docs[0].metadata["id"]).history


async def test_retriever_async_with_k_kwarg() -> None:
    docs = await MaveraNewsRetriever(personas=[OWNER]).ainvoke("interest rates", k=1)
    assert len(docs) == 1 and "rate" in docs[0].page_content.lower()


def test_unknown_persona_is_typed() -> None:
    with pytest.raises(MaveraPersonaNotFoundError) as caught:
        MaveraNewsRetriever(personas=["clx_not_a_persona_000000000"]).invoke("news")
    assert caught.value.code == "invalid_persona"


def test_analysis_tool_returns_typed_analysis_with_credits() -> None:
    tool = MaveraStoryAnalysisTool(persona_id=GEN_Z)
    message = tool.invoke(
        {"name": tool.name, "args": {"story_id": REFILL_STORY}, "id": "1", "type": "tool_call"}
    )
    assert isinstance(message, ToolMessage)
    analysis = message.artifact
    assert isinstance(analysis, StoryAnalysis)
    assert analysis.persona["id"] == GEN_Z and analysis.story_id == REFILL_STORY
    assert analysis.analysis.quick_view and analysis.analysis.risk_and_opportunity
    assert analysis.analysis.confidence is not None
    assert analysis.credits_used is not None and 5 <= analysis.credits_used <= 20
    assert str(message.content).startswith(
        "How Gen Z Consumer perceives 'Supermarkets roll out refill stations':"
    )
    assert f"Quick view: {analysis.analysis.quick_view}" in str(message.content)


async def test_analysis_async_per_call_persona_and_unknown_story() -> None:
    tool = MaveraStoryAnalysisTool()
    text = await tool.ainvoke({"story_id": REFILL_STORY, "persona_id": OWNER})
    assert "Small Business Owner" in text
    with pytest.raises(MaveraNotFoundError):
        await MaveraNews(model=ChatMavera(max_retries=0)).aanalyze("st_missing", GEN_Z)


def test_story_chat_tool_remembers_the_conversation() -> None:
    tool = MaveraStoryChatTool()
    config: RunnableConfig = {"configurable": {"thread_id": "user-a"}}
    first = tool.invoke({"story_id": REFILL_STORY, "message": "What changes for shoppers?"}, config)
    second = tool.invoke(
        {
            "name": tool.name,
            "args": {"story_id": REFILL_STORY, "message": "And for stores?"},
            "id": "2",
            "type": "tool_call",
        },
        config,
    )
    assert "(turn 1)" in first and "(turn 2)" in str(second.content)
    reply = second.artifact
    assert isinstance(reply, StoryChatReply) and reply.credits_used is not None
    assert [turn["role"] for turn in tool.history(REFILL_STORY, "user-a")] == ["user", "assistant"] * 2
    assert tool.history(REFILL_STORY, "user-b") == []


async def test_news_chat_accepts_messages_as_history() -> None:
    news = MaveraNews(model=ChatMavera())
    reply = await news.achat(
        REFILL_STORY,
        "Anything else?",
        history=[HumanMessage("What changes?"), AIMessage("Refill stations.")],
    )
    assert "(turn 2)" in reply.content
