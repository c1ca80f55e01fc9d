"""langchain-tests' standard unit suite for the persona tools (`MaveraPersonaTool`, `MaveraPanelTool`)."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool
from langchain_tests.unit_tests import ToolsUnitTests

from langchain_mavera import ChatMavera, MaveraPanelTool, MaveraPersonaTool, PersonaPanel

KEY = "mvra_test_unit_no_network_000000000"
GEN_Z = "clx1abc2d0001abcdef123456"
SAAS_CMO = "clx2xyz9e0002abcdef789012"


class TestPersonaToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraPersonaTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"model": ChatMavera(api_key=KEY, persona_id=GEN_Z)}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"question": "Would you pay $25 for a refillable shampoo bottle?"}


class TestPersonaPanelToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraPanelTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"panel": PersonaPanel(model=ChatMavera(api_key=KEY), personas=[GEN_Z, SAAS_CMO])}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"question": "Would you pay $25 for a refillable shampoo bottle?"}
