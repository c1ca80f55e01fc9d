"""langchain-tests' standard integration suites for the persona tools and the persona retriever, on cassettes.

Replayed offline by default; `python scripts/record_cassettes.py -k test_standard_persona_tools`
re-records them from the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import RetrieversIntegrationTests, ToolsIntegrationTests

from langchain_mavera import (
    ChatMavera,
    MaveraPanelTool,
    MaveraPersonaRetriever,
    MaveraPersonaTool,
    PersonaPanel,
)

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
SAAS_CMO = "clx2xyz9e0002abcdef789012"
QUESTION = "Would you pay $25 for a refillable shampoo bottle?"


class TestPersonaToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraPersonaTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"model": ChatMavera(persona_id=GEN_Z, max_tokens=120)}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"question": QUESTION}


class TestPersonaPanelToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraPanelTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"panel": PersonaPanel(model=ChatMavera(max_tokens=120), personas=[GEN_Z, SAAS_CMO])}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"question": QUESTION}


class TestMaveraPersonaRetrieverIntegration(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return MaveraPersonaRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"model": ChatMavera()}

    @property
    def retriever_query_example(self) -> str:
        return "gen z consumer shopper on a budget"
