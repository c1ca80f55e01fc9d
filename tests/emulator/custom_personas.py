"""``POST /personas`` (create a custom persona) and ``PATCH /personas/{id}``.

Shapes follow the reference example: object ``custom_persona``, Unix-seconds
``created_at``, ``credits_charged: 300`` and every custom field under
``details``. Which create fields are required is not documented; the emulator
requires ``pipeline_type``, ``name`` and ``type`` (inferred). Patching a base
persona answers 403 ``forbidden`` (inferred). Created personas live for the
emulator process; ids are derived from the name, so recordings are stable.
"""

import threading
from typing import Any

from .errors import ApiError, invalid_field, missing_field
from .hashing import digest
from .personas import find
from .wire import JsonReply, RequestContext

CREDITS_CHARGED = 300
CREATED_AT = 1_775_124_000
PIPELINES = ("north_star", "intermediate", "advanced")
TYPES = ("B2B", "B2C")
LIST_FIELDS = (
    "role_segment",
    "primary_objectives",
    "goals",
    "pains",
    "triggers",
    "channels",
    "proof_types",
    "alternatives",
    "win_factors",
    "objections",
    "values",
    "proof_preferences",
    "tone_guardrails",
    "tech_stack",
    "procurement_constraints",
    "committee_mapping",
    "household_context",
    "lifestyle_affinities",
    "key_differentiators",
    "regulatory_context",
    "local_channels",
    "local_objections",
    "local_keywords",
)
SCALAR_FIELDS = (
    "primary_use_case",
    "buying_stage",
    "decision_role",
    "brand_voice_fit",
    "reading_level",
    "role_title",
    "seniority",
    "industry",
    "company_size",
    "budget_authority",
    "life_stage",
    "age_band",
    "income_band",
    "purchase_cadence",
    "locale_scope",
    "locale_value",
)

_lock = threading.Lock()
_CREATED: dict[str, dict[str, Any]] = {}


def _check_name(body: dict[str, Any]) -> None:
    name = body.get("name")
    if not isinstance(name, str) or not 2 <= len(name) <= 100:
        raise invalid_field("name", "Invalid value for 'name': must be a string of 2 to 100 characters.")


def _check_fields(body: dict[str, Any]) -> None:
    for key in LIST_FIELDS:
        value = body.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise invalid_field(key, f"Invalid value for '{key}': must be an array of strings.")
    weights = body.get("mcda_weights")
    if weights is not None and not isinstance(weights, dict):
        raise invalid_field("mcda_weights", "Invalid value for 'mcda_weights': must be an object.")


def _details(body: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {"pipeline_type": body["pipeline_type"], "persona_type": body["type"]}
    for key in SCALAR_FIELDS:
        details[key] = body.get(key)
    details["mcda_weights"] = body.get("mcda_weights") or {}
    details["is_localized"] = bool(body.get("is_localized", False))
    for key in LIST_FIELDS:
        details[key] = list(body.get(key) or [])
    return details


def create_persona(ctx: RequestContext) -> JsonReply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    for key in ("pipeline_type", "name", "type"):
        if body.get(key) in (None, ""):
            raise missing_field(key)
    if body["pipeline_type"] not in PIPELINES:
        raise invalid_field(
            "pipeline_type", f"Invalid value for 'pipeline_type': one of {', '.join(PIPELINES)}."
        )
    if body["type"] not in TYPES:
        raise invalid_field("type", "Invalid value for 'type': one of B2B, B2C.")
    _check_name(body)
    _check_fields(body)
    persona_id = "clxc" + digest("custom", body["name"])[:21]
    description = (
        body.get("description")
        or f"{body['name']}: a {body['type']} persona built by the {body['pipeline_type']} pipeline."
    )
    persona = {
        "id": persona_id,
        "object": "custom_persona",
        "name": body["name"],
        "category": "Custom",
        "description": description,
        "pipeline_type": body["pipeline_type"],
        "type": body["type"],
        "is_custom": True,
        "created_at": CREATED_AT,
        "credits_charged": CREDITS_CHARGED,
        "details": _details(body),
    }
    with _lock:
        _CREATED[persona_id] = persona
    return JsonReply(persona, status=201)


def _existing(persona_id: str) -> dict[str, Any]:
    with _lock:
        created = _CREATED.get(persona_id)
    if created is not None:
        return created
    base = find(persona_id)
    if base is None:
        raise ApiError(404, f"Persona '{persona_id}' was not found.", code="resource_not_found")
    if not base.is_custom:
        raise ApiError(
            403, "Only custom personas can be updated; base personas are read-only.", code="forbidden"
        )
    # A catalogue persona flagged custom: give it the custom shape on first update.
    return {
        **base.public(),
        "object": "custom_persona",
        "pipeline_type": "north_star",
        "type": "B2B",
        "credits_charged": CREDITS_CHARGED,
        "details": _details({"pipeline_type": "north_star", "type": "B2B"}),
    }


def update_persona(ctx: RequestContext) -> JsonReply:
    persona_id = ctx.path_params["persona_id"]
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if "name" in body:
        _check_name(body)
    _check_fields(body)
    persona = _existing(persona_id)
    updated = {**persona, "details": dict(persona["details"])}
    for key, value in body.items():
        if key in ("name", "description"):
            updated[key] = value
        else:
            updated["details"][key] = value  # a PATCHed array replaces the old one (inferred)
    with _lock:
        _CREATED[persona_id] = updated
    return JsonReply(updated)
