"""Where the per-request persona recipes reach an agent's model call, and where they do not."""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.runnables import ConfigurableField
from langchain_core.tools import tool

from langchain_mavera import MaveraPersonaMiddleware
from tests.fake_mavera import FakeMavera

GEN_Z = "clx1abc2d0001abcdef123456"
CMO = "clx2xyz9e0002abcdef789012"
QUESTION = {"messages": [("user", "What would you pay?")]}


@tool
def price(item: str) -> str:
    """The price of an item in dollars."""
    return "4"


def test_configurable_fields_is_ignored_by_create_agent_with_tools() -> None:
    """Documented limitation: create_agent calls bind_tools on the default model."""
    echo = FakeMavera()
    model = echo.model().configurable_fields(persona_id=ConfigurableField(id="persona_id"))
    agent = create_agent(model, tools=[price])
    agent.invoke(QUESTION, config={"configurable": {"persona_id": GEN_Z}})
    assert echo.bodies()[-1].get("persona_id") is None


@pytest.mark.parametrize("source", ["context", "configurable"])
def test_middleware_sets_the_persona_with_tools_bound(source: str) -> None:
    echo = FakeMavera()
    agent: Any = create_agent(echo.model(), tools=[price], middleware=[MaveraPersonaMiddleware()])
    if source == "context":
        agent.invoke(QUESTION, context={"persona": GEN_Z})
    else:
        agent.invoke(QUESTION, config={"configurable": {"persona": GEN_Z}})
    body = echo.bodies()[-1]
    assert body["persona_id"] == GEN_Z
    assert [t["function"]["name"] for t in body["tools"]] == ["price"]


def test_middleware_resolves_a_name_once_and_caches_it() -> None:
    echo = FakeMavera(catalogue={"Gen Z Consumer": GEN_Z, "SaaS CMO": CMO})
    middleware = MaveraPersonaMiddleware()
    agent: Any = create_agent(echo.model(), tools=[price], middleware=[middleware])
    for name in ("Gen Z Consumer", "gen z consumer", "SaaS CMO", "GEN Z CONSUMER"):
        agent.invoke(QUESTION, context={"persona": name})
    assert [body["persona_id"] for body in echo.bodies()] == [GEN_Z, GEN_Z, CMO, GEN_Z]
    assert len(echo.lookups) == 2  # one listing per distinct name


async def test_async_middleware_resolves_a_name_once() -> None:
    echo = FakeMavera(catalogue={"Gen Z Consumer": GEN_Z, "SaaS CMO": CMO})
    agent: Any = create_agent(echo.model(), middleware=[MaveraPersonaMiddleware()])
    for name in ("SaaS CMO", "saas cmo"):
        await agent.ainvoke(QUESTION, context={"persona": name})
    async for _ in agent.astream(QUESTION, context={"persona": GEN_Z}):
        pass
    assert [body["persona_id"] for body in echo.bodies()] == [CMO, CMO, GEN_Z]
    assert len(echo.lookups) == 1


def test_middleware_without_a_persona_keeps_the_model_persona() -> None:
    echo = FakeMavera()
    agent: Any = create_agent(echo.model(persona_id=GEN_Z), middleware=[MaveraPersonaMiddleware()])
    agent.invoke(QUESTION)
    assert echo.bodies()[-1]["persona_id"] == GEN_Z


def test_middleware_refuses_a_bad_persona_before_any_request() -> None:
    echo = FakeMavera()
    agent: Any = create_agent(echo.model(), middleware=[MaveraPersonaMiddleware()])
    with pytest.raises(TypeError, match="'persona' must be a persona id or name"):
        agent.invoke(QUESTION, context={"persona": 42})
    assert echo.requests == []
    with pytest.raises(TypeError, match="key"):
        MaveraPersonaMiddleware(key="")


def test_importing_the_package_does_not_import_langchain() -> None:
    import subprocess
    import sys

    probe = "import sys, langchain_mavera; print('langchain' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
