"""News for an audience: personalized stories, story details, analysis and story chat.

Documented: the paths, ``persona_ids`` (required, comma-separated), ``size`` (default 15, at
most 50), ``include_history``, the story, analysis and chat shapes, ``message`` at most 2000
characters and ``conversation_history`` at most 20 items. Inferred: the error codes (400
``missing_field`` / ``invalid_field`` / ``invalid_persona``, 404 ``resource_not_found``), the
history item shape ``{role, content}``, sentiment as fractions, and a 0-100 ``confidence``.
The stories are invented and fixed (``data/news.json``).
"""

from typing import Any

from .language import TEMPLATE, say
from .personas import Persona, _bounded_int, find
from .wire import (
    ApiError,
    Chooser,
    JsonReply,
    RequestContext,
    bad_value,
    digest,
    load,
    missing_field,
    not_found,
)

MAX_MESSAGE = 2000
MAX_HISTORY = 20
ANALYZED_AT = "2026-04-02T10:30:00Z"


def _story(index: int, raw: dict[str, Any]) -> dict[str, Any]:
    day = f"2026-04-0{index + 1}"
    return {
        "id": f"st_{digest('story', raw['slug'])[:6]}",
        "name": raw["name"],
        "summary": raw["summary"],
        "short_summary": raw["summary"].split(". ")[0] + ".",
        "image_url": f"https://img.example.com/{raw['slug']}.jpg",
        "created_at": f"{day}T08:00:00Z",
        "updated_at": f"{day}T16:30:00Z",
        "article_count": 12 + 7 * index,
        "unique_sources": 5 + 3 * index,
        "sentiment": {
            "positive": round(0.1 + 0.1 * (index % 4), 2),
            "negative": round(0.3 - 0.05 * (index % 3), 2),
            "neutral": 0.5,
        },
        "categories": raw["categories"],
        "topics": raw["topics"],
        "key_points": raw["key_points"],
    }


_RAW = load("news")
STORIES = tuple(_story(index, raw) for index, raw in enumerate(_RAW))
_BY_ID = {story["id"]: (story, raw) for story, raw in zip(STORIES, _RAW, strict=True)}


def _relevance(story: dict[str, Any], personas: list[Persona]) -> int:
    text = " ".join(f"{p.name} {p.description} {p.category}" for p in personas).lower()
    return sum(1 for word in _BY_ID[story["id"]][1]["keywords"] if word in text)


def _persona(persona_id: Any, param: str) -> Persona:
    persona = find(persona_id) if isinstance(persona_id, str) else None
    if persona is None:
        raise ApiError(400, f"Persona '{persona_id}' was not found.", code="invalid_persona", param=param)
    return persona


def _find_story(ctx: RequestContext) -> dict[str, Any]:
    if ctx.path_params["story_id"] not in _BY_ID:
        raise not_found("Story", ctx.path_params["story_id"])
    return _BY_ID[ctx.path_params["story_id"]][0]


def personalized(ctx: RequestContext) -> JsonReply:
    ids = [part.strip() for part in (ctx.query.get("persona_ids") or "").split(",") if part.strip()]
    if not ids:
        raise missing_field("persona_ids")
    personas = [_persona(persona_id, "persona_ids") for persona_id in ids]
    size = _bounded_int(ctx.query.get("size"), "size", 15, 50)
    ranked = sorted(STORIES, key=lambda story: -_relevance(story, personas))
    keywords = sorted({word for story in ranked[:3] for word in _BY_ID[story["id"]][1]["keywords"]})[:5]
    audience = [{"id": p.id, "name": p.name, "category": p.category} for p in personas]
    return JsonReply(
        {
            "object": "list",
            "data": ranked[:size],
            "personalization": {"personas": audience, "keywords": keywords},
        }
    )


def story_details(ctx: RequestContext) -> JsonReply:
    story = _find_story(ctx)
    slug, name, points = _BY_ID[story["id"]][1]["slug"], story["name"], story["key_points"]
    include_history = (ctx.query.get("include_history") or "true").lower() != "false"
    history = {
        "triggered_at": "2026-03-30T12:00:00Z",
        "name": f"Early reports: {name}",
        "summary": "First reports appeared.",
        "key_points": [points[0]],
    }
    article = {
        "url": f"https://reuters.com/{slug}",
        "title": name,
        "description": story["short_summary"],
        "source": "Reuters",
        "pub_date": story["created_at"],
    }
    return JsonReply(
        {
            "object": "news_story",
            "slug": slug,
            **story,
            "key_points": [
                {"point": point, "references": [f"art_{i + 1}"]} for i, point in enumerate(points)
            ],
            "unique_source_domains": ["reuters.com", "ft.com", "apnews.com"][: 1 + len(story["topics"])],
            "countries": ["BE", "DE"],
            "people": [{"wikidata_id": "Q123", "name": "Jane Doe", "count": 5}],
            "questions": [
                {
                    "question": f"What changes after '{name}'?",
                    "answer": points[0] + ".",
                    "references": ["art_1"],
                }
            ],
            "selected_articles": [article],
            "history": [history] if include_history else [],
        }
    )


def analyze(ctx: RequestContext) -> JsonReply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if body.get("persona_id") in (None, ""):
        raise missing_field("persona_id")
    persona = _persona(body["persona_id"], "persona_id")
    story = _find_story(ctx)
    choose = Chooser(digest(story["id"], persona.id))
    relevant = _relevance(story, [persona]) > 0
    point = story["key_points"][0].lower()
    values = {
        "persona": persona.name,
        "story": story["name"],
        "point": point,
        "topic": story["topics"][0],
        "category": story["categories"][0],
        "audience": persona.category,
        "risk": story["key_points"][-1].lower(),
        "opportunity": story["topics"][-1],
    }
    analysis: dict[str, Any] = {
        key: texts[relevant].format(**values) for key, texts in TEMPLATE["news_analysis"].items()
    }
    analysis["confidence"] = choose.integer("confidence", 60, 90)
    usage = {
        "prompt_tokens": 900 + choose.integer("prompt", 0, 400),
        "completion_tokens": 300 + choose.integer("completion", 0, 200),
        "credits_used": choose.integer("credits", 5, 20),
    }
    return JsonReply(
        {
            "object": "news_story_analysis",
            "story_id": story["id"],
            "story_name": story["name"],
            "persona": {"id": persona.id, "name": persona.name, "category": persona.category},
            "analysis": analysis,
            "usage": usage,
            "analyzed_at": ANALYZED_AT,
        }
    )


def chat(ctx: RequestContext) -> JsonReply:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    message = body.get("message")
    if message in (None, ""):
        raise missing_field("message")
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        raise bad_value("message", f"a string of at most {MAX_MESSAGE} characters.")
    history = body.get("conversation_history")
    history = [] if history is None else history
    problem = None
    if not isinstance(history, list):
        problem = "must be an array."
    elif len(history) > MAX_HISTORY:
        problem = f"at most {MAX_HISTORY} items."
    elif not all(
        isinstance(item, dict)
        and item.get("role") in ("user", "assistant")
        and isinstance(item.get("content"), str)
        for item in history
    ):
        problem = "items are {role, content}."
    if problem:
        raise bad_value("conversation_history", problem)
    story = _find_story(ctx)
    turn = len(history) // 2 + 1
    point = story["key_points"][(turn - 1) % len(story["key_points"])]
    content = say(
        "news_chat",
        story=story["name"],
        turn=turn,
        point=point,
        question=message.strip()[:80],
        summary=story["short_summary"],
    )
    return JsonReply(
        {
            "object": "news_story_chat",
            "story_id": story["id"],
            "story_name": story["name"],
            "message": {"role": "assistant", "content": content},
            "usage": {
                "prompt_tokens": 800 + 40 * len(history),
                "completion_tokens": len(content.split()),
                "credits_used": Chooser(digest(story["id"], message, str(len(history)))).integer(
                    "credits", 1, 5
                ),
            },
            "created_at": ANALYZED_AT,
        }
    )
