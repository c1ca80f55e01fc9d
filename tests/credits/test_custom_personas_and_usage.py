"""Bad custom-persona and credit-check input fails before any request is sent."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_mavera import ChatMavera, MaveraUsage
from langchain_mavera.usage import MaveraCreditCheckError, _enough

# No server listens here: had a request been sent, it would fail as a connection error, not ValueError.
MODEL = ChatMavera(api_key="mvra_test_unit_no_network_000000000", base_url="http://127.0.0.1:9/api/v1")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"type": "B2B"}, "name: Field required"),
        ({"name": "Enterprise CMO"}, "type: Field required"),
        ({"name": "X", "type": "B2B"}, "name: String should have at least 2 characters"),
        ({"name": "Enterprise CMO", "type": "B2X"}, "type: Input should be 'B2B' or 'B2C'"),
        (
            {"name": "Enterprise CMO", "type": "B2B", "pipeline_type": "basic"},
            "pipeline_type: Input should be 'north_star', 'intermediate' or 'advanced'",
        ),
        ({"name": "Enterprise CMO", "type": "B2B", "goals": "grow"}, "goals: Input should be a valid list"),
        ({"name": "Enterprise CMO", "type": "B2B", "goal": ["grow"]}, "goal: Extra inputs are not permitted"),
    ],
)
def test_create_validates_before_any_request(fields: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match="Invalid custom persona field") as caught:
        MODEL.personas.create(**fields)
    assert named in str(caught.value)


def test_update_needs_a_field_and_an_id() -> None:
    with pytest.raises(ValueError, match="at least one field"):
        MODEL.personas.update("clx1abc2d0001abcdef123456")
    with pytest.raises(ValueError, match="persona_id must be a non-blank string"):
        MODEL.personas.update(" ", name="New name")
    with pytest.raises(ValueError, match="name: String should have at most 100 characters"):
        MODEL.personas.update("clx1abc2d0001abcdef123456", name="x" * 101)


def test_create_docstring_states_the_cost() -> None:
    assert "300 credits" in (type(MODEL.personas).create.__doc__ or "")


@pytest.mark.parametrize("needed", [-1, "300", True, None])
def test_require_credits_refuses_bad_amounts(needed: Any) -> None:
    from langchain_mavera import require_credits

    with pytest.raises(ValueError, match="needed must be a number of credits"):
        require_credits(needed, model=MODEL)


def test_credit_check_compares_remaining() -> None:
    usage = MaveraUsage.model_validate({"credits": {"remaining": 10}})
    assert _enough(10, usage) is usage
    with pytest.raises(MaveraCreditCheckError):
        _enough(11, usage)
    # No figure to compare: the run may start (the server still answers 402 if it must).
    assert _enough(10**6, MaveraUsage.model_validate({"object": "usage"})).credits is None


def test_usage_keeps_unknown_blocks() -> None:
    usage = MaveraUsage.model_validate({"credits": {"remaining": 1, "bonus": 5}, "seats": {"used": 2}})
    assert usage.credits is not None and usage.credits.model_extra == {"bonus": 5}
    assert usage.model_extra == {"seats": {"used": 2}}
