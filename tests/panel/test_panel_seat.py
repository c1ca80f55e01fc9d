"""`PersonaPanel.resolve_personas()` returns a public type, `PanelSeat` (issue 23.4)."""

from __future__ import annotations

import typing

import langchain_mavera
from langchain_mavera import PanelSeat, PersonaPanel
from tests.fake_mavera import FakeMavera

GEN_Z = "clxpersonaaaaaaaaaaaaaaaa1"


def test_resolve_personas_returns_public_panel_seats() -> None:
    model = FakeMavera(catalogue={"Gen Z Consumer": GEN_Z}).model()
    panel = PersonaPanel(model=model, personas=["Gen Z Consumer", "Nobody Known"])
    seats = panel.resolve_personas()
    assert all(type(seat) is PanelSeat for seat in seats)
    assert (seats[0].id, seats[0].name, seats[0].error) == (GEN_Z, "Gen Z Consumer", None)
    assert seats[1].error is not None


def test_the_signature_names_the_public_type() -> None:
    hints = typing.get_type_hints(PersonaPanel.resolve_personas, vars(langchain_mavera.panel.persona_panel))
    assert hints["return"] == list[PanelSeat]
    assert "PanelSeat" in langchain_mavera.__all__
