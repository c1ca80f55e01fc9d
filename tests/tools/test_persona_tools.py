"""MaveraPersonaTool and the panel tool inside langchain v1 agents (cassettes/test_persona_tools/).

Replayed offline by default; `python scripts/record_cassettes.py -k test_persona_tools`
re-records them from the emulator.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from langchain.agents import create_agent
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import ToolMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from langchain_mavera import (
    ChatMavera,
    MaveraAnalysis,
    MaveraPersonaTool,
    PanelAnswer,
    PanelResult,
    PersonaPanel,
)

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
QUESTION = 'Ask the persona "Would you pay $25 for a refillable shampoo bottle?" and sum up the answer.'
PANEL_QUESTION = 'Ask the panel "Would you pay $25 for a refillable shampoo bottle?" and compare.'


class RunTree(BaseCallbackHandler):
    """Records every run's parent, the tool runs, and the credits of each model run."""

    def __init__(self) -> None:
        self.parents: dict[UUID, UUID | None] = {}
        self.tool_runs: set[UUID] = set()
        self.model_runs: list[tuple[UUID, Any]] = []

    def on_chain_start(
        self, *args: Any, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self.parents[run_id] = parent_run_id

    def on_chat_model_start(
        self, *args: Any, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self.parents[run_id] = parent_run_id

    def on_tool_start(
        self, *args: Any, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self.parents[run_id] = parent_run_id
        self.tool_runs.add(run_id)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        generation = response.generations[0][0]
        assert isinstance(generation, ChatGeneration)
        message = generation.message
        self.model_runs.append((run_id, message.response_metadata.get("credits_used")))

    def _under_a_tool(self, run_id: UUID) -> bool:
        parent = self.parents.get(run_id)
        while parent is not None:
            if parent in self.tool_runs:
                return True
            parent = self.parents.get(parent)
        return False

    def credits_under_tools(self) -> list[Any]:
        return [credits for run_id, credits in self.model_runs if self._under_a_tool(run_id)]


def _planner() -> ChatMavera:
    return ChatMavera(max_tokens=120)


def _tool_message(result: dict[str, Any]) -> ToolMessage:
    messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert len(messages) == 1
    return messages[0]


def _check_answer(message: ToolMessage, persona_id: str) -> PanelAnswer:
    answer = message.artifact
    assert isinstance(answer, PanelAnswer)
    assert answer.persona_id == persona_id
    assert isinstance(answer.analysis, MaveraAnalysis) and answer.analysis.confidence is not None
    assert isinstance(answer.credits, int) and answer.credits > 0
    assert answer.message is not None and answer.message.response_metadata["persona_id"] == persona_id
    text, summary = str(message.content).rsplit("\n\n", 1)
    assert text == answer.text and text
    assert summary.startswith("[") and f"confidence {answer.analysis.confidence}/10" in summary
    assert f"credits {answer.credits}]" in summary
    return answer


def test_persona_tool_in_create_agent() -> None:
    tool = MaveraPersonaTool(model=ChatMavera(persona_id=GEN_Z, max_tokens=120))
    tree = RunTree()
    agent = create_agent(_planner(), tools=[tool])
    result = agent.invoke({"messages": [("user", QUESTION)]}, {"callbacks": [tree]})
    message = _tool_message(result)
    assert message.name == "ask_persona"
    answer = _check_answer(message, GEN_Z)
    # The persona call ran as a child of the tool run, so a credits callback counts it.
    assert tree.credits_under_tools() == [answer.credits]
    assert result["messages"][-1].text


async def test_persona_tool_in_create_agent_async() -> None:
    tool = MaveraPersonaTool(model=ChatMavera(persona_id=GEN_Z, max_tokens=120))
    tree = RunTree()
    agent = create_agent(_planner(), tools=[tool])
    result = await agent.ainvoke({"messages": [("user", QUESTION)]}, {"callbacks": [tree]})
    answer = _check_answer(_tool_message(result), GEN_Z)
    assert tree.credits_under_tools() == [answer.credits]


def test_agent_chooses_a_persona_by_name() -> None:
    model = ChatMavera(max_tokens=120)
    tool = MaveraPersonaTool(model=model, personas=["SaaS CMO", "Gen Z Consumer"])
    schema = tool.tool_call_schema.model_json_schema()  # type: ignore[union-attr]
    assert schema["properties"]["persona"]["enum"] == ["SaaS CMO", "Gen Z Consumer"]
    agent = create_agent(_planner(), tools=[tool])
    result = agent.invoke({"messages": [("user", QUESTION)]})
    message = _tool_message(result)
    chosen = result["messages"][1].tool_calls[0]["args"]["persona"]
    expected = model.personas.find(chosen).id
    answer = _check_answer(message, expected)
    assert answer.persona_name == chosen


def test_panel_tool_in_create_agent() -> None:
    panel = PersonaPanel(model=ChatMavera(max_tokens=120), personas=["Gen Z Consumer", "SaaS CMO"])
    tree = RunTree()
    agent = create_agent(_planner(), tools=[panel.as_tool()])
    result = agent.invoke({"messages": [("user", PANEL_QUESTION)]}, {"callbacks": [tree]})
    message = _tool_message(result)
    assert message.name == "ask_panel"
    panel_result = message.artifact
    assert isinstance(panel_result, PanelResult) and len(panel_result.succeeded) == 2
    content = str(message.content)
    for answer in panel_result.answers:
        assert f"{answer.persona_name}: {answer.text}" in content
    assert content.splitlines()[-1].startswith("Panel: 2 answered, 0 failed")
    assert sorted(tree.credits_under_tools()) == sorted(
        a.credits for a in panel_result.answers if a.credits is not None
    )


async def test_panel_tool_in_create_agent_async() -> None:
    panel = PersonaPanel(model=ChatMavera(max_tokens=120), personas=["Gen Z Consumer", "SaaS CMO"])
    tree = RunTree()
    agent = create_agent(_planner(), tools=[panel.as_tool()])
    result = await agent.ainvoke({"messages": [("user", PANEL_QUESTION)]}, {"callbacks": [tree]})
    panel_result = _tool_message(result).artifact
    assert isinstance(panel_result, PanelResult) and len(panel_result.succeeded) == 2
    assert sorted(tree.credits_under_tools()) == sorted(
        a.credits for a in panel_result.answers if a.credits is not None
    )
