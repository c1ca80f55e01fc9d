"""Mave research: ``POST /mave/chat`` (JSON or SSE) and ``GET /mave/threads/{id}``.

Documented: the request fields, the ``mave_message`` reply and the event names ``content``,
``sources``, ``validation`` and ``done``. Inferred (the docs are silent): the SSE framing
(``event:`` line *and* a ``type`` key), the keys inside each event, the optional
``validation`` object, the superset source shape (``data/mave_sources.json``), and 429 when
more than 10 requests are in flight. ``LATENCY`` (seconds) lets tests hold requests in flight.
"""

import re
import threading
import time
from typing import Any

from .language import say
from .personas import PERSONAS
from .wire import (
    ApiError,
    Chooser,
    JsonReply,
    RequestContext,
    StreamReply,
    bad_value,
    digest,
    load,
    missing_field,
    not_found,
)

MAX_IN_FLIGHT = 10
LATENCY = 0.0
CREATED_AT = "2026-04-02T10:15:00Z"
SOURCES: list[dict[str, str]] = load("mave_sources")
_WORDS = [set(re.findall(r"[a-z0-9]+", f"{s['title']} {s['snippet']}".lower())) for s in SOURCES]
_lock = threading.Lock()
_in_flight = 0
_THREADS: dict[str, dict[str, Any]] = {}


def _thread(body: dict[str, Any], message: str) -> dict[str, Any]:
    thread_id = body.get("thread_id")
    with _lock:
        if thread_id is None:
            new_id = "mave_thread_" + digest("thread", message)[:12]
            thread = _THREADS.setdefault(new_id, {"id": new_id, "title": message[:100]})
            thread["messages"] = []
            return thread
        if not isinstance(thread_id, str) or thread_id not in _THREADS:
            raise not_found("Mave thread", str(thread_id))
        return _THREADS[thread_id]


def _answer(message: str, thread: dict[str, Any]) -> dict[str, Any]:
    turn = digest(thread["id"], message, str(len(thread["messages"])))
    choose = Chooser(turn)
    words = set(re.findall(r"[a-z0-9]+", message.lower()))
    order = sorted(range(len(SOURCES)), key=lambda i: (-len(words & _WORDS[i]), choose.fraction(f"s{i}")))
    sources = [
        {**SOURCES[i], "id": f"src_{n + 1}"} for n, i in enumerate(order[: choose.integer("count", 2, 3)])
    ]
    personas = [PERSONAS[choose.integer(f"persona{i}", 0, len(PERSONAS) - 1)] for i in range(2)]
    personas_used = list({p.id: {"id": p.id, "name": p.name} for p in personas}.values())
    content = say(
        "mave",
        question=message.strip(),
        follow_up=say("mave_follow_up") if thread["messages"] else "",
        cited=" ".join(f"{s['snippet']} [{i + 1}]" for i, s in enumerate(sources)),
        names=" and ".join(p["name"] for p in personas_used),
    )
    credits = choose.integer("credits", 10, 15) if len(message) < 80 else choose.integer("credits", 20, 30)
    validation = {
        "confidence_score": round(0.7 + 0.25 * choose.fraction("confidence"), 2),
        "hallucination_risk": choose.pick("risk", ("low", "low", "medium")),
        "unsupported_claims": [],
    }
    return {
        "id": "msg_" + turn[:10],
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


def mave_chat(ctx: RequestContext) -> JsonReply | StreamReply:
    global _in_flight
    body = ctx.body
    if not isinstance(body, dict) or body.get("message") in (None, ""):
        raise missing_field("message")
    message = body["message"]
    if not isinstance(message, str):
        raise bad_value("message", "must be a string.")
    with _lock:
        if _in_flight >= MAX_IN_FLIGHT:
            refusal = f"Too many concurrent Mave requests: at most {MAX_IN_FLIGHT} may run at once."
            raise ApiError(429, refusal, code="rate_limit_exceeded", headers={"Retry-After": "1"})
        _in_flight += 1
    try:
        time.sleep(LATENCY)
        thread = _thread(body, message)
        reply = _answer(message, thread)
        with _lock:
            asked = {"id": reply["id"] + "_q", "role": "user", "content": message, "persona": None}
            answered = {"id": reply["id"], "role": "assistant", "content": reply["content"]}
            answered["persona"] = reply["personas_used"][0]
            thread["messages"] += [
                {**asked, "created_at": CREATED_AT},
                {**answered, "created_at": CREATED_AT},
            ]
            thread["sources"], thread["personas_used"] = reply["sources"], reply["personas_used"]
            thread["credits_used"] = thread.get("credits_used", 0) + reply["usage"]["credits_used"]
    finally:
        with _lock:
            _in_flight -= 1
    if body.get("stream") is not True:
        return JsonReply(reply)
    words = reply["content"].split(" ")
    pieces = [
        " ".join(words[i : i + 6]) + (" " if i + 6 < len(words) else "") for i in range(0, len(words), 6)
    ]
    done = {key: reply[key] for key in ("id", "thread_id", "personas_used", "usage", "created_at")}
    return StreamReply(
        [
            *({"type": "content", "content": piece} for piece in pieces),
            {"type": "sources", "sources": reply["sources"]},
            {"type": "validation", "validation": reply["validation"]},
            {"type": "done", **done},
        ]
    )


def get_thread(ctx: RequestContext) -> JsonReply:
    thread_id = ctx.path_params["thread_id"]
    with _lock:
        if thread_id not in _THREADS:
            raise not_found("Mave thread", thread_id)
        thread = _THREADS[thread_id]
        return JsonReply(
            {
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
        )
