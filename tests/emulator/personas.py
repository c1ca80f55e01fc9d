"""Personas: ``GET /personas`` and ``GET /personas/{id}`` over the catalogue in
``data/personas.json``, and custom personas (``POST /personas``, ``PATCH /personas/{id}``).

The first two catalogue entries are the documented examples; the rest are invented but shaped
the same way, with fixed ``created_at`` so listings are byte-identical between recordings.
Custom personas follow the reference example (object ``custom_persona``, ``credits_charged:
300``, every custom field under ``details``). Inferred, the docs being silent: ``pipeline_type``,
``name`` and ``type`` are required; patching a base persona answers 403 ``forbidden``.
Created personas live for the process; their ids come from the name, so recordings are stable.
"""

import base64
import binascii
import threading
from contextlib import suppress
from dataclasses import asdict, dataclass
from typing import Any

from .wire import (
    ApiError,
    JsonReply,
    RequestContext,
    bad_value,
    digest,
    load,
    missing_field,
    not_found,
)

_DATA = load("personas")
LIST_FIELDS: list[str] = _DATA["custom_list_fields"]
SCALAR_FIELDS: list[str] = _DATA["custom_scalar_fields"]
MAX_LIMIT = 100
CREDITS_CHARGED = 300


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    category: str
    description: str
    is_custom: bool
    is_expert: bool
    created_at: int

    def public(self) -> dict[str, Any]:
        """The wire shape; the persona prompt is never exposed, as documented."""
        return {"id": self.id, "object": "persona", **asdict(self)}


# One day apart from the first documented persona's created_at.
PERSONAS = tuple(
    Persona(pid, name, category, description, custom, expert, 1_706_140_800 + i * 86_400)
    for i, (pid, name, category, description, custom, expert) in enumerate(_DATA["catalogue"])
)
_POSITION = {persona.id: index for index, persona in enumerate(PERSONAS)}
_lock = threading.Lock()
_CREATED: dict[str, dict[str, Any]] = {}


def find(persona_id: str) -> Persona | None:
    return PERSONAS[_POSITION[persona_id]] if persona_id in _POSITION else None


def get_persona(ctx: RequestContext) -> JsonReply:
    persona = find(ctx.path_params["persona_id"])
    if persona is None:
        raise not_found("Persona", ctx.path_params["persona_id"])
    return JsonReply(persona.public())


def list_personas(ctx: RequestContext) -> JsonReply:
    category, needle = ctx.query.get("category"), (ctx.query.get("search") or "").lower()
    custom = ctx.query.get("is_custom")
    if custom is not None and custom.lower() not in ("true", "false"):
        raise bad_value("is_custom", "must be true or false.")
    matches = [
        p
        for p in PERSONAS
        if (not category or p.category.lower() == category.lower())
        and (custom is None or p.is_custom == (custom.lower() == "true"))
        and needle in f"{p.name}\n{p.description}".lower()
    ]
    limit = _bounded_int(ctx.query.get("limit"), "limit", 50, MAX_LIMIT)
    start = 0
    if "cursor" in ctx.query:
        # The cursor names the last persona of the previous page: opaque, yet stable.
        persona_id = _decode_cursor(ctx.query["cursor"])
        if persona_id not in _POSITION:
            raise bad_value("cursor", "unknown or expired cursor.")
        start = sum(1 for p in matches if _POSITION[p.id] <= _POSITION[persona_id])
    page = matches[start : start + limit]
    has_more = start + limit < len(matches)
    cursor = (
        base64.urlsafe_b64encode(f"after:{page[-1].id}".encode()).decode().rstrip("=") if has_more else None
    )
    return JsonReply(
        {"object": "list", "data": [p.public() for p in page], "has_more": has_more, "next_cursor": cursor}
    )


def _bounded_int(raw: str | None, param: str, default: int, maximum: int) -> int:
    """A query integer in [1, maximum]; shared by the persona and news listings."""
    if raw is None:
        return default
    value = 0
    with suppress(ValueError):
        value = int(raw)
    if not 1 <= value <= maximum:
        raise bad_value(param, f"must be an integer between 1 and {maximum}.")
    return value


def _decode_cursor(cursor: str) -> str | None:
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    prefix, _, persona_id = text.partition(":")
    return persona_id if prefix == "after" else None


def _check_fields(body: dict[str, Any]) -> None:
    name = body.get("name")
    if "name" in body and not (isinstance(name, str) and 2 <= len(name) <= 100):
        raise bad_value("name", "must be a string of 2 to 100 characters.")
    for key in LIST_FIELDS:
        value = body.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise bad_value(key, "must be an array of strings.")
    if body.get("mcda_weights") is not None and not isinstance(body["mcda_weights"], dict):
        raise bad_value("mcda_weights", "must be an object.")


def _details(body: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {"pipeline_type": body["pipeline_type"], "persona_type": body["type"]}
    details |= {key: body.get(key) for key in SCALAR_FIELDS}
    details |= {
        "mcda_weights": body.get("mcda_weights") or {},
        "is_localized": bool(body.get("is_localized", False)),
    }
    return details | {key: list(body.get(key) or []) for key in LIST_FIELDS}


def create_persona(ctx: RequestContext) -> JsonReply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    for key in ("pipeline_type", "name", "type"):
        if body.get(key) in (None, ""):
            raise missing_field(key)
    if body["pipeline_type"] not in ("north_star", "intermediate", "advanced"):
        raise bad_value("pipeline_type", "one of north_star, intermediate, advanced.")
    if body["type"] not in ("B2B", "B2C"):
        raise bad_value("type", "one of B2B, B2C.")
    _check_fields(body)
    persona_id = "clxc" + digest("custom", body["name"])[:21]
    built = f"{body['name']}: a {body['type']} persona built by the {body['pipeline_type']} pipeline."
    persona = {
        "id": persona_id,
        "object": "custom_persona",
        "name": body["name"],
        "category": "Custom",
        "description": body.get("description") or built,
        "pipeline_type": body["pipeline_type"],
        "type": body["type"],
        "is_custom": True,
        "created_at": 1_775_124_000,
        "credits_charged": CREDITS_CHARGED,
        "details": _details(body),
    }
    with _lock:
        _CREATED[persona_id] = persona
    return JsonReply(persona, status=201)


def update_persona(ctx: RequestContext) -> JsonReply:
    persona_id = ctx.path_params["persona_id"]
    body = ctx.body if isinstance(ctx.body, dict) else {}
    _check_fields(body)
    with _lock:
        persona = _CREATED.get(persona_id)
    if persona is None:
        base = find(persona_id)
        if base is None:
            raise not_found("Persona", persona_id)
        if not base.is_custom:
            message = "Only custom personas can be updated; base personas are read-only."
            raise ApiError(403, message, code="forbidden")
        # A catalogue persona flagged custom gets the custom shape on its first update.
        defaults = {"pipeline_type": "north_star", "type": "B2B"}
        persona = {
            **base.public(),
            "object": "custom_persona",
            **defaults,
            "credits_charged": CREDITS_CHARGED,
        }
        persona["details"] = _details(defaults)
    updated = {**persona, "details": dict(persona["details"])}
    for key, value in body.items():
        # A PATCHed array replaces the old one (inferred).
        (updated if key in ("name", "description") else updated["details"])[key] = value
    with _lock:
        _CREATED[persona_id] = updated
    return JsonReply(updated)
