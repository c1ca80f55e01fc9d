"""MaveraPersonaRetriever over a recorded GET /personas (cassettes/test_persona_retriever/)."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_mavera import ChatMavera, MaveraPersonaRetriever
from langchain_mavera._transport import rest as _rest

pytestmark = pytest.mark.vcr


@pytest.fixture
def list_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every GET the personas module sends, sync or async."""
    calls: list[str] = []
    sync_request, async_request = _rest.request, _rest.arequest

    def request(client: Any, method: str, path: str, **kwargs: Any) -> Any:
        if method == "get":
            calls.append(path)
        return sync_request(client, method, path, **kwargs)

    async def arequest(client: Any, method: str, path: str, **kwargs: Any) -> Any:
        if method == "get":
            calls.append(path)
        return await async_request(client, method, path, **kwargs)

    monkeypatch.setattr(_rest, "request", request)
    monkeypatch.setattr(_rest, "arequest", arequest)
    return calls


def _names(docs: list[Any]) -> list[str]:
    return [doc.metadata["name"] for doc in docs]


def test_routes_queries_and_fetches_the_list_once(list_calls: list[str]) -> None:
    retriever = MaveraPersonaRetriever(model=ChatMavera(), k=2)
    farmer = retriever.invoke("Is a $9 refill pouch worth it for farmers on a tight harvest budget?")
    assert _names(farmer)[0] == "Rural Farmer"
    # A name, exactly or nearly, comes first.
    assert _names(retriever.invoke("gen z consumer"))[0] == "Gen Z Consumer"
    assert _names(retriever.invoke("Gen Z Consumr"))[0] == "Gen Z Consumer"
    cfo = retriever.invoke("hospital margins and compliance")[0]
    assert cfo.metadata["name"] == "Healthcare CFO"
    assert set(cfo.metadata) == {"id", "name", "category", "is_custom", "is_expert"}
    assert cfo.page_content.startswith("Healthcare CFO\n") and "hospital" in cfo.page_content
    assert cfo.id == cfo.metadata["id"]
    # Four queries, one request: the list is cached on the retriever.
    assert list_calls == ["/personas"]
    assert retriever.invoke("zzzz qqqq") == []


async def test_async_uses_the_cached_list(list_calls: list[str]) -> None:
    retriever = MaveraPersonaRetriever(model=ChatMavera(), k=1)
    docs = await retriever.ainvoke("a busy working parent with a mortgage")
    assert _names(docs) == ["Millennial Parent"]
    assert _names(await retriever.ainvoke("SaaS CMO")) == ["SaaS CMO"]
    assert _names(await retriever.ainvoke("clx3mpa7k0003ghijkl345678")) == ["Millennial Parent"]
    assert list_calls == ["/personas"]
