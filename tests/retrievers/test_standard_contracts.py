"""Contracts LangChain users rely on: `k` per call on every retriever, and `with_analysis()` on any model."""

from __future__ import annotations

from langchain_mavera import MaveraPersonaRetriever
from tests.fake_mavera import FakeMavera

CATALOGUE = {"Gen Z Consumer": "clx_a", "Gen Z Gamer": "clx_b", "Gen X Consumer": "clx_c"}


def test_persona_retriever_honours_k_at_invoke() -> None:
    retriever = MaveraPersonaRetriever(model=FakeMavera(catalogue=CATALOGUE).model(), k=3)
    assert len(retriever.invoke("gen z consumer")) == 3
    assert len(retriever.invoke("gen z consumer", k=1)) == 1
    two = retriever.invoke("gen z consumer", k=2)
    assert len(two) == 2 and two[0].metadata["id"] == "clx_a"


async def test_persona_retriever_honours_k_at_ainvoke() -> None:
    retriever = MaveraPersonaRetriever(model=FakeMavera(catalogue=CATALOGUE).model(), k=3)
    assert len(await retriever.ainvoke("gen z consumer", k=1)) == 1


def test_with_analysis_asks_for_the_analysis_on_a_model_built_without_it() -> None:
    fake = FakeMavera()
    model = fake.model(persona_id="clx_a")
    assert model.analysis_mode is False
    model.with_analysis().invoke("Would you pay $25?")
    model.invoke("Would you pay $25?")  # the model itself is unchanged
    first, second = fake.bodies()
    assert first.get("analysis_mode") is True
    assert "analysis_mode" not in second
