"""News RAG: a persona's personalized news feeds a chain, and the persona answers with its analysis.

    python examples/news_rag.py

1. `MaveraNewsRetriever` fetches stories personalized for the persona.
2. `MaveraStoryAnalysisTool` shows how the persona perceives the top story (5-20 credits).
3. A prompt | ChatMavera chain answers a question as the persona, grounded in the stories,
   with Mavera's analysis (confidence, emotion) of the answer.

Without MAVERA_API_KEY it replays cassettes/examples/news_rag.yaml; with one it
calls the live API. The persona is the first name or id in MAVERA_PERSONAS, else the
first persona your key can use.
"""

from __future__ import annotations

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/news_rag.yaml)
from _personas import personas_to_ask
from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from langchain_mavera import ChatMavera, MaveraNewsRetriever, MaveraStoryAnalysisTool, get_analysis

QUESTION = "Which of these stories about refill prices and creators changes what you buy, and why?"

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer as yourself, using only these news stories:\n\n{stories}"),
        ("human", "{question}"),
    ]
)


def _stories(docs: list[Document]) -> str:
    return "\n\n---\n\n".join(doc.page_content for doc in docs)


def main() -> None:
    model = ChatMavera(analysis_mode=True)
    model = model.with_persona(personas_to_ask(model, 1)[0])
    persona_id = model.persona_id
    assert persona_id is not None
    retriever = MaveraNewsRetriever(model=model, personas=[persona_id], k=2)
    docs = retriever.invoke(QUESTION)  # the chain below retrieves the same stories
    perception = MaveraStoryAnalysisTool(model=model, persona_id=persona_id)
    call = {
        "name": perception.name,
        "args": {"story_id": docs[0].metadata["id"]},
        "id": "1",
        "type": "tool_call",
    }
    analysis = perception.invoke(call).artifact  # a typed StoryAnalysis
    chain = {"stories": retriever | _stories, "question": RunnablePassthrough()} | PROMPT | model
    answer = chain.invoke(QUESTION)

    print("Personalized stories:")
    for doc in docs:
        print(f"- {doc.metadata['name']} ({', '.join(doc.metadata['categories'])}; {doc.metadata['id']})")
    print(f"\n{analysis.as_text()}")
    print(f"Analysis credits: {analysis.credits_used}")
    print(f"\nQ: {QUESTION}\n\nA: {answer.content}\n")
    persona_analysis = get_analysis(answer)
    if persona_analysis is not None:
        print(f"Confidence:        {persona_analysis.confidence}/10")
    print(f"Answer credits:    {answer.response_metadata.get('credits_used')}")


if __name__ == "__main__":
    main()
