"""The registry of Mavera request fields is complete: every ChatMavera request field is checked per call."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from pydantic import ValidationError

from langchain_mavera import ChatMavera
from langchain_mavera.chat_models._chat_completions import CHAT_COMPLETIONS
from langchain_mavera.chat_models._params import REQUEST_FIELDS, CallOverrides
from langchain_mavera.chat_models._responses import RESPONSES

# A value each field refuses; a field added to the registry without one fails the first test.
_BAD: dict[str, Any] = {
    "model": 5,
    "persona_id": "   ",
    "analysis_mode": "yes",
    "reasoning_effort": "max",
    "verbosity": "loud",
    "temperature": 5,
    "max_tokens": 0,
    "stop": [1, 2],
    "tools": "all of them",
    "tool_choice": 3.5,
    "parallel_tool_calls": "maybe",
    "response_format": "json",
}

# A valid value for every field ChatMavera itself takes, so its body shows every field it sends.
_MODEL_VALUES: dict[str, Any] = {
    "persona_id": "clx1abc2d0001abcdef123456",
    "analysis_mode": True,
    "reasoning_effort": "high",
    "verbosity": "low",
    "temperature": 0.5,
    "max_tokens": 64,
    "stop": ["END"],
}


def test_every_request_field_has_a_bad_value_here() -> None:
    assert set(_BAD) == {field.name for field in REQUEST_FIELDS} | {"model"}


def test_every_field_in_the_body_of_a_fully_set_model_is_in_the_registry() -> None:
    model = ChatMavera(api_key="k", **_MODEL_VALUES)
    body = CHAT_COMPLETIONS.build_payload([HumanMessage("hi")], model._call_params(None, {}), stream=False)
    sent = set(body) - {"model", "messages"}
    assert sent == {field.name for field in REQUEST_FIELDS if field.on_model}
    assert sent == set(_MODEL_VALUES)
    # Every ChatMavera field the registry names is a model field with the registry's validation.
    for field in REQUEST_FIELDS:
        if field.on_model:
            assert field.name in ChatMavera.model_fields


@pytest.mark.parametrize("name", sorted(_BAD))
def test_each_request_field_is_validated_per_call(name: str) -> None:
    assert name in CallOverrides.__annotations__
    model = ChatMavera(api_key="k", max_retries=0)
    with pytest.raises(ValidationError) as caught:
        model.invoke("hi", **{name: _BAD[name]})
    assert name in str(caught.value)


@pytest.mark.parametrize("wire", [CHAT_COMPLETIONS, RESPONSES], ids=["chat_completions", "responses"])
def test_both_wire_formats_send_every_registry_field(wire: Any) -> None:
    params = {
        "model": "mavera-1",
        **_MODEL_VALUES,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "response_format": {"type": "json_object"},
    }
    body = wire.build_payload([HumanMessage("hi")], params, stream=False)
    renamed = {"max_tokens": "max_output_tokens", "response_format": "text"} if wire is RESPONSES else {}
    for field in REQUEST_FIELDS:
        assert renamed.get(field.name, field.name) in body, field.name


def test_the_transport_names_the_same_request_keys() -> None:
    from langchain_mavera._transport.json_body import REQUEST_BODY_KEYS

    assert {field.name for field in REQUEST_FIELDS} == REQUEST_BODY_KEYS
