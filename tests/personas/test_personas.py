"""Persona discovery and binding against recorded Mavera interactions (cassettes/test_personas/).

Replayed offline by default; `python scripts/record_cassettes.py -k test_personas`
re-records them from the emulator, `--live` from the real API.
"""

from __future__ import annotations

import pytest

from langchain_mavera import ChatMavera, MaveraPersona, MaveraPersonaLookupError

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
SAAS_CMO = "clx2xyz9e0002abcdef789012"


def test_list_follows_pagination_to_the_end() -> None:
    small_pages = ChatMavera().personas.list(limit=5)
    one_page = ChatMavera().personas.list(limit=100)
    assert len(small_pages) > 5  # more than one page was fetched
    assert [p.id for p in small_pages] == [p.id for p in one_page]
    assert len({p.id for p in small_pages}) == len(small_pages)
    assert all(isinstance(p, MaveraPersona) and p.name for p in small_pages)


def test_list_filters() -> None:
    personas = ChatMavera().personas
    generational = personas.list(category="Generational")
    assert generational and {p.category for p in generational} == {"Generational"}
    custom = personas.list(is_custom=True)
    assert custom and all(p.is_custom for p in custom)
    assert SAAS_CMO in {p.id for p in custom}
    searched = personas.list(search="gen z")
    assert searched and all("gen z" in f"{p.name} {p.description}".lower() for p in searched)


async def test_alist_with_filters_and_pagination() -> None:
    personas = await ChatMavera().personas.alist(is_custom=False, limit=3)
    assert len(personas) > 3
    assert not any(p.is_custom for p in personas)


def test_find_exact_name_ignoring_case() -> None:
    persona = ChatMavera().personas.find("gen z consumer")
    assert persona.id == GEN_Z
    assert persona.name == "Gen Z Consumer"


def test_find_partial_name_lists_close_matches() -> None:
    with pytest.raises(MaveraPersonaLookupError) as caught:
        ChatMavera().personas.find("Gen Z")
    assert {"Gen Z Consumer", "Gen Z Gamer"} <= set(caught.value.suggestions)
    assert "Close matches" in str(caught.value)


def test_get_by_id() -> None:
    persona = ChatMavera().personas.get(SAAS_CMO)
    assert persona.name == "SaaS CMO"
    assert persona.is_expert is True


def test_get_unknown_id_is_a_lookup_error() -> None:
    with pytest.raises(MaveraPersonaLookupError, match="No persona with id"):
        ChatMavera().personas.get("clxnotapersona0000000000000")


def test_with_persona_binds_by_name_and_by_id() -> None:
    model = ChatMavera(max_tokens=200)
    by_name = model.with_persona("saas cmo").invoke("Would you pay more for refillable packaging?")
    by_id = model.with_persona(SAAS_CMO).invoke("Would you pay more for refillable packaging?")
    assert by_name.response_metadata["persona_id"] == SAAS_CMO
    assert by_name.content == by_id.content
    assert model.persona_id is None
