"""Audience-aware RAG: route each question to a persona, answer from a small corpus in its voice.

    python examples/rag.py

Two retrievers: `MaveraPersonaRetriever` picks the persona a question is about
from the personas your key can use (the first one if none matches), and Okapi
BM25 over the Markdown files in examples/data/ (written out below in a few
lines) finds the sources. The chain ends in `model.with_analysis()`, so the
answer keeps its analysis, credits and persona. Without MAVERA_API_KEY it
replays a recorded cassette; with one it calls the live API.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/rag.yaml)
from _personas import personas_to_ask
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnablePassthrough

from langchain_mavera import ChatMavera, MaveraPersonaRetriever

DATA = Path(__file__).resolve().parent / "data"
QUESTIONS = [
    "Is Fernleaf's refill pouch worth it for a farmer like me?",
    "Does Fernleaf make sense for a small business owner watching cash flow?",
]


def _stem(word: str) -> str:
    """Plural endings only (Porter's step 1a), so "farmers" finds "farmer"."""
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    return [_stem(word) for word in re.findall(r"[a-z0-9]+", text.lower())]


class BM25Retriever(BaseRetriever):
    """Okapi BM25 ranking (k1=1.5, b=0.75) over an in-memory list of documents."""

    documents: list[Document]
    k: int = 2

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        bags = [Counter(_tokens(doc.page_content)) for doc in self.documents]
        average = sum(sum(bag.values()) for bag in bags) / len(bags)
        scores = [self._score(_tokens(query), bag, bags, average) for bag in bags]
        ranked = sorted(zip(scores, self.documents, strict=True), key=lambda pair: -pair[0])
        return [doc for score, doc in ranked[: self.k] if score > 0]

    @staticmethod
    def _score(query: list[str], bag: Counter[str], bags: list[Counter[str]], average: float) -> float:
        length = sum(bag.values())
        score = 0.0
        for term in set(query):
            having = sum(1 for other in bags if term in other)
            idf = math.log(1 + (len(bags) - having + 0.5) / (having + 0.5))
            tf = bag[term]
            score += idf * tf * 2.5 / (tf + 1.5 * (0.25 + 0.75 * length / average))
        return score


def load_corpus() -> list[Document]:
    return [
        Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": path.name})
        for path in sorted(DATA.glob("*.md"))
    ]


PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "Answer only from these Fernleaf documents, as yourself, in three sentences or fewer."
            "\n\n{context}",
        ),
        ("human", "{question}"),
    ]
)


def _format(docs: list[Document]) -> str:
    return "\n\n".join(f"[{doc.metadata['source']}]\n{doc.page_content}" for doc in docs)


def main() -> None:
    retriever = BM25Retriever(documents=load_corpus(), k=2)
    model = ChatMavera(max_tokens=250, analysis_mode=True)
    audiences = MaveraPersonaRetriever(model=model, k=1)
    for question in QUESTIONS:
        # No persona matches the question: ask the first of MAVERA_PERSONAS (or of your list).
        audience = (audiences.invoke(question) or audiences.invoke(personas_to_ask(model, 1)[0]))[0]
        name, about = audience.metadata["name"], audience.page_content
        # The audience shapes the search too: its description pulls in what it cares about.
        docs = retriever.invoke(f"{question} {about}")
        chain = (
            {"context": lambda _, docs=docs: _format(docs), "question": RunnablePassthrough()}
            | PROMPT
            | model.with_persona(audience.metadata["id"]).with_analysis()
        )
        result = chain.invoke(question)
        sources = ", ".join(doc.metadata["source"] for doc in docs)
        analysis = result["analysis"]
        confidence = analysis.confidence if analysis else None
        print(f"\nQ: {question}\n[{name}] (sources: {sources})\n{result['text']}")
        credits, persona_id = result["credits_used"], result["persona_id"]
        print(f"(confidence {confidence}/10, {credits} credits, persona {persona_id})")


if __name__ == "__main__":
    main()
