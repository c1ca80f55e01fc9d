"""News for an audience: personalized stories, story details, analysis and story chat.

Documented: the paths, ``persona_ids`` (required, comma-separated), ``size``
(default 15, at most 50), ``include_history``, the story, analysis and chat
shapes, ``message`` at most 2000 characters and ``conversation_history`` at
most 20 items. Inferred: the error codes (400 ``missing_field`` /
``invalid_field`` / ``invalid_persona``, 404 ``resource_not_found``), the
history item shape ``{role, content}``, sentiment as fractions, and a 0-100
``confidence``. The stories are invented and fixed.
"""

from typing import Any

from .errors import ApiError, invalid_field, missing_field
from .hashing import Chooser, digest
from .personas import Persona, find
from .wire import JsonReply, RequestContext

DEFAULT_SIZE = 15
MAX_SIZE = 50
MAX_MESSAGE = 2000
MAX_HISTORY = 20
ANALYZED_AT = "2026-04-02T10:30:00Z"


def _story(
    index: int,
    slug: str,
    name: str,
    categories: list[str],
    topics: list[str],
    summary: str,
    key_points: list[str],
    keywords: set[str],
) -> dict[str, Any]:
    return {
        "id": f"st_{digest('story', slug)[:6]}",
        "slug": slug,
        "name": name,
        "summary": summary,
        "short_summary": summary.split(". ")[0] + ".",
        "image_url": f"https://img.example.com/{slug}.jpg",
        "created_at": f"2026-04-0{index + 1}T08:00:00Z",
        "updated_at": f"2026-04-0{index + 1}T16:30:00Z",
        "article_count": 12 + 7 * index,
        "unique_sources": 5 + 3 * index,
        "sentiment": {
            "positive": round(0.1 + 0.1 * (index % 4), 2),
            "negative": round(0.3 - 0.05 * (index % 3), 2),
            "neutral": 0.5,
        },
        "categories": categories,
        "topics": topics,
        "key_points": key_points,
        "_keywords": keywords,
    }


STORIES: tuple[dict[str, Any], ...] = (
    _story(
        0,
        "eu-ai-act-guidance",
        "EU finalizes AI Act guidance",
        ["technology"],
        ["AI regulation", "privacy"],
        "The European Commission published final guidance for general-purpose AI models. Providers must "
        "document training data and report serious incidents from August.",
        ["Guidance covers general-purpose models", "Fines reach 3% of global turnover"],
        {"tech", "ai", "regulation", "business", "it", "saas", "security"},
    ),
    _story(
        1,
        "refill-stations-spread",
        "Supermarkets roll out refill stations",
        ["business"],
        ["retail", "sustainability"],
        "Three national grocery chains are adding refill stations for detergent and dry goods. Early "
        "pilots show refills priced 8% below packaged equivalents.",
        ["Refills priced 8% below packaged goods", "Pilot stores report repeat visits up 12%"],
        {"eco", "shopper", "retail", "sustainability", "parent", "consumer", "price"},
    ),
    _story(
        2,
        "creator-economy-payouts",
        "Short-video platforms raise creator payouts",
        ["entertainment"],
        ["creator economy", "social media"],
        "Two short-video platforms raised revenue shares for creators with over 10,000 followers. Analysts "
        "expect brand deals to shift toward micro-creators.",
        ["Revenue share rises to 55%", "Brand deals shift to micro-creators"],
        {"gen z", "gamer", "social", "student", "consumer", "creator"},
    ),
    _story(
        3,
        "rate-cut-small-business",
        "Central bank signals a rate cut",
        ["business"],
        ["interest rates", "small business lending"],
        "The central bank signalled a quarter-point cut next month. Small-business lenders say loan demand "
        "is already picking up.",
        ["A quarter-point cut is expected", "Small-business loan demand is rising"],
        {"business", "owner", "cfo", "founder", "finance", "farmer", "cash"},
    ),
    _story(
        4,
        "hospital-ai-scribes",
        "Hospitals adopt AI scribes",
        ["health", "technology"],
        ["healthcare", "AI adoption"],
        "Regional hospital systems are deploying AI note-taking for clinicians. Early data shows 40 minutes "
        "saved per clinician per day, with compliance reviews pending.",
        ["40 minutes saved per clinician per day", "Compliance reviews are pending"],
        {"healthcare", "cfo", "hospital", "ai", "it", "compliance"},
    ),
    _story(
        5,
        "travel-premium-demand",
        "Premium travel demand hits a record",
        ["business"],
        ["travel", "luxury"],
        "Airlines report record bookings in premium cabins. Hotels see longer stays from remote workers "
        "combining work and leisure.",
        ["Premium cabin bookings at a record", "Longer hotel stays from remote workers"],
        {"luxury", "traveler", "travel", "retired", "boomer", "income"},
    ),
)
_BY_ID = {story["id"]: story for story in STORIES}


def _public(story: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "name",
        "summary",
        "short_summary",
        "image_url",
        "created_at",
        "updated_at",
        "article_count",
        "unique_sources",
        "sentiment",
        "categories",
        "topics",
        "key_points",
    )
    return {key: story[key] for key in keep}


def _relevance(story: dict[str, Any], personas: list[Persona]) -> int:
    text = " ".join(f"{p.name} {p.description} {p.category}" for p in personas).lower()
    return sum(1 for word in story["_keywords"] if word in text)


def _size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_SIZE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_SIZE:
        raise invalid_field("size", f"Invalid value for 'size': must be an integer between 1 and {MAX_SIZE}.")
    return value


def _personas(raw: str | None) -> list[Persona]:
    ids = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not ids:
        raise missing_field("persona_ids")
    personas = []
    for persona_id in ids:
        persona = find(persona_id)
        if persona is None:
            raise ApiError(
                400, f"Persona '{persona_id}' was not found.", code="invalid_persona", param="persona_ids"
            )
        personas.append(persona)
    return personas


def personalized(ctx: RequestContext) -> JsonReply:
    personas = _personas(ctx.query.get("persona_ids"))
    size = _size(ctx.query.get("size"))
    ranked = sorted(STORIES, key=lambda story: -_relevance(story, personas))
    keywords = sorted({word for story in ranked[:3] for word in story["_keywords"]})[:5]
    return JsonReply(
        {
            "object": "list",
            "data": [_public(story) for story in ranked[:size]],
            "personalization": {
                "personas": [{"id": p.id, "name": p.name, "category": p.category} for p in personas],
                "keywords": keywords,
            },
        }
    )


def _find_story(ctx: RequestContext) -> dict[str, Any]:
    story = _BY_ID.get(ctx.path_params["story_id"])
    if story is None:
        raise ApiError(
            404, f"Story '{ctx.path_params['story_id']}' was not found.", code="resource_not_found"
        )
    return story


def story_details(ctx: RequestContext) -> JsonReply:
    story = _find_story(ctx)
    include_history = (ctx.query.get("include_history") or "true").lower() != "false"
    body = {"object": "news_story", "slug": story["slug"], **_public(story)}
    body["unique_source_domains"] = ["reuters.com", "ft.com", "apnews.com"][: 1 + len(story["topics"])]
    body["countries"] = ["BE", "DE"]
    body["people"] = [{"wikidata_id": "Q123", "name": "Jane Doe", "count": 5}]
    body["key_points"] = [
        {"point": point, "references": [f"art_{i + 1}"]} for i, point in enumerate(story["key_points"])
    ]
    body["questions"] = [
        {
            "question": f"What changes after '{story['name']}'?",
            "answer": story["key_points"][0] + ".",
            "references": ["art_1"],
        }
    ]
    body["selected_articles"] = [
        {
            "url": f"https://reuters.com/{story['slug']}",
            "title": story["name"],
            "description": body["short_summary"],
            "source": "Reuters",
            "pub_date": story["created_at"],
        }
    ]
    body["history"] = (
        [
            {
                "triggered_at": "2026-03-30T12:00:00Z",
                "name": f"Early reports: {story['name']}",
                "summary": "First reports appeared.",
                "key_points": [story["key_points"][0]],
            }
        ]
        if include_history
        else []
    )
    return JsonReply(body)


def analyze(ctx: RequestContext) -> JsonReply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    persona_id = body.get("persona_id")
    if persona_id in (None, ""):
        raise missing_field("persona_id")
    persona = find(persona_id) if isinstance(persona_id, str) else None
    if persona is None:
        raise ApiError(
            400, f"Persona '{persona_id}' was not found.", code="invalid_persona", param="persona_id"
        )
    story = _find_story(ctx)
    choose = Chooser(digest(story["id"], persona.id))
    relevance = _relevance(story, [persona])
    mood = "Engaged and curious" if relevance else "Mildly interested, mostly indifferent"
    point = story["key_points"][0].lower()
    analysis = {
        "quick_view": f"{mood}: as a {persona.name}, '{story['name']}' matters mainly because {point}.",
        "emotional_response": f"{'Cautious optimism' if relevance else 'Detached'} on {story['topics'][0]}.",
        "cognitive_engagement": f"Would read the summary and check how {point} applies to them.",
        "behavioral_intent": "Likely to share it and adjust plans." if relevance else "Unlikely to act soon.",
        "news_contextualization": f"Fits the wider {story['categories'][0]} trend this {persona.category} "
        "audience already follows.",
        "risk_and_opportunity": f"Risk: {story['key_points'][-1].lower()}. Opportunity: early movers on "
        f"{story['topics'][-1]}.",
        "confidence": choose.integer("confidence", 60, 90),
    }
    prompt_tokens = 900 + choose.integer("prompt", 0, 400)
    completion_tokens = 300 + choose.integer("completion", 0, 200)
    return JsonReply(
        {
            "object": "news_story_analysis",
            "story_id": story["id"],
            "story_name": story["name"],
            "persona": {"id": persona.id, "name": persona.name, "category": persona.category},
            "analysis": analysis,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "credits_used": choose.integer("credits", 5, 20),
            },
            "analyzed_at": ANALYZED_AT,
        }
    )


def _history(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid_field(
            "conversation_history", "Invalid value for 'conversation_history': must be an array."
        )
    if len(raw) > MAX_HISTORY:
        raise invalid_field(
            "conversation_history", f"Invalid value for 'conversation_history': at most {MAX_HISTORY} items."
        )
    for item in raw:
        if (
            not isinstance(item, dict)
            or item.get("role") not in ("user", "assistant")
            or not isinstance(item.get("content"), str)
        ):
            raise invalid_field(
                "conversation_history", "Invalid value for 'conversation_history': items are {role, content}."
            )
    return raw


def chat(ctx: RequestContext) -> JsonReply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    message = body.get("message")
    if message in (None, ""):
        raise missing_field("message")
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        raise invalid_field(
            "message", f"Invalid value for 'message': a string of at most {MAX_MESSAGE} characters."
        )
    history = _history(body.get("conversation_history"))
    story = _find_story(ctx)
    turn = len(history) // 2 + 1
    point = story["key_points"][(turn - 1) % len(story["key_points"])]
    content = (
        f"On '{story['name']}' (turn {turn}): {point}. In short, to your question "
        f'"{message.strip()[:80]}": {story["short_summary"]}'
    )
    choose = Chooser(digest(story["id"], message, str(len(history))))
    return JsonReply(
        {
            "object": "news_story_chat",
            "story_id": story["id"],
            "story_name": story["name"],
            "message": {"role": "assistant", "content": content},
            "usage": {
                "prompt_tokens": 800 + 40 * len(history),
                "completion_tokens": len(content.split()),
                "credits_used": choose.integer("credits", 1, 5),
            },
            "created_at": ANALYZED_AT,
        }
    )
