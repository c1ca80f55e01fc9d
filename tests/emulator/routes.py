"""The routing table: (method, path template) -> handler.

To add an endpoint, write a handler and append a :class:`Route` to ``ROUTES``; the server
needs no change. Paths are relative to ``/api/v1``; ``{name}`` segments arrive in
``RequestContext.path_params``.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import chat, mave, news, personas, responses_api
from .wire import Handler, JsonReply, RequestContext, load

USAGE = load("usage")
"""``GET /usage`` answers the documented reference example, verbatim and fixed."""


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        object.__setattr__(self, "_pattern", re.compile(f"^{pattern}/?$"))

    def match(self, method: str, path: str) -> Mapping[str, str] | None:
        found = self._pattern.match(path) if method == self.method else None
        return found.groupdict() if found else None


def _usage(ctx: RequestContext) -> JsonReply:
    return JsonReply(USAGE)


ROUTES: tuple[Route, ...] = (
    Route("GET", "/personas", personas.list_personas),
    Route("GET", "/personas/{persona_id}", personas.get_persona),
    Route("POST", "/chat/completions", chat.create_chat_completion),
    Route("POST", "/responses", responses_api.create_response),
    Route("GET", "/usage", _usage),
    Route("POST", "/personas", personas.create_persona),
    Route("PATCH", "/personas/{persona_id}", personas.update_persona),
    Route("POST", "/mave/chat", mave.mave_chat),
    Route("GET", "/mave/threads/{thread_id}", mave.get_thread),
    Route("GET", "/news/stories/personalized", news.personalized),
    Route("GET", "/news/stories/{story_id}", news.story_details),
    Route("POST", "/news/stories/{story_id}/analyze", news.analyze),
    Route("POST", "/news/stories/{story_id}/chat", news.chat),
)


def resolve(routes: Sequence[Route], method: str, path: str) -> tuple[Route, Mapping[str, str]] | None:
    for route in routes:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None
