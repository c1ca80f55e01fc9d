"""Helpers for the survey tests, which run against the session's emulator (`emu`, tests/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from langchain_mavera import ChatMavera
from tests.emulator import ROUTES, Emulator, Route, chat


@pytest.fixture
def model(emu: Emulator) -> ChatMavera:
    """No SDK retries, so every 429 or 5xx reaches the survey (and is seen in `attempts`)."""
    return ChatMavera(base_url=emu.base_url, api_key=emu.api_key, max_tokens=40, max_retries=0)


def chat_posts(emu: Emulator) -> list[Any]:
    return [r for r in emu.requests if r.method == "POST" and r.path == "/chat/completions"]


def cell_of(request: Any) -> tuple[str, str]:
    """(prompt, persona_id) of a recorded chat request: which cell it asked."""
    body = request.json
    return body["messages"][-1]["content"], body["persona_id"]


def slow_routes(delay: float | Callable[[Any], float]) -> tuple[Route, ...]:
    """The emulator's routes with each chat answer held back `delay` seconds (or `delay(body)`)."""

    def slow_chat(ctx: Any) -> Any:
        time.sleep(delay(ctx.body or {}) if callable(delay) else delay)
        return chat.create_chat_completion(ctx)

    return tuple(
        Route(route.method, route.template, slow_chat) if route.template == "/chat/completions" else route
        for route in ROUTES
    )
