"""The persona examples run offline from their cassettes, as a fresh clone would run them."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import pytest

from cassettes.vcr_settings import ROOT

Run = Callable[[str], str]


def _offline(run_example: Run, name: str) -> str:
    output = run_example(name)
    first, *rest = output.splitlines()
    assert f"cassettes/examples/{name}.yaml, recorded from the local emulator" in first
    assert "README" in first
    assert not any("replaying" in line for line in rest)  # says so in ONE line
    return output


def test_streaming_prints_tokens_then_the_analysis(run_example: Run) -> None:
    out = _offline(run_example, "streaming")
    answer = out.split("A: ", 1)[1].split("\n\n", 1)[0]
    assert len(answer.split()) > 20  # the tokens, printed by the callback handler
    assert out.index("A: ") < out.index("Confidence:")
    assert "/10" in out
    assert "Credits used:" in out


def test_chain_answers_with_a_per_call_persona(run_example: Run) -> None:
    # Without MAVERA_PERSONAS the example asks the first two personas listed (the emulator's).
    lines = _offline(run_example, "chain").splitlines()
    genz = next(line for line in lines if line.startswith("[Gen Z Consumer] "))
    cmo = next(line for line in lines if line.startswith("[SaaS CMO] "))
    # Each answer comes from the persona the config named, about the tagline the chain filled in.
    assert genz.startswith("[Gen Z Consumer] As Gen Z Consumer (Generational), ")
    assert cmo.startswith("[SaaS CMO] As SaaS CMO (IndustrySpecific), ")
    assert "Refill don't landfill" in genz and "Refill don't landfill" in cmo


def test_rag_routes_each_question_and_keeps_the_analysis(run_example: Run) -> None:
    out = _offline(run_example, "rag")
    # The persona retriever routed each question to the persona it is about.
    assert "[Rural Farmer] (sources: sustainability.md, durability.md)" in out
    assert "[Small Business Owner] (sources: business.md, brand.md)" in out
    # with_analysis() kept the analysis, credits and persona to the end of the chain.
    tails = [line for line in out.splitlines() if line.startswith("(confidence ")]
    assert len(tails) == 2
    assert all(
        re.fullmatch(r"\(confidence \d+/10, [1-9]\d* credits, persona c[a-z0-9]{20,}\)", t) for t in tails
    )


def test_panel_prints_one_table_row_per_persona(run_example: Run) -> None:
    lines = _offline(run_example, "panel").splitlines()
    assert "| Persona | Answer | Confidence | Valence | Biases | Credits |" in lines
    for persona in ("Gen Z Consumer", "SaaS CMO", "Millennial Parent", "Retired Baby Boomer"):
        assert sum(line.startswith(f"| {persona} |") for line in lines) == 1, persona
    assert any(line.startswith("**Panel:** 4 answered, 0 failed") for line in lines)


@pytest.fixture
def rag_module() -> object:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import rag
    finally:
        sys.path.remove(str(ROOT / "examples"))
    return rag


def test_rag_retriever_ranks_by_bm25(rag_module: object) -> None:
    retriever = rag_module.BM25Retriever(documents=rag_module.load_corpus(), k=1)  # type: ignore[attr-defined]
    assert [d.metadata["source"] for d in retriever.invoke("monthly invoices and payment terms")] == [
        "business.md"
    ]
    assert [d.metadata["source"] for d in retriever.invoke("how much plastic does a pouch save")] == [
        "sustainability.md"
    ]
    assert retriever.invoke("zebra xylophone") == []
