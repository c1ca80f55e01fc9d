"""MaveraPersonaTool and PersonaPanel.as_tool: construction and bad input (no requests)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from langchain_mavera import ChatMavera, MaveraPanelTool, MaveraPersonaTool, PersonaPanel


def _model(**kwargs: object) -> ChatMavera:
    return ChatMavera(api_key="mvra_test_tools", **kwargs)


def test_one_persona_takes_only_a_question() -> None:
    tool = MaveraPersonaTool(model=_model(persona_id="clx1abc2d0001abcdef123456"))
    assert tool.response_format == "content_and_artifact"
    assert list(tool.args) == ["question"]


def test_several_personas_add_a_choice_by_name() -> None:
    tool = MaveraPersonaTool(model=_model(), personas=["Gen Z Consumer", "SaaS CMO"], name="ask_audience")
    assert tool.name == "ask_audience"
    assert tool.args["persona"]["enum"] == ["Gen Z Consumer", "SaaS CMO"]
    assert "Gen Z Consumer, SaaS CMO" in tool.description


@pytest.mark.parametrize("personas", [[], ["A", "A"], ["  "]])
def test_bad_persona_lists_fail_at_construction(personas: list[str]) -> None:
    with pytest.raises(ValidationError, match="persona"):
        MaveraPersonaTool(model=_model(), personas=personas)


def test_panel_as_tool() -> None:
    panel = PersonaPanel(model=_model(), personas=["Gen Z Consumer", "SaaS CMO"])
    tool = panel.as_tool(name="ask_the_room")
    assert isinstance(tool, MaveraPanelTool)
    assert tool.name == "ask_the_room" and tool.response_format == "content_and_artifact"
    assert list(tool.args) == ["question"]
    with pytest.raises(TypeError, match="name and description"):
        panel.as_tool(arg_types={"question": str})


def test_chat_model_as_tool_asks_its_persona() -> None:
    tool = _model(persona_id="clx1abc2d0001abcdef123456").as_tool(name="ask_gen_z")
    assert isinstance(tool, MaveraPersonaTool)
    assert tool.name == "ask_gen_z" and list(tool.args) == ["question"]
    with pytest.raises(ValidationError, match="persona_id"):
        _model().as_tool()
