"""Mave research: ``POST /mave/chat`` (JSON or SSE) and ``GET /mave/threads/{id}``.

Documented: the request fields, the ``mave_message`` reply and the event
names ``content``, ``sources``, ``validation`` and ``done``. Inferred (the
docs are silent): the SSE framing (``event:`` line *and* a ``type`` key), the
keys inside each event, the optional ``validation`` object
(``confidence_score``, ``hallucination_risk``, ``unsupported_claims``), the
superset source shape, and 429 when more than 10 requests are in flight.
``LATENCY`` (seconds, default 0) lets tests hold requests in flight.
"""

import re
import threading
import time
from typing import Any

from .errors import ApiError, invalid_field, missing_field
from .hashing import Chooser, digest
from .personas import PERSONAS
from .wire import JsonReply, RequestContext, StreamReply

MAX_IN_FLIGHT = 10
LATENCY = 0.0
CREATED_AT = "2026-04-02T10:15:00Z"

_SOURCES: tuple[dict[str, str], ...] = (
    {
        "title": "EV registrations Q1",
        "url": "https://example.com/ev-q1",
        "domain": "example.com",
        "snippet": "Battery-electric registrations rose 18% year on year across the EU.",
        "source_type": "news",
    },
    {
        "title": "Refill packaging survey 2026",
        "url": "https://research.example.org/refill-2026",
        "domain": "research.example.org",
        "snippet": "61% of shoppers under 30 would pay more for refillable "
        "packaging if the price gap stays under 10%.",
        "source_type": "web",
    },
    {
        "title": "Search demand: sustainable packaging",
        "url": "https://seo.example.net/sustainable-packaging",
        "domain": "seo.example.net",
        "snippet": "Searches for 'refill station near me' doubled in 12 months.",
        "source_type": "seo",
    },
    {
        "title": "Gen Z spending report",
        "url": "https://news.example.com/genz-spending",
        "domain": "news.example.com",
        "snippet": "Gen Z shoppers cite price and convenience before values.",
        "source_type": "news",
    },
    {
        "title": "Subscription fatigue index",
        "url": "https://insights.example.io/subscription-fatigue",
        "domain": "insights.example.io",
        "snippet": "Average household cancelled 2.3 subscriptions last year.",
        "source_type": "web",
    },
    {
        "title": "B2B buying committees",
        "url": "https://b2b.example.com/committees",
        "domain": "b2b.example.com",
        "snippet": "Enterprise deals now involve 6 to 10 decision makers on average.",
        "source_type": "knowledge_base",
    },
)

_lock = threading.Lock()
_in_flight = 0
_THREADS: dict[str, dict[str, Any]] = {}


def _text(source: dict[str, str]) -> str:
    return f"{source['title']} {source['snippet']}".lower()


class _Slot:
    """Counts requests in flight; the 11th concurrent one is refused like a rate limit."""

    def __enter__(self) -> None:
        global _in_flight
        with _lock:
            if _in_flight >= MAX_IN_FLIGHT:
                message = f"Too many concurrent Mave requests: at most {MAX_IN_FLIGHT} may run at once."
                raise ApiError(429, message, code="rate_limit_exceeded", headers={"Retry-After": "1"})
            _in_flight += 1

    def __exit__(self, *exc: object) -> None:
        global _in_flight
        with _lock:
            _in_flight -= 1


def _message(body: Any) -> str:
    if not isinstance(body, dict) or body.get("message") in (None, ""):
        raise missing_field("message")
    message = body["message"]
    if not isinstance(message, str):
        raise invalid_field("message", "Invalid value for 'message': must be a string.")
    return message


def _thread(body: dict[str, Any], message: str) -> dict[str, Any]:
    thread_id = body.get("thread_id")
    with _lock:
        if thread_id is not None:
            thread = _THREADS.get(thread_id) if isinstance(thread_id, str) else None
            if thread is None:
                raise ApiError(404, f"Mave thread '{thread_id}' was not found.", code="resource_not_found")
            return thread
        new_id = "mave_thread_" + digest("thread", message)[:12]
        thread = _THREADS.setdefault(new_id, {"id": new_id, "title": message[:100], "messages": []})
        thread["messages"] = []
        return thread


def _answer(message: str, thread: dict[str, Any]) -> dict[str, Any]:
    choose = Chooser(digest(thread["id"], message, str(len(thread["messages"]))))
    count = choose.integer("count", 2, 3)
    words = set(re.findall(r"[a-z0-9]+", message.lower()))
    order = sorted(
        range(len(_SOURCES)),
        key=lambda i: (
            -len(words & set(re.findall(r"[a-z0-9]+", _text(_SOURCES[i])))),
            choose.fraction(f"s{i}"),
        ),
    )
    sources = [dict(_SOURCES[i]) for i in order[:count]]
    for index, source in enumerate(sources):
        source["id"] = f"src_{index + 1}"
    personas = [PERSONAS[choose.integer(f"persona{i}", 0, len(PERSONAS) - 1)] for i in range(2)]
    personas_used = list({p.id: {"id": p.id, "name": p.name} for p in personas}.values())
    follow_up = " Building on the earlier research in this thread," if thread["messages"] else ""
    cited = " ".join(f"{s['snippet']} [{i + 1}]" for i, s in enumerate(sources))
    names = " and ".join(p["name"] for p in personas_used)
    content = (
        f"Research summary for: {message.strip()}{follow_up} the evidence points one way. {cited} "
        f"Seen through the {names} lens, price and convenience decide more than stated values."
    )
    credits = choose.integer("credits", 10, 15) if len(message) < 80 else choose.integer("credits", 20, 30)
    validation = {
        "confidence_score": round(0.7 + 0.25 * choose.fraction("confidence"), 2),
        "hallucination_risk": choose.pick("risk", ("low", "low", "medium")),
        "unsupported_claims": [],
    }
    return {
        "id": "msg_" + digest(thread["id"], message, str(len(thread["messages"])))[:10],
        "object": "mave_message",
        "thread_id": thread["id"],
        "role": "assistant",
        "content": content,
        "sources": sources,
        "personas_used": personas_used,
        "validation": validation,
        "usage": {"credits_used": credits},
        "created_at": CREATED_AT,
    }


def _remember(thread: dict[str, Any], message: str, reply: dict[str, Any]) -> None:
    with _lock:
        thread["messages"] += [
            {
                "id": reply["id"] + "_q",
                "role": "user",
                "content": message,
                "persona": None,
                "created_at": CREATED_AT,
            },
            {
                "id": reply["id"],
                "role": "assistant",
                "content": reply["content"],
                "persona": reply["personas_used"][0],
                "created_at": CREATED_AT,
            },
        ]
        thread["sources"] = reply["sources"]
        thread["personas_used"] = reply["personas_used"]
        thread["credits_used"] = thread.get("credits_used", 0) + reply["usage"]["credits_used"]


def _stream(reply: dict[str, Any]) -> StreamReply:
    words = reply["content"].split(" ")
    pieces = [
        " ".join(words[i : i + 6]) + (" " if i + 6 < len(words) else "") for i in range(0, len(words), 6)
    ]
    items: list[Any] = [{"type": "content", "content": piece} for piece in pieces]
    items.append({"type": "sources", "sources": reply["sources"]})
    items.append({"type": "validation", "validation": reply["validation"]})
    items.append(
        {
            "type": "done",
            "id": reply["id"],
            "thread_id": reply["thread_id"],
            "personas_used": reply["personas_used"],
            "usage": reply["usage"],
            "created_at": reply["created_at"],
        }
    )
    return StreamReply(items)


def mave_chat(ctx: RequestContext) -> JsonReply | StreamReply:
    message = _message(ctx.body)
    body: dict[str, Any] = ctx.body
    with _Slot():
        if LATENCY:
            time.sleep(LATENCY)
        thread = _thread(body, message)
        reply = _answer(message, thread)
        _remember(thread, message, reply)
    if body.get("stream") is True:
        return _stream(reply)
    return JsonReply(reply)


def get_thread(ctx: RequestContext) -> JsonReply:
    thread_id = ctx.path_params["thread_id"]
    with _lock:
        thread = _THREADS.get(thread_id)
        if thread is None:
            raise ApiError(404, f"Mave thread '{thread_id}' was not found.", code="resource_not_found")
        body = {
            "id": thread["id"],
            "object": "mave_thread",
            "title": thread["title"],
            "current_phase": "VALIDATION",
            "complexity": "MODERATE",
            "credits_used": thread.get("credits_used", 0),
            "workspace_id": "ws_abc123",
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
            "messages": list(thread["messages"]),
            "sources": list(thread.get("sources", [])),
            "personas_used": list(thread.get("personas_used", [])),
        }
    return JsonReply(body)
