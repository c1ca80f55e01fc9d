"""Custom personas: the request fields of `POST /personas` / `PATCH /personas/{id}` and the reply.

`MaveraPersonas.create(...)` and `.update(...)` use these. The field list is
the documented one (the reference page's list is cut off after
`local_keywords`); which create fields are required is not documented:
`name`, `type` and `pipeline_type` are required here (inferred), everything
else is optional. The enums of `buying_stage`, `decision_role`, `seniority`,
`company_size`, `age_band`, `income_band`, `locale_scope` and `reading_level`
are not documented, so any string is sent as given.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["CustomPersona", "CustomPersonaFields", "CustomPersonaSpec"]

PipelineType = Literal["north_star", "intermediate", "advanced"]
PersonaType = Literal["B2B", "B2C"]
CREATION_CREDITS = 300


class CustomPersonaFields(BaseModel):
    """Every documented custom-persona field, all optional (the body of `PATCH /personas/{id}`).

    Unknown keys are refused before any request, so a typo is not silently
    dropped by the server.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=2, max_length=100)
    description: str | None = None
    primary_use_case: str | None = None
    buying_stage: str | None = None
    """e.g. `"SOLUTION_AWARE"` (the value set is not documented)."""
    decision_role: str | None = None
    """e.g. `"ECONOMIC_BUYER"` (the value set is not documented)."""
    brand_voice_fit: str | None = None
    reading_level: str | None = None
    role_title: str | None = None
    seniority: str | None = None
    industry: str | None = None
    company_size: str | None = None
    budget_authority: str | None = None
    life_stage: str | None = None
    age_band: str | None = None
    income_band: str | None = None
    purchase_cadence: str | None = None
    is_localized: bool | None = None
    locale_scope: str | None = None
    locale_value: str | None = None
    mcda_weights: dict[str, float] | None = None
    """Decision weights, e.g. `{"price": 3, "timeToValue": 4, "risk": 2, "proof": 5, "support": 3}`."""
    role_segment: list[str] | None = None
    primary_objectives: list[str] | None = None
    goals: list[str] | None = None
    pains: list[str] | None = None
    triggers: list[str] | None = None
    channels: list[str] | None = None
    proof_types: list[str] | None = None
    alternatives: list[str] | None = None
    win_factors: list[str] | None = None
    objections: list[str] | None = None
    values: list[str] | None = None
    proof_preferences: list[str] | None = None
    tone_guardrails: list[str] | None = None
    tech_stack: list[str] | None = None
    procurement_constraints: list[str] | None = None
    committee_mapping: list[str] | None = None
    household_context: list[str] | None = None
    lifestyle_affinities: list[str] | None = None
    key_differentiators: list[str] | None = None
    regulatory_context: list[str] | None = None
    local_channels: list[str] | None = None
    local_objections: list[str] | None = None
    local_keywords: list[str] | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body: only the fields that were set (PATCH sends only what changes)."""
        return self.model_dump(exclude_none=True)


class CustomPersonaSpec(CustomPersonaFields):
    """The body of `POST /personas`: `name`, `type` and `pipeline_type` plus any optional field."""

    name: str = Field(min_length=2, max_length=100)
    type: PersonaType
    pipeline_type: PipelineType = "north_star"
    """`north_star` (name and description, the rest generated), `intermediate` or `advanced`."""


class CustomPersona(BaseModel):
    """A custom persona as `POST /personas` and `PATCH /personas/{id}` return it.

    `created_at` is Unix seconds; `credits_charged` is the creation charge
    (300), repeated on every later read. Unknown keys are kept (`model_extra`).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    name: str
    object: str = "custom_persona"
    category: str | None = None
    description: str | None = None
    pipeline_type: str | None = None
    type: str | None = None
    is_custom: bool = True
    created_at: int | None = None
    credits_charged: int | None = None
    details: dict[str, Any] = Field(default_factory=dict)


def validated(model: type[CustomPersonaFields], fields: dict[str, Any]) -> dict[str, Any]:
    """The request body, or a ValueError naming each bad field and what it allows (nothing sent)."""
    try:
        spec = model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
            for error in exc.errors()
        )
        msg = f"Invalid custom persona field(s): {problems}."
        raise ValueError(msg) from None
    return spec.body()
