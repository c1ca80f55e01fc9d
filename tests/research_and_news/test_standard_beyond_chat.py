"""langchain-tests' standard integration suites for the tools and retrievers beyond chat, on cassettes.

Replayed offline by default; `python scripts/record_cassettes.py -k test_standard_beyond_chat`
re-records them from the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import RetrieversIntegrationTests, ToolsIntegrationTests

from langchain_mavera import (
    MaveraNewsRetriever,
    MaveraResearchRetriever,
    MaveraResearchTool,
    MaveraStoryAnalysisTool,
    MaveraStoryChatTool,
)

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
OWNER = "clx5sbo8n0005stuvwx567890"
REFILL_STORY = "st_68e1bd"


class TestMaveraResearchToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraResearchTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"keep_thread": False}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "How do shoppers under 30 feel about refillable packaging?"}


class TestMaveraStoryAnalysisToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraStoryAnalysisTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"story_id": REFILL_STORY, "persona_id": GEN_Z}


class TestMaveraStoryChatToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return MaveraStoryChatTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"remember": False}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"story_id": REFILL_STORY, "message": "What changes for shoppers?"}


class TestMaveraResearchRetrieverIntegration(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return MaveraResearchRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {}

    @property
    def retriever_query_example(self) -> str:
        return "How do shoppers under 30 feel about refillable packaging?"


class TestMaveraNewsRetrieverIntegration(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return MaveraNewsRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"personas": [GEN_Z, OWNER]}

    @property
    def retriever_query_example(self) -> str:
        return "refill prices"
