"""The langchain-tests standard integration suite, on the Responses transport.

The same suite runs on chat completions in `test_standard.py`; running it here
with `use_responses_api=True` is the proof that the transport switch changes
nothing a LangChain user relies on. Replayed from cassettes by default.
"""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_mavera import ChatMavera

pytestmark = pytest.mark.vcr


class TestChatMaveraResponsesStandard(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatMavera]:
        return ChatMavera

    @property
    def chat_model_params(self) -> dict[str, object]:
        return {"model": "mavera-1", "persona_id": "clx1abc2d0001abcdef123456", "use_responses_api": True}

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def enable_vcr_tests(self) -> bool:
        return True
