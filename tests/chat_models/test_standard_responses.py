"""The langchain-tests standard integration suite, again, on the Responses transport.

`test_standard.py` runs the suite on chat completions; this subclass runs every
one of its tests with `use_responses_api=True`, which is the proof that the
transport switch changes nothing a LangChain user relies on. Replayed from
cassettes/test_standard_responses/ by default.
"""

from __future__ import annotations

import pytest

# The module, not the class, is imported, so pytest does not collect the chat-completions suite twice.
from tests.chat_models import test_standard

pytestmark = pytest.mark.vcr

# The base module's autouse fixture (the standard image download while recording) applies here too.
_record_image_download_from_a_local_file = test_standard._record_image_download_from_a_local_file


class TestChatMaveraResponsesStandardIntegration(test_standard.TestChatMaveraStandardIntegration):
    @property
    def chat_model_params(self) -> dict:  # type: ignore[type-arg]
        return {**super().chat_model_params, "use_responses_api": True}
