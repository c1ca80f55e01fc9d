"""Billed calls beyond chat (research, story analysis, story chat, persona creation): a 2xx reply
whose body fails is never POSTed again, as for chat. It may have been generated and billed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from langchain_mavera import ChatMavera, MaveraError, MaveraNews
from langchain_mavera.research import aresearch, research
from tests.loopback import head, run_loopback

pytestmark = pytest.mark.loopback

_BODY = b'{"id": "x", "object": "thing", "mave_message": "a long researched answer", "credits_used": 5}'


def _cut_body(_: dict[str, Any]) -> list[Any]:
    return [head(content_type="application/json", content_length=str(len(_BODY))), _BODY[:30]]


def _stalled_body(_: dict[str, Any]) -> list[Any]:
    return [head(content_type="application/json", content_length=str(len(_BODY))), _BODY[:30], 30.0]


def _bad_gzip_body(_: dict[str, Any]) -> list[Any]:
    return [head(content_type="application/json", content_encoding="gzip"), _BODY]


def _model(base_url: str) -> ChatMavera:
    return ChatMavera(
        api_key="mvra_live_BILLED_secret_0123456789", base_url=base_url, max_retries=2, timeout=1
    )


_CALLS: dict[str, Callable[[ChatMavera], Any]] = {
    "research": lambda model: research(model, {"message": "q"}, timeout=1),
    "story analysis": lambda model: MaveraNews(model=model).analyze("st_1", "clx1abc2d0001abcdef123456"),
    "story chat": lambda model: MaveraNews(model=model).chat("st_1", "What changes?"),
    "persona creation": lambda model: model.personas.create(name="Enterprise CMO", type="B2B", timeout=1),
}

_ACALLS: dict[str, Callable[[ChatMavera], Awaitable[Any]]] = {
    "research": lambda model: aresearch(model, {"message": "q"}, timeout=1),
    "story analysis": lambda model: MaveraNews(model=model).aanalyze("st_1", "clx1abc2d0001abcdef123456"),
    "story chat": lambda model: MaveraNews(model=model).achat("st_1", "What changes?"),
    "persona creation": lambda model: model.personas.acreate(name="Enterprise CMO", type="B2B", timeout=1),
}

_SCRIPTS = {"cut": _cut_body, "stalled": _stalled_body, "undecodable-gzip": _bad_gzip_body}


@pytest.mark.parametrize("script", _SCRIPTS.values(), ids=_SCRIPTS.keys())
@pytest.mark.parametrize("call", _CALLS.values(), ids=_CALLS.keys())
def test_a_failed_2xx_body_of_a_billed_call_is_posted_exactly_once(script: Any, call: Any) -> None:
    with run_loopback(script) as server, pytest.raises(MaveraError):
        call(_model(server.base_url))
    assert server.posts == 1


@pytest.mark.parametrize("script", _SCRIPTS.values(), ids=_SCRIPTS.keys())
@pytest.mark.parametrize("call", _ACALLS.values(), ids=_ACALLS.keys())
async def test_a_failed_2xx_body_of_a_billed_call_is_posted_exactly_once_async(
    script: Any, call: Any
) -> None:
    with run_loopback(script) as server, pytest.raises(MaveraError):
        await call(_model(server.base_url))
    assert server.posts == 1
