"""A persona name means what the account that asks says it means.

Two accounts can both hold a persona called "Shoppers" (custom personas are
per account), with different ids. A name resolved on one account must never be
reused for another: that would send the other account's persona id, i.e. a
wrong persona's answer or a refused request. These tests give each account its
own catalogue and check the id each request carried.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx2
import pytest

from langchain_mavera import ChatMavera, MaveraPersonaTool, PersonaPanel

BASE = "https://accounts.mavera.example/api/v1"
SHOPPERS = {"key-a": "caaaaaaaaaaaaaaaaaaaaaaaa", "key-b": "cbbbbbbbbbbbbbbbbbbbbbbbb"}
OTHER_HOST_ID = "ccccccccccccccccccccccccc"


class Accounts:
    """One fake Mavera for several keys and hosts, each with its own "Shoppers"."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[tuple[str, str | None]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        key = request.headers["authorization"].split()[-1]
        shoppers = OTHER_HOST_ID if request.url.host != "accounts.mavera.example" else SHOPPERS[key]
        if request.url.path.endswith("/personas"):
            return httpx2.Response(
                200, json={"object": "list", "data": [{"id": shoppers, "name": "Shoppers"}]}
            )
        body = json.loads(request.content)
        with self.lock:
            self.sent.append((key, body.get("persona_id")))
        return httpx2.Response(200, json=_reply())

    async def areply(self, request: httpx2.Request) -> httpx2.Response:
        return self(request)

    @property
    def last_persona(self) -> str | None:
        return self.sent[-1][1]


def _reply() -> dict[str, Any]:
    message = {"role": "assistant", "content": "Noted."}
    return {
        "id": "chatcmpl_1",
        "object": "chat.completion",
        "model": "mavera-1",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "credits_used": 1},
    }


@pytest.fixture
def accounts() -> Accounts:
    return Accounts()


def _model(accounts: Accounts, key: str = "key-a", base_url: str = BASE) -> ChatMavera:
    return ChatMavera(
        api_key=key,
        base_url=base_url,
        http_client=httpx2.Client(transport=httpx2.MockTransport(accounts)),
        http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(accounts.areply)),
    )


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ({"api_key": "key-b"}, SHOPPERS["key-b"]),
        ({"base_url": "https://other.mavera.example/api/v1"}, OTHER_HOST_ID),
    ],
    ids=["other-key", "other-host"],
)
def test_a_copy_for_another_account_resolves_names_on_that_account(
    accounts: Accounts, update: dict[str, str], expected: str
) -> None:
    first = _model(accounts)
    first.with_persona("Shoppers").invoke("Hi?")
    assert accounts.last_persona == SHOPPERS["key-a"]

    first.model_copy(update=update).with_persona("Shoppers").invoke("Hi?")
    assert accounts.last_persona == expected


def test_a_copy_for_the_same_account_reuses_the_resolved_name(accounts: Accounts) -> None:
    first = _model(accounts)
    first.with_persona("Shoppers")
    lookups_before = len(accounts.sent)
    first.model_copy(update={"temperature": 0.2}).with_persona("Shoppers").invoke("Hi?")
    assert accounts.last_persona == SHOPPERS["key-a"]
    assert len(accounts.sent) == lookups_before + 1  # the chat call only


def test_a_panel_copied_onto_another_account_resolves_its_names_again(accounts: Accounts) -> None:
    panel = PersonaPanel(model=_model(accounts), personas=["Shoppers"])
    panel.invoke("Hi?")
    assert accounts.last_persona == SHOPPERS["key-a"]

    panel.model_copy(update={"model": _model(accounts, "key-b")}).invoke("Hi?")
    assert accounts.last_persona == SHOPPERS["key-b"]


async def test_a_panel_copied_onto_another_account_resolves_its_names_again_async(
    accounts: Accounts,
) -> None:
    panel = PersonaPanel(model=_model(accounts), personas=["Shoppers"])
    await panel.ainvoke("Hi?")
    await panel.model_copy(update={"model": _model(accounts, "key-b")}).ainvoke("Hi?")
    assert [persona for _, persona in accounts.sent] == [SHOPPERS["key-a"], SHOPPERS["key-b"]]


def test_a_persona_tool_copied_onto_another_account_resolves_its_names_again(accounts: Accounts) -> None:
    tool = MaveraPersonaTool(model=_model(accounts), personas=["Shoppers"])
    tool.invoke({"question": "Hi?"})
    assert accounts.last_persona == SHOPPERS["key-a"]

    tool.model_copy(update={"model": _model(accounts, "key-b")}).invoke({"question": "Hi?"})
    assert accounts.last_persona == SHOPPERS["key-b"]


def test_one_middleware_serving_two_accounts_resolves_names_per_account(accounts: Accounts) -> None:
    from langchain.agents import create_agent

    from langchain_mavera import MaveraPersonaMiddleware

    middleware = MaveraPersonaMiddleware()
    for key in ("key-a", "key-b"):
        agent = create_agent(_model(accounts, key), tools=[], middleware=[middleware])
        agent.invoke({"messages": [("user", "Hi?")]}, context={"persona": "Shoppers"})
        assert accounts.sent[-1] == (key, SHOPPERS[key])


def test_a_persona_retriever_copied_onto_another_account_lists_that_accounts_personas(
    accounts: Accounts,
) -> None:
    from langchain_mavera import MaveraPersonaRetriever

    retriever = MaveraPersonaRetriever(model=_model(accounts))
    assert retriever.invoke("Shoppers")[0].metadata["id"] == SHOPPERS["key-a"]

    other = retriever.model_copy(update={"model": _model(accounts, "key-b")})
    assert other.invoke("Shoppers")[0].metadata["id"] == SHOPPERS["key-b"]


def test_a_retriever_copied_with_other_filters_lists_with_those_filters() -> None:
    from langchain_mavera import MaveraPersonaRetriever

    def personas(request: httpx2.Request) -> httpx2.Response:
        data = [
            {
                "id": "clx1abc2d0001abcdef123456",
                "object": "persona",
                "name": "Rural Farmer",
                "category": "B2C",
            },
            {"id": "clx2xyz9e0002abcdef789012", "object": "persona", "name": "Farm Buyer", "category": "B2B"},
        ]
        wanted = request.url.params.get("category")
        kept = [persona for persona in data if wanted in (None, persona["category"])]
        return httpx2.Response(200, json={"object": "list", "data": kept, "has_more": False})

    from tests.fake_mavera import FakeMavera

    retriever = MaveraPersonaRetriever(model=FakeMavera(personas, catalogue=None).model(), k=5)
    assert {doc.metadata["name"] for doc in retriever.invoke("farm")} == {"Rural Farmer", "Farm Buyer"}
    b2b = retriever.model_copy(update={"category": "B2B"})
    assert [doc.metadata["name"] for doc in b2b.invoke("farm")] == ["Farm Buyer"]
