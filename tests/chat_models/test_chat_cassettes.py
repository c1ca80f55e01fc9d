"""ChatMavera against recorded Mavera interactions (cassettes/test_chat_cassettes/).

Replayed offline by default; `python scripts/record_cassettes.py` re-records
them from the emulator, `--live` from the real API.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessageChunk, BaseMessageChunk, HumanMessage, SystemMessage

from langchain_mavera import ChatMavera, MaveraAnalysis, get_analysis

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
SAAS_CMO = "clx2xyz9e0002abcdef789012"
QUESTION = "How do you feel about brands that switch to refillable packaging?"
METADATA_KEYS = {
    "model_name",
    "model_provider",
    "finish_reason",
    "id",
    "persona_id",
    "credits_used",
    "token_usage",
}


def _assert_same_answer(invoked: object, streamed: BaseMessageChunk) -> None:
    assert isinstance(streamed, AIMessageChunk)
    assert streamed.content == invoked.content  # type: ignore[attr-defined]
    for key in ("analysis", "credits_used", "token_usage", "model_name", "finish_reason", "persona_id"):
        assert streamed.response_metadata.get(key) == invoked.response_metadata.get(key), key  # type: ignore[attr-defined]
    assert streamed.usage_metadata == invoked.usage_metadata  # type: ignore[attr-defined]


def test_invoke_with_analysis() -> None:
    message = ChatMavera(persona_id=GEN_Z, analysis_mode=True).invoke(QUESTION)
    assert message.content
    assert METADATA_KEYS | {"analysis", "rate_limit"} <= set(message.response_metadata)
    assert message.response_metadata["model_provider"] == "mavera"
    assert message.response_metadata["persona_id"] == GEN_Z
    assert isinstance(message.response_metadata["credits_used"], int)
    assert set(message.response_metadata["rate_limit"]) == {"limit", "remaining", "reset"}
    analysis = get_analysis(message)
    assert isinstance(analysis, MaveraAnalysis)
    assert analysis.confidence is not None and 1 <= analysis.confidence <= 10
    assert analysis.emotion is not None and analysis.emotion.emotional_valence is not None
    assert message.usage_metadata is not None and message.usage_metadata["total_tokens"] > 0


def test_invoke_without_analysis_has_none() -> None:
    message = ChatMavera(persona_id=GEN_Z).invoke(QUESTION)
    assert "analysis" not in message.response_metadata
    assert get_analysis(message) is None
    assert message.response_metadata["credits_used"] >= 1


def test_persona_override_per_call_changes_the_voice() -> None:
    model = ChatMavera(persona_id=GEN_Z)
    default = model.invoke(QUESTION)
    overridden = model.invoke(QUESTION, persona_id=SAAS_CMO)
    bound = model.bind(persona_id=SAAS_CMO).invoke(QUESTION)
    assert default.response_metadata["persona_id"] == GEN_Z
    assert overridden.response_metadata["persona_id"] == SAAS_CMO
    assert overridden.content != default.content
    assert bound.content == overridden.content


def test_verbosity_and_reasoning_effort_are_honoured() -> None:
    model = ChatMavera(persona_id=SAAS_CMO, reasoning_effort="high")
    short = model.invoke(QUESTION, verbosity="low")
    long = model.invoke(QUESTION, verbosity="high")
    quick = model.invoke(QUESTION, verbosity="low", reasoning_effort="low")
    assert len(str(short.content).split()) < len(str(long.content).split())
    assert quick.content != short.content  # the effort reached the server and changed the answer


def test_system_message_and_conversation() -> None:
    model = ChatMavera(persona_id=GEN_Z)
    message = model.invoke(
        [
            SystemMessage("Keep answers short."),
            HumanMessage("Would you pay more for refills?"),
            model.invoke("Would you pay more for refills?"),
            HumanMessage("What would change your mind?"),
        ]
    )
    assert message.content


def test_callbacks_and_events_see_every_chunk() -> None:
    class Tokens(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens: list[str] = []

        def on_llm_new_token(self, token: str | list[str | dict[str, Any]], **kwargs: Any) -> None:
            assert isinstance(token, str)
            self.tokens.append(token)

    handler = Tokens()
    chunks = list(ChatMavera(persona_id=GEN_Z).stream(QUESTION, config={"callbacks": [handler]}))
    assert handler.tokens == [chunk.content for chunk in chunks]


async def test_astream_events_carry_the_analysis() -> None:
    model = ChatMavera(persona_id=GEN_Z, analysis_mode=True)
    events = [event async for event in model.astream_events(QUESTION, version="v2")]
    kinds = [event["event"] for event in events]
    assert kinds[0] == "on_chat_model_start"
    assert kinds[-1] == "on_chat_model_end"
    assert kinds.count("on_chat_model_stream") > 3
    final = events[-1]["data"]["output"]
    assert get_analysis(final) is not None


def test_batch_and_abatch() -> None:
    model = ChatMavera(persona_id=GEN_Z)
    questions: list[LanguageModelInput] = ["Is TikTok shopping trustworthy?", "Do you read product reviews?"]
    answers = model.batch(questions)
    assert [bool(answer.content) for answer in answers] == [True, True]
