"""ChatMavera inside langchain v1 agents, against recorded interactions (cassettes/test_agents/).

Replayed offline by default; `python scripts/record_cassettes.py -k test_agents`
re-records them from the emulator.
"""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from langchain_mavera import ChatMavera

pytestmark = pytest.mark.vcr

PERSONA = "clx1abc2d0001abcdef123456"


class ProductVerdict(BaseModel):
    """Whether the persona would buy the product, and why."""

    would_buy: bool
    max_price_usd: float
    reason: str


@pytest.mark.parametrize("use_responses_api", [False, True], ids=["chat_completions", "responses"])
def test_create_agent_uses_the_provider_strategy(use_responses_api: bool) -> None:
    model = ChatMavera(persona_id=PERSONA, max_tokens=200, use_responses_api=use_responses_api)
    agent = create_agent(model, tools=[], response_format=ProductVerdict)
    result = agent.invoke({"messages": [("user", "Would you buy a $25 refillable shampoo bottle?")]})
    verdict = result["structured_response"]
    assert isinstance(verdict, ProductVerdict)
    assert verdict.reason
    # The provider strategy sends the schema as response_format and calls no tool for it.
    answer = result["messages"][-1]
    assert isinstance(answer, AIMessage) and not answer.tool_calls
    assert ProductVerdict.model_validate_json(answer.text) == verdict


def test_provider_strategy_is_what_create_agent_chooses() -> None:
    from langchain.agents.factory import _supports_provider_strategy

    assert _supports_provider_strategy(ChatMavera(persona_id=PERSONA))
    assert _supports_provider_strategy(ChatMavera(persona_id=PERSONA, use_responses_api=True))
    # A user profile without structured_output turns it off, as the profile is the only signal.
    assert not _supports_provider_strategy(ChatMavera(persona_id=PERSONA, profile={"tool_calling": True}))


CONVERSATION = [
    SystemMessage("You are reviewing a refillable shampoo brand called Fernleaf."),
    HumanMessage("In two sentences: would a $25 refill pouch tempt you? What would stop you?"),
]


@pytest.mark.parametrize("persona_id", [None, PERSONA], ids=["no_persona", "persona"])
def test_approximate_counts_against_recorded_usage(persona_id: str | None) -> None:
    """The offline estimate next to the prompt tokens the server reported for the same messages.

    Without a persona the estimate is within a factor of two; with one, the server also
    bills the persona's hidden system prompt, which no client-side count can see.
    """
    model = ChatMavera(persona_id=persona_id, max_tokens=120)
    estimate = model.get_num_tokens_from_messages(CONVERSATION)
    answer = model.invoke(CONVERSATION)
    assert answer.usage_metadata is not None
    reported = answer.usage_metadata["input_tokens"]
    print(f"\npersona={persona_id} estimate={estimate} reported_input={reported}")
    if persona_id is None:
        assert reported / 2 <= estimate <= reported * 2
    else:
        assert reported > estimate
