"""The persona catalogue and ``GET /personas`` / ``GET /personas/{id}``.

The first two entries are copied from the documented example; the rest are
invented but shaped the same way. Everything is fixed, including
``created_at``, so listings are byte-identical between recordings.
"""

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, invalid_field
from .wire import JsonReply, RequestContext

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
CATEGORIES = ("Generational", "Professional", "Lifestyle", "IndustrySpecific", "Expert")


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
        return {
            "id": self.id,
            "object": "persona",
            "name": self.name,
            "category": self.category,
            "description": self.description,
            "is_custom": self.is_custom,
            "is_expert": self.is_expert,
            "created_at": self.created_at,
        }


_DAY = 86_400
_EPOCH = 1_706_140_800  # created_at of the first documented persona


def _persona(
    index: int,
    id: str,
    name: str,
    category: str,
    description: str,
    *,
    custom: bool = False,
    expert: bool = False,
) -> Persona:
    created_at = _EPOCH + index * _DAY
    return Persona(id, name, category, description, custom, expert, created_at)


PERSONAS: tuple[Persona, ...] = (
    _persona(
        0,
        "clx1abc2d0001abcdef123456",
        "Gen Z Consumer",
        "Generational",
        "Digital-native consumer aged 18-25 with strong social media influence.",
    ),
    _persona(
        1,
        "clx2xyz9e0002abcdef789012",
        "SaaS CMO",
        "IndustrySpecific",
        "Chief Marketing Officer at a B2B SaaS company with $10M+ ARR.",
        custom=True,
        expert=True,
    ),
    _persona(
        2,
        "clx3mpa7k0003ghijkl345678",
        "Millennial Parent",
        "Generational",
        "Working parent in their mid-30s juggling two kids, a mortgage and a hybrid job.",
    ),
    _persona(
        3,
        "clx4rbb2m0004mnopqr901234",
        "Retired Baby Boomer",
        "Generational",
        "Retired professional in their late 60s who values reliability, good service and plain speaking.",
    ),
    _persona(
        4,
        "clx5sbo8n0005stuvwx567890",
        "Small Business Owner",
        "Professional",
        "Owner of a 12-person local services business who watches cash flow closely.",
    ),
    _persona(
        5,
        "clx6hcf3p0006yzabcd234567",
        "Healthcare CFO",
        "Expert",
        "Chief Financial Officer of a regional hospital system focused on "
        "margins, compliance and value-based care.",
        expert=True,
    ),
    _persona(
        6,
        "clx7ecs5q0007efghij890123",
        "Eco-conscious Shopper",
        "Lifestyle",
        "Values-driven shopper who checks sustainability claims and prefers low-waste, durable products.",
    ),
    _persona(
        7,
        "clx8gzg6r0008klmnop456789",
        "Gen Z Gamer",
        "Lifestyle",
        "Competitive gamer aged 18-24 who streams on Twitch and spends on in-game items.",
    ),
    _persona(
        8,
        "clx9bit4s0009qrstuv012345",
        "B2B IT Director",
        "IndustrySpecific",
        "IT Director at a 2,000-employee manufacturer responsible for security, "
        "integrations and vendor risk.",
        expert=True,
    ),
    _persona(
        9,
        "clxarfm7t0010wxyzab678901",
        "Rural Farmer",
        "IndustrySpecific",
        "Third-generation farmer running 800 acres of corn and soybeans in the Midwest.",
    ),
    _persona(
        10,
        "clxbltr9u0011cdefgh234568",
        "Luxury Traveler",
        "Lifestyle",
        "High-income traveler who books premium experiences and expects personalized service.",
    ),
    _persona(
        11,
        "clxccst1v0012ijklmn890124",
        "College Student",
        "Generational",
        "Undergraduate on a tight budget balancing classes, a part-time job and student loans.",
    ),
    _persona(
        12,
        "clxdfen2w0013opqrst456780",
        "Fitness Enthusiast",
        "Lifestyle",
        "Active 30-something who trains five days a week and tracks everything with wearables.",
    ),
    _persona(
        13,
        "clxestf5x0014uvwxyz012346",
        "Startup Founder",
        "Professional",
        "Seed-stage founder of a 10-person fintech startup moving fast on limited runway.",
        custom=True,
    ),
)

_BY_ID = {persona.id: persona for persona in PERSONAS}
_POSITION = {persona.id: index for index, persona in enumerate(PERSONAS)}


def find(persona_id: str) -> Persona | None:
    return _BY_ID.get(persona_id)


def get_persona(ctx: RequestContext) -> JsonReply:
    persona = find(ctx.path_params["persona_id"])
    if persona is None:
        raise ApiError(
            404,
            f"Persona '{ctx.path_params['persona_id']}' was not found.",
            code="resource_not_found",
        )
    return JsonReply(persona.public())


def list_personas(ctx: RequestContext) -> JsonReply:
    matches = [p for p in PERSONAS if _matches(p, ctx.query)]
    limit = _limit(ctx.query.get("limit"))
    start = _start_after(ctx.query.get("cursor"), matches)
    page = matches[start : start + limit]
    has_more = start + limit < len(matches)
    return JsonReply(
        {
            "object": "list",
            "data": [p.public() for p in page],
            "has_more": has_more,
            "next_cursor": encode_cursor(page[-1].id) if has_more else None,
        }
    )


def _matches(persona: Persona, query: Mapping[str, str]) -> bool:
    category = query.get("category")
    if category and persona.category.lower() != category.lower():
        return False
    custom = query.get("is_custom")
    if custom is not None and persona.is_custom != _boolean("is_custom", custom):
        return False
    needle = (query.get("search") or "").lower()
    haystack = f"{persona.name}\n{persona.description}".lower()
    return needle in haystack


def _boolean(param: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        message = f"Invalid value for '{param}': must be true or false."
        raise invalid_field(param, message)
    return lowered == "true"


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        message = f"Invalid value for 'limit': must be an integer between 1 and {MAX_LIMIT}."
        raise invalid_field("limit", message)
    return value


# The cursor names the last persona of the previous page. Encoding it keeps it
# opaque to clients while staying stable across recordings.
def encode_cursor(persona_id: str) -> str:
    raw = f"after:{persona_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _start_after(cursor: str | None, matches: list[Persona]) -> int:
    if cursor is None:
        return 0
    persona_id = _decode_cursor(cursor)
    if persona_id is None or persona_id not in _POSITION:
        message = "Invalid value for 'cursor': unknown or expired cursor."
        raise invalid_field("cursor", message)
    boundary = _POSITION[persona_id]
    return sum(1 for p in matches if _POSITION[p.id] <= boundary)


def _decode_cursor(cursor: str) -> str | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    prefix, _, persona_id = text.partition(":")
    return persona_id if prefix == "after" else None
