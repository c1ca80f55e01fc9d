"""ChatMavera.profile per transport, and offline token counting."""

from __future__ import annotations

import socket

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.tools import tool

from langchain_mavera import ChatMavera


def _model(**kwargs: object) -> ChatMavera:
    return ChatMavera(api_key="mvra_test_profile", **kwargs)


def test_profile_lists_what_mavera_documents() -> None:
    profile = _model().profile
    assert profile is not None
    assert profile["tool_calling"] is True
    assert profile["structured_output"] is True
    assert profile["image_url_inputs"] is True
    assert profile["reasoning_effort_levels"] == ["low", "medium", "high"]
    assert profile["reasoning_effort_default"] == "medium"
    # Mavera publishes no context window or output cap: left unset, not guessed.
    assert "max_input_tokens" not in profile
    assert "max_output_tokens" not in profile
    # Base64 images are documented only for the Responses transport.
    assert "image_inputs" not in profile


def test_responses_profile_adds_data_url_images() -> None:
    profile = _model(use_responses_api=True).profile
    assert profile is not None
    assert profile["image_inputs"] is True
    assert profile["structured_output"] is True


def test_profile_is_user_overridable_and_not_shared() -> None:
    mine = _model(profile={"max_input_tokens": 128_000, "structured_output": True})
    assert mine.profile == {"max_input_tokens": 128_000, "structured_output": True}
    first, second = _model(), _model()
    assert first.profile is not None and second.profile is not None
    first.profile["reasoning_effort_levels"].append("extreme")
    assert second.profile["reasoning_effort_levels"] == ["low", "medium", "high"]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket at all (even loopback) fails: counting must not try to download a tokenizer."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("token counting opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@tool
def check_price(product: str) -> str:
    """Look up the current retail price of a product, in US dollars."""
    return product


CONVERSATION = [
    SystemMessage("You are a careful shopper."),
    HumanMessage("Would you buy a refillable shampoo bottle for $25?"),
    AIMessage("Maybe, if the refills are cheap and easy to find."),
    HumanMessage("And at $18.50?"),
]


@pytest.mark.usefixtures("no_network")
def test_counts_are_the_core_approximation_with_tools() -> None:
    model = _model()
    without_tools = model.get_num_tokens_from_messages(CONVERSATION)
    with_tools = model.get_num_tokens_from_messages(CONVERSATION, tools=[check_price])
    assert without_tools == count_tokens_approximately(CONVERSATION) > 0
    assert with_tools == count_tokens_approximately(CONVERSATION, tools=[check_price]) > without_tools
    assert model.get_num_tokens("x" * 40) == 10


@pytest.mark.usefixtures("no_network")
def test_trim_messages_with_the_model_as_counter() -> None:
    model = _model()
    trimmed = trim_messages(
        CONVERSATION,
        max_tokens=40,
        token_counter=model,
        strategy="last",
        include_system=True,
        start_on="human",
    )
    assert trimmed[0] == CONVERSATION[0]
    assert trimmed[-1] == CONVERSATION[-1]
    assert len(trimmed) < len(CONVERSATION)
    assert model.get_num_tokens_from_messages(trimmed) <= 40
