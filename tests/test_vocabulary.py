"""One word per meaning (issue 24 item 3): every spelling renamed before the first release is refused
with a message naming the new one, before any request, and nothing is aliased.

The keyword refusals matter most for tools and retrievers: `BaseTool` and `BaseRetriever` drop a
keyword they do not know, so an unrefused `mavera=` would send the requests on `MAVERA_API_KEY`.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import Any

import pytest

import langchain_mavera
from langchain_mavera import (
    ChatMavera,
    MaveraNews,
    MaveraNewsRetriever,
    MaveraPersonaRetriever,
    MaveraPersonas,
    MaveraResearchRetriever,
    MaveraResearchTool,
    MaveraStoryAnalysisTool,
    MaveraStoryChatTool,
    afetch_usage,
    arequire_credits,
    fetch_usage,
    get_mavera_callback,
    require_credits,
)

# Port 9 (discard) on loopback: were a refusal missing, the request would fail, not reach anyone.
MODEL = ChatMavera(api_key="mvra_test_unit_vocabulary", base_url="http://127.0.0.1:9/api/v1", max_retries=0)
IDS = ["clx1abc2d0001abcdef123456"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("PersonaTool", "MaveraPersonaTool"),
        ("PersonaPanelTool", "MaveraPanelTool"),
        ("Persona", "MaveraPersona"),
        ("Analysis", "MaveraAnalysis"),
    ],
)
def test_an_old_class_name_is_refused_naming_the_new_one(old: str, new: str) -> None:
    with pytest.raises(ImportError, match=rf"\b{new}\b"):
        exec(f"from langchain_mavera import {old}", {})
    assert old not in langchain_mavera.__all__
    assert new in langchain_mavera.__all__
    assert importlib.import_module("langchain_mavera").__getattr__(new).__name__ == new


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


OLD_KEYWORDS: dict[str, tuple[Callable[[], object], str]] = {
    "MaveraResearchTool(mavera=)": (lambda: MaveraResearchTool(mavera=MODEL), "model="),
    "MaveraResearchRetriever(mavera=)": (lambda: MaveraResearchRetriever(mavera=MODEL), "model="),
    "MaveraNewsRetriever(mavera=)": (lambda: MaveraNewsRetriever(mavera=MODEL, personas=IDS), "model="),
    "MaveraNewsRetriever(persona_ids=)": (
        lambda: MaveraNewsRetriever(model=MODEL, persona_ids=IDS),  # type: ignore[call-arg]
        "personas=",
    ),
    "MaveraStoryAnalysisTool(mavera=)": (lambda: MaveraStoryAnalysisTool(mavera=MODEL), "model="),
    "MaveraStoryAnalysisTool(persona_ids=)": (lambda: MaveraStoryAnalysisTool(persona_ids=IDS), "personas="),
    "MaveraStoryChatTool(mavera=)": (lambda: MaveraStoryChatTool(mavera=MODEL), "model="),
    "MaveraPersonaRetriever(mavera=)": (lambda: MaveraPersonaRetriever(mavera=MODEL), "model="),
    "get_mavera_callback(source=)": (
        lambda: get_mavera_callback(budget="remaining", source=MODEL),
        "model=",
    ),
    "MaveraPersonas(source=)": (lambda: MaveraPersonas(source=MODEL), "model="),
    "MaveraPersonas(model) positional": (lambda: MaveraPersonas(MODEL), "model="),
    "MaveraNews(source=)": (lambda: MaveraNews(source=MODEL), "model="),
    "MaveraNews(model) positional": (lambda: MaveraNews(MODEL), "model="),
    "MaveraNews.personalized(persona_ids=)": (
        lambda: MaveraNews(model=MODEL).personalized(persona_ids=IDS),
        "personas=",
    ),
    "MaveraNews.apersonalized(persona_ids=)": (
        lambda: _run(MaveraNews(model=MODEL).apersonalized(persona_ids=IDS)),
        "personas=",
    ),
    "fetch_usage(model) positional": (lambda: fetch_usage(MODEL), "model="),
    "fetch_usage(source=)": (lambda: fetch_usage(source=MODEL), "model="),
    "afetch_usage(model) positional": (lambda: _run(afetch_usage(MODEL)), "model="),
    "require_credits(n, model) positional": (lambda: require_credits(1, MODEL), "model="),
    "require_credits(n, source=)": (lambda: require_credits(1, source=MODEL), "model="),
    "arequire_credits(n, model) positional": (lambda: _run(arequire_credits(1, MODEL)), "model="),
}


@pytest.mark.parametrize("spelling", sorted(OLD_KEYWORDS))
def test_an_old_keyword_is_refused_naming_the_new_one(spelling: str) -> None:
    build, new = OLD_KEYWORDS[spelling]
    with pytest.raises(TypeError, match=new):
        build()


def test_the_new_spellings_share_the_given_model() -> None:
    assert MaveraResearchTool(model=MODEL).model is MODEL
    assert MaveraStoryChatTool(model=MODEL).model is MODEL
    retriever = MaveraNewsRetriever(model=MODEL, personas=IDS)
    assert (retriever.model, retriever.personas) == (MODEL, IDS)
    assert MaveraStoryAnalysisTool(personas=IDS).personas == IDS


@pytest.mark.parametrize(
    "build",
    [
        lambda: MaveraResearchTool(model=MODEL, api_key="mvra_other"),
        lambda: MaveraPersonas(model=MODEL, api_key="mvra_other"),
        lambda: MaveraNews(model=MODEL, api_key="mvra_other"),
        lambda: fetch_usage(model=MODEL, api_key="mvra_other"),
    ],
    ids=["tool", "personas", "news", "fetch_usage"],
)
def test_a_model_and_connection_settings_are_refused_together(build: Callable[[], object]) -> None:
    with pytest.raises(TypeError, match=r"either model=ChatMavera\(\.\.\.\).*api_key.*not both"):
        build()


@pytest.mark.parametrize(
    "build",
    [
        lambda: ChatMavera(api_key="mvra_test_unit_vocabulary", model_kwargs={"seed": 1}),
        lambda: MODEL.invoke("hi", model_kwargs={"seed": 1}),
    ],
    ids=["constructor", "call"],
)
def test_the_model_kwargs_refusal_does_not_suggest_wrapping_model_kwargs(build: Callable[[], object]) -> None:
    with pytest.raises((TypeError, ValueError)) as caught:
        build()
    message = str(caught.value)
    assert "extra_body" in message and "temperature=" in message
    assert "'model_kwargs': ..." not in message
