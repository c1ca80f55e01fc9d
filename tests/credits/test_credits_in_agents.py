"""Every paid Mavera call inside a langchain v1 agent counts in `get_mavera_callback()`
(cassettes/test_credits_in_agents/), and budgets can start from the credits left.

Replayed offline by default; `python scripts/record_cassettes.py -k test_credits_in_agents`
re-records them from the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage

from langchain_mavera import (
    ChatMavera,
    MaveraBudgetExceededError,
    MaveraCreditCheckError,
    MaveraPersonaTool,
    MaveraResearchTool,
    MaveraStoryAnalysisTool,
    PanelAnswer,
    PanelResult,
    PersonaPanel,
    StoryAnalysis,
    get_mavera_callback,
)

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
SAAS_CMO = "clx2xyz9e0002abcdef789012"
REFILL_STORY = "st_68e1bd"
# The emulator calls every tool the prompt names, reading arguments from the quotes in order.
QUESTION = (
    'Use mavera_research on "refillable packaging demand", ask_persona "Would you pay $25 for it?", '
    f'ask_panel "Would you pay $25 for it?" and mavera_story_analysis of "{REFILL_STORY}" for "{GEN_Z}".'
)


def _tools() -> list[Any]:
    persona = MaveraPersonaTool(model=ChatMavera(persona_id=GEN_Z, max_tokens=120))
    panel = PersonaPanel(model=ChatMavera(max_tokens=120), personas=[GEN_Z, SAAS_CMO]).as_tool()
    return [MaveraResearchTool(), persona, panel, MaveraStoryAnalysisTool(persona_id=GEN_Z)]


def _billed(result: dict[str, Any]) -> tuple[float, int, dict[str | None, float]]:
    """Credits, requests and credits per persona, read off the agent's own messages."""
    credits: float = 0
    requests = 0
    by_persona: dict[str | None, float] = {}

    def charge(amount: float, persona_id: str | None) -> None:
        nonlocal credits, requests
        credits += amount
        requests += 1
        by_persona[persona_id] = by_persona.get(persona_id, 0) + amount

    tools_seen = set()
    for message in result["messages"]:
        if isinstance(message, AIMessage):
            charge(message.response_metadata["credits_used"], None)
        elif isinstance(message, ToolMessage):
            tools_seen.add(message.name)
            artifact = message.artifact
            if isinstance(artifact, PanelAnswer):
                charge(artifact.credits or 0, artifact.persona_id)
            elif isinstance(artifact, PanelResult):
                for answer in artifact.answers:
                    charge(answer.credits or 0, answer.persona_id)
            elif isinstance(artifact, StoryAnalysis):
                charge(artifact.credits_used or 0, GEN_Z)
            else:
                assert message.name == "mavera_research"
                charge(artifact["credits_used"], None)
    assert tools_seen == {"mavera_research", "ask_persona", "ask_panel", "mavera_story_analysis"}
    return credits, requests, by_persona


def _check(cb: Any, result: dict[str, Any]) -> None:
    credits, requests, by_persona = _billed(result)
    assert credits > 0
    assert (cb.credits_used, cb.requests, cb.cache_hits) == (credits, requests, 0)
    assert cb.by_persona == by_persona
    assert cb.input_tokens > 0 and cb.output_tokens > 0


def test_every_paid_tool_counts_inside_create_agent() -> None:
    agent = create_agent(ChatMavera(max_tokens=120), tools=_tools())
    with get_mavera_callback() as cb:
        result = agent.invoke({"messages": [("user", QUESTION)]})
    _check(cb, result)


async def test_every_paid_tool_counts_inside_create_agent_async() -> None:
    agent = create_agent(ChatMavera(max_tokens=120), tools=_tools())
    async with get_mavera_callback() as cb:
        result = await agent.ainvoke({"messages": [("user", QUESTION)]})
    _check(cb, result)


def test_research_credits_reach_the_budget() -> None:
    """Research is billed outside any chat-model run; its credits still use up the budget."""
    tool = MaveraResearchTool()
    with get_mavera_callback(budget=1) as cb:
        tool.invoke({"query": "refillable packaging demand"})
        assert cb.credits_used >= 1 and cb.requests == 1
        with pytest.raises(MaveraBudgetExceededError):  # the cassette holds one request only
            tool.invoke({"query": "refillable packaging demand"})


def test_budget_from_the_remaining_credits() -> None:
    with get_mavera_callback(budget="remaining", model=ChatMavera()) as cb:
        assert cb.budget == 2500
        assert cb.usage is not None and cb.usage.credits_remaining == 2500
        answer = ChatMavera(persona_id=GEN_Z, max_tokens=60).invoke("Would you pay $25 for it?")
    assert cb.credits_used == answer.response_metadata["credits_used"] > 0


async def test_budget_from_the_remaining_credits_async() -> None:
    async with get_mavera_callback(budget="remaining") as cb:  # MAVERA_API_KEY, as for chat
        assert cb.budget == 2500
        await ChatMavera(persona_id=GEN_Z, max_tokens=60).ainvoke("Would you pay $25 for it?")
    assert cb.requests == 1


def test_panel_tool_checks_remaining_credits_before_asking_anyone() -> None:
    """The cassette holds the planner's turn and GET /usage: no persona was asked."""
    panel = PersonaPanel(model=ChatMavera(max_tokens=120), personas=[GEN_Z, SAAS_CMO], min_credits=5000)
    agent = create_agent(ChatMavera(max_tokens=120), tools=[panel.as_tool()])
    with get_mavera_callback() as cb, pytest.raises(MaveraCreditCheckError) as caught:
        agent.invoke({"messages": [("user", 'Ask the panel "Would you pay $25 for it?"')]})
    assert (caught.value.needed, caught.value.remaining) == (5000, 2500)
    assert cb.requests == 1  # the planner's turn only
