"""langchain-tests' standard unit suite for the research, story-analysis and story-chat tools."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool
from langchain_tests.unit_tests import ToolsUnitTests

from langchain_mavera import MaveraResearchTool, MaveraStoryAnalysisTool, MaveraStoryChatTool


class TestMaveraResearchToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraResearchTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"api_key": "mvra_test_unit_no_network_000000000"}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "How do shoppers under 30 feel about refillable packaging?"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return {"MAVERA_API_KEY": "mvra_test_unit_from_env_000000000000"}, {}, {}


class TestMaveraStoryAnalysisToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraStoryAnalysisTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"api_key": "mvra_test_unit_no_network_000000000"}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"story_id": "st_68e1bd", "persona_id": "clx1abc2d0001abcdef123456"}


class TestMaveraStoryChatToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraStoryChatTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"api_key": "mvra_test_unit_no_network_000000000"}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"story_id": "st_68e1bd", "message": "What changes for shoppers?"}
