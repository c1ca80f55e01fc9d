"""Per-run personas inside agents, against recorded Mavera interactions (cassettes/test_persona_middleware/).

Cassettes match on the JSON request body, so a replay only succeeds when each
request carries the persona it was recorded with; the tests also read the
persona back from the cassette's requests.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

import pytest
from langchain.agents import create_agent

from langchain_mavera import ChatMavera, MaveraPersonaMiddleware, get_mavera_callback

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
SAAS_CMO = "clx2xyz9e0002abcdef789012"
QUESTION = {"messages": [("user", "Would you pay $4 more for refillable packaging?")]}


@dataclass
class Audience:
    persona: str


def _posted_personas(vcr: Any) -> list[str | None]:
    bodies = [json.loads(request.body) for request in vcr.requests if request.method == "POST"]
    return [body.get("persona_id") for body in bodies]


def test_create_agent_answers_as_the_persona_named_in_the_context(vcr: Any) -> None:
    agent = create_agent(
        ChatMavera(max_tokens=120), middleware=[MaveraPersonaMiddleware()], context_schema=Audience
    )
    with get_mavera_callback() as cb:
        gen_z = agent.invoke(QUESTION, context=Audience(persona="Gen Z Consumer"))
        cmo = agent.invoke(QUESTION, context=Audience(persona=SAAS_CMO))
    assert gen_z["messages"][-1].response_metadata["persona_id"] == GEN_Z
    assert cmo["messages"][-1].response_metadata["persona_id"] == SAAS_CMO
    assert _posted_personas(vcr) == [GEN_Z, SAAS_CMO]
    assert cb.requests == 2 and set(cb.by_persona) == {GEN_Z, SAAS_CMO}


async def test_async_create_agent_reads_the_persona_from_configurable(vcr: Any) -> None:
    agent = create_agent(ChatMavera(max_tokens=120), middleware=[MaveraPersonaMiddleware(key="persona_id")])
    result = await agent.ainvoke(QUESTION, config={"configurable": {"persona_id": "saas cmo"}})
    assert result["messages"][-1].response_metadata["persona_id"] == SAAS_CMO
    assert _posted_personas(vcr) == [SAAS_CMO]


def test_langgraph_react_agent_picks_the_persona_per_run(vcr: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from langgraph.prebuilt import create_react_agent

    base = ChatMavera(max_tokens=120)

    def model_for_run(state: Any, runtime: Any) -> Any:
        return base.with_persona(runtime.context.persona).bind_tools([])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agent = create_react_agent(model_for_run, tools=[], context_schema=Audience)
    gen_z = agent.invoke(QUESTION, context=Audience(persona=GEN_Z))
    cmo = agent.invoke(QUESTION, context=Audience(persona=SAAS_CMO))
    assert gen_z["messages"][-1].response_metadata["persona_id"] == GEN_Z
    assert cmo["messages"][-1].response_metadata["persona_id"] == SAAS_CMO
    assert _posted_personas(vcr) == [GEN_Z, SAAS_CMO]
