"""MaveraPersonas, ChatMavera.personas and with_persona against an in-process mock API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from langchain_mavera import (
    ChatMavera,
    MaveraAPIError,
    MaveraAuthenticationError,
    MaveraPersona,
    MaveraPersonaLookupError,
    MaveraPersonas,
)
from langchain_mavera._persona_resolver import looks_like_persona_id
from langchain_mavera.personas import match_name
from tests.fake_mavera import FakeMavera

KEY = "mvra_live_unit_test_key_not_real_0000"


def _persona(index: int, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"clxunit{index:018d}",
        "object": "persona",
        "name": name,
        "category": "Generational",
        "description": f"{name} description",
        "is_custom": False,
        "is_expert": False,
        "created_at": 1706140800 + index,
        **extra,
    }


CATALOGUE = [
    _persona(1, "Gen Z Consumer"),
    _persona(2, "Gen Z Gamer"),
    _persona(3, "SaaS CMO", is_custom=True, future_field={"kept": True}),
    _persona(4, "Twin"),
    _persona(5, "twin"),
]


class PersonaAPI:
    """Pages CATALOGUE two at a time with opaque cursors; `GET /personas/{id}` is optional."""

    def __init__(
        self,
        *,
        has_get: bool = True,
        repeat_cursor: bool = False,
        status: int = 200,
        not_found: dict[str, Any] | None = None,
    ) -> None:
        self.requests: list[httpx2.Request] = []
        self.has_get = has_get
        self.repeat_cursor = repeat_cursor
        self.status = status
        plain_404 = {"message": "Not found.", "type": "not_found", "code": "resource_not_found"}
        self.not_found = not_found or plain_404

    def queries(self) -> list[dict[str, str]]:
        return [
            dict(request.url.params) for request in self.requests if request.url.path.endswith("/personas")
        ]

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if self.status != 200:
            error = {"message": "Invalid API key.", "type": "authentication_error", "code": "invalid_api_key"}
            return httpx2.Response(self.status, json={"error": error})
        path = request.url.path
        if not path.endswith("/personas"):
            persona_id = path.rsplit("/", 1)[-1]
            found = [p for p in CATALOGUE if p["id"] == persona_id]
            if not self.has_get or not found:
                return httpx2.Response(404, json={"error": self.not_found})
            return httpx2.Response(200, json=found[0])
        start = int(request.url.params.get("cursor", "0").removeprefix("page"))
        end = start + 2
        more = end < len(CATALOGUE)
        cursor = "page2" if self.repeat_cursor else f"page{end}"
        return httpx2.Response(
            200,
            json={
                "object": "list",
                "data": CATALOGUE[start:end],
                "has_more": more,
                "next_cursor": cursor if more else None,
            },
        )


def _model(api: Callable[[httpx2.Request], httpx2.Response]) -> ChatMavera:
    return FakeMavera(api).model(api_key=KEY, max_retries=0)


def test_list_follows_every_cursor_and_types_the_personas() -> None:
    api = PersonaAPI()
    personas = _model(api).personas.list()
    assert [p.name for p in personas] == [p["name"] for p in CATALOGUE]
    assert api.queries() == [{}, {"cursor": "page2"}, {"cursor": "page4"}]
    cmo = personas[2]
    assert isinstance(cmo, MaveraPersona)
    assert cmo.is_custom is True
    assert cmo.created_at == 1706140803
    assert cmo.model_extra == {"future_field": {"kept": True}}


def test_list_sends_filters_and_page_size_as_query_parameters() -> None:
    api = PersonaAPI()
    _model(api).personas.list(category="Generational", is_custom=False, search="gen z", limit=2)
    assert api.queries()[0] == {
        "category": "Generational",
        "is_custom": "false",
        "search": "gen z",
        "limit": "2",
    }
    assert api.queries()[1]["limit"] == "2"  # the filters ride along on every page
    _model(api).personas.list(is_custom=True)
    assert api.queries()[-3] == {"is_custom": "true"}


@pytest.mark.parametrize("limit", [0, 101, -1, 2.5, "10", True])
def test_bad_page_size_fails_before_any_request(limit: Any) -> None:
    api = PersonaAPI()
    with pytest.raises(ValueError, match="1 to 100"):
        _model(api).personas.list(limit=limit)
    assert api.requests == []


def test_a_repeated_cursor_stops_paging_with_a_typed_error() -> None:
    api = PersonaAPI(repeat_cursor=True)
    with pytest.raises(MaveraAPIError, match="repeated the cursor"):
        _model(api).personas.list()
    assert len(api.requests) == 2


def test_fresh_cursors_forever_are_capped_with_a_typed_error() -> None:
    requests: list[httpx2.Request] = []

    def endless(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        page = {"object": "list", "data": [], "has_more": True, "next_cursor": f"c{len(requests)}"}
        return httpx2.Response(200, json=page)

    with pytest.raises(MaveraAPIError, match="pages"):
        _model(endless).personas.list()
    assert len(requests) == 1000
    with pytest.raises(MaveraAPIError):
        _model(endless).with_persona("Gen Z Consumer")


async def test_fresh_cursors_forever_are_capped_async() -> None:
    count = 0

    def endless(request: httpx2.Request) -> httpx2.Response:
        nonlocal count
        count += 1
        return httpx2.Response(200, json={"data": [], "has_more": True, "next_cursor": f"c{count}"})

    with pytest.raises(MaveraAPIError):
        await _model(endless).personas.afind("Gen Z Consumer")
    assert count == 1000


async def test_alist_matches_list() -> None:
    api = PersonaAPI()
    personas = await _model(api).personas.alist(search="x")
    assert [p.id for p in personas] == [p["id"] for p in CATALOGUE]
    assert api.queries()[0] == {"search": "x"}


def test_find_ignores_case_and_surrounding_space() -> None:
    assert _model(PersonaAPI()).personas.find("  saas cmo ").name == "SaaS CMO"


def test_find_lists_the_ambiguous_matches_with_their_ids() -> None:
    with pytest.raises(MaveraPersonaLookupError, match="2 personas are named 'TWIN'") as caught:
        _model(PersonaAPI()).personas.find("TWIN")
    assert [p.name for p in caught.value.matches] == ["Twin", "twin"]
    assert CATALOGUE[3]["id"] in str(caught.value)
    assert isinstance(caught.value, LookupError)


def test_find_without_a_match_suggests_close_names() -> None:
    with pytest.raises(MaveraPersonaLookupError, match="No persona named 'Gen Z'") as caught:
        _model(PersonaAPI()).personas.find("Gen Z")
    assert caught.value.matches == []
    assert set(caught.value.suggestions) >= {"Gen Z Consumer", "Gen Z Gamer"}
    assert "Gen Z Consumer" in str(caught.value)


def test_match_name_with_nothing_close_has_no_hint() -> None:
    with pytest.raises(MaveraPersonaLookupError) as caught:
        match_name([MaveraPersona(id="clxa", name="Alpha")], "zzzzzzzz")
    assert caught.value.suggestions == []
    assert "Close matches" not in str(caught.value)


async def test_afind() -> None:
    assert (await _model(PersonaAPI()).personas.afind("gen z gamer")).id == CATALOGUE[1]["id"]


def test_get_uses_the_item_route() -> None:
    api = PersonaAPI()
    persona = _model(api).personas.get(CATALOGUE[0]["id"])
    assert persona.name == "Gen Z Consumer"
    assert [r.url.path for r in api.requests] == [f"/api/v1/personas/{CATALOGUE[0]['id']}"]


def test_get_falls_back_to_the_list_when_the_item_route_404s() -> None:
    api = PersonaAPI(has_get=False)
    assert _model(api).personas.get(CATALOGUE[2]["id"]).name == "SaaS CMO"
    assert len(api.requests) == 1 + 3


async def test_aget_unknown_id_is_a_lookup_error() -> None:
    with pytest.raises(MaveraPersonaLookupError, match="No persona with id"):
        await _model(PersonaAPI()).personas.aget("clxnotthere000000000000000")


# A 404 that names the persona is classified as MaveraPersonaNotFoundError, not MaveraNotFoundError.
PERSONA_404S = [
    {"message": "Persona not found.", "type": "invalid_request_error", "code": "invalid_persona"},
    {"message": "No such persona.", "type": "invalid_request_error", "param": "persona_id"},
]


@pytest.mark.parametrize("not_found", PERSONA_404S)
def test_get_falls_back_to_the_list_on_a_persona_404(not_found: dict[str, Any]) -> None:
    api = PersonaAPI(has_get=False, not_found=not_found)
    assert _model(api).personas.get(CATALOGUE[2]["id"]).name == "SaaS CMO"
    assert len(api.requests) == 1 + 3
    with pytest.raises(MaveraPersonaLookupError, match="No persona with id"):
        _model(api).personas.get("clxnotthere000000000000000")


@pytest.mark.parametrize("not_found", PERSONA_404S)
async def test_aget_falls_back_to_the_list_on_a_persona_404(not_found: dict[str, Any]) -> None:
    api = PersonaAPI(has_get=False, not_found=not_found)
    assert (await _model(api).personas.aget(CATALOGUE[2]["id"])).name == "SaaS CMO"
    with pytest.raises(MaveraPersonaLookupError, match="No persona with id"):
        await _model(api).personas.aget("clxnotthere000000000000000")


@pytest.mark.parametrize("persona_id", ["", "   ", None, 42, ".", ".."])
async def test_get_refuses_a_blank_or_non_string_id_before_any_request(persona_id: Any) -> None:
    api = PersonaAPI()
    with pytest.raises(ValueError, match="persona_id must be a non-blank string"):
        _model(api).personas.get(persona_id)
    with pytest.raises(ValueError, match="persona_id must be a non-blank string"):
        await _model(api).personas.aget(persona_id)
    assert api.requests == []


@pytest.mark.parametrize(
    ("persona_id", "raw_path"),
    [
        ("../chat/completions", b"/api/v1/personas/..%2Fchat%2Fcompletions"),
        ("abc?search=x", b"/api/v1/personas/abc%3Fsearch%3Dx"),
        ("a b#c", b"/api/v1/personas/a%20b%23c"),
    ],
)
async def test_get_sends_the_id_as_one_quoted_path_segment(persona_id: str, raw_path: bytes) -> None:
    api = PersonaAPI()
    with pytest.raises(MaveraPersonaLookupError):
        _model(api).personas.get(persona_id)
    with pytest.raises(MaveraPersonaLookupError):
        await _model(api).personas.aget(persona_id)
    items = [r for r in api.requests if not r.url.path.endswith("/personas")]
    assert [r.url.raw_path for r in items] == [raw_path, raw_path]
    assert all(not r.url.query for r in items)


def _replying(body: object) -> ChatMavera:
    """A model whose API answers every request with `body` (status 200)."""
    return _model(lambda request: httpx2.Response(200, json=body))


MALFORMED_PAGES = [
    {"object": "list", "data": [{"id": "x"}]},  # no name
    {"object": "list", "data": "oops"},
    {"object": "list", "data": {"id": "x", "name": "X"}},
    {"object": "list", "data": [7]},
]


@pytest.mark.parametrize("body", MALFORMED_PAGES)
async def test_a_malformed_page_is_an_api_error_with_the_raw_text(body: dict[str, Any]) -> None:
    personas = _replying(body).personas
    with pytest.raises(MaveraAPIError, match="Malformed reply") as caught:
        personas.list()
    assert json.loads(caught.value.raw_text or "") == body
    with pytest.raises(MaveraAPIError, match="Malformed reply"):
        await personas.alist()
    with pytest.raises(MaveraAPIError, match="Malformed reply"):
        personas.find("X")


@pytest.mark.parametrize("body", [{"id": "clxunit000000000000000001"}, {"id": 5, "name": "X"}])
async def test_a_malformed_persona_is_an_api_error_with_the_raw_text(body: dict[str, Any]) -> None:
    personas = _replying(body).personas
    with pytest.raises(MaveraAPIError, match="Malformed reply") as caught:
        personas.get("clxunit000000000000000001")
    assert json.loads(caught.value.raw_text or "") == body
    with pytest.raises(MaveraAPIError, match="Malformed reply"):
        await personas.aget("clxunit000000000000000001")


def test_http_errors_are_typed() -> None:
    with pytest.raises(MaveraAuthenticationError):
        _model(PersonaAPI(status=401)).personas.list()


def test_standalone_personas_use_chat_mavera_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    api = PersonaAPI()
    monkeypatch.setenv("MAVERA_API_KEY", KEY)
    personas = MaveraPersonas(http_client=FakeMavera(api).sync_client(), max_retries=0)
    personas.list()
    assert api.requests[0].headers["authorization"] == f"Bearer {KEY}"
    with pytest.raises(TypeError, match="Unknown MaveraPersonas setting"):
        MaveraPersonas(persona_id="x")
    with pytest.raises(TypeError, match="not both"):
        MaveraPersonas(model=ChatMavera(api_key=KEY), timeout=3)


def test_model_personas_share_the_model_client() -> None:
    model = _model(PersonaAPI())
    personas = model.personas
    assert personas._connection.client is model.client


def test_looks_like_persona_id() -> None:
    assert looks_like_persona_id("clx1abc2d0001abcdef123456")
    assert not looks_like_persona_id("Gen Z Consumer")
    assert not looks_like_persona_id("consumer")  # too short to be a CUID
    assert not looks_like_persona_id("CLX1ABC2D0001ABCDEF123456")


def test_with_persona_binds_an_id_without_a_request() -> None:
    api = PersonaAPI()
    model = _model(api)
    bound = model.with_persona("clx1abc2d0001abcdef123456")
    assert bound.persona_id == "clx1abc2d0001abcdef123456"
    assert model.persona_id is None
    assert api.requests == []


def test_with_persona_for_an_id_loads_neither_personas_nor_the_sdk() -> None:
    probe = (
        "import sys\n"
        "from langchain_mavera import ChatMavera\n"
        "bound = ChatMavera(api_key='k').with_persona('clx1abc2d0001abcdef123456')\n"
        "assert bound.persona_id == 'clx1abc2d0001abcdef123456'\n"
        "print(sorted(m for m in ('openai', 'langchain_mavera.personas') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


def test_with_persona_resolves_a_name_once_and_shares_the_client() -> None:
    api = PersonaAPI()
    model = _model(api)
    first = model.with_persona("SaaS CMO")
    again = model.with_persona("saas cmo")
    from_copy = first.with_persona("SAAS CMO")
    assert first.persona_id == again.persona_id == from_copy.persona_id == CATALOGUE[2]["id"]
    assert len(api.queries()) == 3  # one listing (three pages), then the cache
    assert first.client is model.client


def test_with_persona_unknown_name_raises_lookup_error() -> None:
    with pytest.raises(MaveraPersonaLookupError, match="Close matches: 'Gen Z Gamer'"):
        _model(PersonaAPI()).with_persona("Gen Z Gamers")


def test_with_persona_sends_the_persona_id(monkeypatch: pytest.MonkeyPatch) -> None:
    api = PersonaAPI()
    sent: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        if "/personas" in request.url.path:
            return api(request)
        sent.append(json.loads(request.content))
        reply = {
            "id": "chatcmpl_u",
            "model": "mavera-1",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
            ],
            "usage": {"credits_used": 1},
        }
        return httpx2.Response(200, json=reply)

    model = FakeMavera(handler).model(api_key=KEY)
    model.with_persona("Gen Z Gamer").invoke("hello")
    assert sent[0]["persona_id"] == CATALOGUE[1]["id"]
