"""GET /usage, the credit pre-flight, and custom persona create/update, on cassettes.

Replayed offline by default; `python scripts/record_cassettes.py -k test_usage_and_custom_personas`
re-records them from the emulator.
"""

from __future__ import annotations

import pytest

from langchain_mavera import (
    ChatMavera,
    CustomPersona,
    MaveraCreditCheckError,
    MaveraNotFoundError,
    MaveraPermissionDeniedError,
    MaveraUsage,
    PersonaPanel,
    afetch_usage,
    fetch_usage,
    require_credits,
)

pytestmark = pytest.mark.vcr

GEN_Z = "clx1abc2d0001abcdef123456"
SAAS_CMO = "clx2xyz9e0002abcdef789012"


def test_fetch_usage_is_typed() -> None:
    usage = fetch_usage(model=ChatMavera())
    assert isinstance(usage, MaveraUsage)
    assert usage.credits is not None
    assert (usage.credits.used, usage.credits.included, usage.credits.remaining) == (2500, 5000, 2500)
    assert usage.credits_remaining == 2500
    assert usage.rate_limit is not None and usage.rate_limit.requests_per_minute == 120
    assert usage.billing_period is not None and usage.billing_period.end == "2024-03-31T23:59:59.999Z"
    assert usage.limits == {"budget_alert": 4000, "usage_limit": None}


async def test_afetch_usage_with_settings() -> None:
    usage = await afetch_usage()  # MAVERA_API_KEY / MAVERA_BASE_URL, as for chat
    assert usage.credits_remaining == 2500


def test_require_credits_passes_when_enough_remain() -> None:
    usage = require_credits(300, model=ChatMavera())
    assert usage.credits_remaining == 2500


def test_require_credits_refuses_before_a_fan_out() -> None:
    with pytest.raises(MaveraCreditCheckError) as caught:
        require_credits(3000, model=ChatMavera())
    assert caught.value.needed == 3000
    assert caught.value.remaining == 2500
    assert "3000 credits are needed but only 2500 remain" in str(caught.value)


def test_panel_checks_credits_before_asking_anyone() -> None:
    # The cassette holds GET /usage only: had the panel asked a persona, replay would fail loudly.
    panel = PersonaPanel(model=ChatMavera(), personas=[GEN_Z, SAAS_CMO], min_credits=5000)
    with pytest.raises(MaveraCreditCheckError):
        panel.invoke("Would you pay more for refillable packaging?")


async def test_panel_async_checks_credits_before_asking_anyone() -> None:
    panel = PersonaPanel(model=ChatMavera(), personas=[GEN_Z], min_credits=5000)
    with pytest.raises(MaveraCreditCheckError):
        await panel.ainvoke("Would you pay more for refillable packaging?")


def test_create_custom_persona() -> None:
    persona = ChatMavera().personas.create(
        name="Enterprise CMO",
        type="B2B",
        pipeline_type="intermediate",
        role_segment=["CMO", "VP Marketing"],
        buying_stage="SOLUTION_AWARE",
        decision_role="ECONOMIC_BUYER",
        mcda_weights={"price": 3, "timeToValue": 4, "risk": 2, "proof": 5, "support": 3},
        goals=["Increase marketing ROI"],
        pains=["Attribution challenges"],
    )
    assert isinstance(persona, CustomPersona)
    assert persona.object == "custom_persona" and persona.is_custom
    assert persona.name == "Enterprise CMO" and persona.type == "B2B"
    assert persona.credits_charged == 300
    assert isinstance(persona.created_at, int)
    assert persona.details["goals"] == ["Increase marketing ROI"]
    assert persona.details["mcda_weights"]["timeToValue"] == 4


async def test_acreate_then_aupdate_custom_persona() -> None:
    personas = ChatMavera().personas
    created = await personas.acreate(name="Churned SMB Owner", type="B2C", description="Cancelled last year.")
    updated = await personas.aupdate(created.id, name="Churned Small Business Owner", goals=["Lower costs"])
    assert updated.id == created.id
    assert updated.name == "Churned Small Business Owner"
    assert updated.details["goals"] == ["Lower costs"]
    assert updated.description == "Cancelled last year."


def test_update_replaces_only_the_sent_fields() -> None:
    personas = ChatMavera().personas
    created = personas.create(name="Hospital Buyer", type="B2B", pains=["Budget cuts"], goals=["Save time"])
    updated = personas.update(created.id, goals=["Cut readmissions"])
    assert updated.details["goals"] == ["Cut readmissions"]
    assert updated.details["pains"] == ["Budget cuts"]
    assert updated.name == "Hospital Buyer"


def test_update_base_persona_is_refused() -> None:
    with pytest.raises(MaveraPermissionDeniedError) as caught:
        ChatMavera().personas.update(GEN_Z, name="Renamed")
    assert "read-only" in (caught.value.server_message or "")


def test_update_unknown_persona_is_not_found() -> None:
    with pytest.raises(MaveraNotFoundError):
        ChatMavera().personas.update("clx_no_such_persona_0000000", name="Nobody")
