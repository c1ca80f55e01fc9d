"""Analysis, credits and persona survive to the end of a RAG chain (cassettes/test_analysis_chain/)."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from langchain_mavera import AnalysisOutputParser, ChatMavera, MaveraAnalysis

pytestmark = pytest.mark.vcr

PERSONA = "clx1abc2d0001abcdef123456"
DOCS = [
    Document("Fernleaf refill pouches cost $9 and refill a bottle three times.", metadata={"source": "a"}),
    Document("Fernleaf bottles are aluminium and ship carbon-neutral.", metadata={"source": "b"}),
]
PROMPT = ChatPromptTemplate.from_messages(
    [("system", "Answer only from these documents:\n\n{context}"), ("human", "{question}")]
)
QUESTION = "Is the Fernleaf refill pouch worth it for someone like me?"


def _retrieve(question: str) -> str:
    return "\n".join(doc.page_content for doc in DOCS)


def _chain(tail: Runnable[Any, Any] | None) -> Runnable[Any, Any]:
    model = ChatMavera(persona_id=PERSONA, analysis_mode=True, max_tokens=120)
    end = model.with_analysis() if tail is None else model | tail
    return {"context": RunnableLambda(_retrieve), "question": RunnablePassthrough()} | PROMPT | end


def _check(result: dict[str, object]) -> None:
    assert set(result) == {"text", "analysis", "credits_used", "persona_id"}
    assert isinstance(result["text"], str) and result["text"]
    assert isinstance(result["analysis"], MaveraAnalysis) and result["analysis"].confidence is not None
    assert isinstance(result["credits_used"], int) and result["credits_used"] > 0
    assert result["persona_id"] == PERSONA


def test_invoke_keeps_analysis_credits_and_persona() -> None:
    result = _chain(None).invoke(QUESTION)
    _check(result)
    # The same chain ending in StrOutputParser gets the same text, and nothing else.
    assert _chain(StrOutputParser()).invoke(QUESTION) == result["text"]


def test_stream_text_arrives_first_and_the_last_item_carries_the_analysis() -> None:
    items = list(_chain(AnalysisOutputParser()).stream(QUESTION))
    assert len(items) > 2
    assert all(set(item) == {"text"} and item["text"] for item in items[:-1])
    _check(items[-1] | {"text": "x"})
    assert reduce(operator.add, items) == _chain(None).invoke(QUESTION)


async def test_astream_adds_up_to_ainvoke() -> None:
    items = [item async for item in _chain(None).astream(QUESTION)]
    assert set(items[-1]) == {"text", "analysis", "credits_used", "persona_id"}
    total = reduce(operator.add, items)
    _check(total)
    assert total == await _chain(None).ainvoke(QUESTION)
