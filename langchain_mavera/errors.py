"""The public exceptions of langchain-mavera, and nothing else.

Every error for a failed Mavera call is a `MaveraError`, *and* the matching
`openai` exception, *and* the matching `langchain_core.exceptions` `Model*Error`,
so `except` clauses written for any of the three keep working. Each keeps what
the server said: `status_code`, `error_type` (the server's `type`), `code`,
`param` and `server_message`. Errors raised part-way through a stream carry the
message chunk that had already arrived in `.partial`: nothing that was received
is lost. Building them from responses lives in the private `_transport.error_mapping`.

Hierarchy (the second and third bases in brackets)::

    Exception
    ├── MaveraError
    │   ├── MaveraAuthenticationError      401  [openai.AuthenticationError, ModelAuthenticationError]
    │   ├── MaveraPermissionDeniedError    403  [openai.PermissionDeniedError, ModelPermissionDeniedError]
    │   ├── MaveraInvalidRequestError      400/409/422  [openai.BadRequestError, ModelInvalidRequestError]
    │   │   └── MaveraPersonaNotFoundError 400 invalid_persona
    │   ├── MaveraNotFoundError            404  [openai.NotFoundError, ModelNotFoundError]
    │   ├── MaveraInsufficientCreditsError 402  [openai.APIStatusError, ModelError]
    │   ├── MaveraRateLimitError           429  [openai.RateLimitError, ModelRateLimitError]
    │   ├── MaveraAPIError                 any other failure  [openai.APIError, ModelAPIError]
    │   │   ├── MaveraServerError          5xx  [openai.InternalServerError]
    │   │   └── MaveraStreamInterruptedError  a stream cut short
    │   ├── MaveraTimeoutError             [openai.APITimeoutError, ModelTimeoutError]
    │   ├── MaveraConnectionError          [openai.APIConnectionError, ModelConnectionError]
    │   ├── MaveraBudgetExceededError      a get_mavera_callback budget reached (no request sent)
    │   ├── MaveraCreditCheckError         require_credits refused (no request sent)  [RuntimeError]
    │   ├── MaveraSurveyStoreBusyError     another live run holds the survey store (no request sent)
    │   └── MaveraSurveyStoreWriteError    the survey store could not be written; keeps the answers
    ├── LookupError
    │   └── MaveraPersonaLookupError       no persona, or several, carry a name
    └── ValueError
        └── UnsupportedContentError        a content block Mavera cannot take (no request sent)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx2
import openai
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessageChunk

    from langchain_mavera.personas import MaveraPersona
    from langchain_mavera.usage import MaveraUsage

__all__ = [
    "MaveraAPIError",
    "MaveraAuthenticationError",
    "MaveraBudgetExceededError",
    "MaveraConnectionError",
    "MaveraCreditCheckError",
    "MaveraError",
    "MaveraInsufficientCreditsError",
    "MaveraInvalidRequestError",
    "MaveraNotFoundError",
    "MaveraPermissionDeniedError",
    "MaveraPersonaLookupError",
    "MaveraPersonaNotFoundError",
    "MaveraRateLimitError",
    "MaveraServerError",
    "MaveraStreamInterruptedError",
    "MaveraSurveyStoreBusyError",
    "MaveraSurveyStoreWriteError",
    "MaveraTimeoutError",
    "UnsupportedContentError",
]


class MaveraError(Exception):
    """Base of every error this package raises for a failed Mavera call."""

    status_code: Any = None
    """The HTTP status, or None when the error did not come with one."""
    error_type: str | None = None
    code: str | None = None
    param: str | None = None
    server_message: str | None = None
    raw_text: str | None = None
    """The raw response body, kept when it could not be understood."""
    partial: BaseMessageChunk | None = None
    """The message chunk that had arrived when a stream failed, else None."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle without calling `__init__` (the openai signatures differ) and without the key.

        Errors cross process boundaries in process pools; the request that rode
        along would otherwise carry the Authorization header with it.
        """
        state = dict(self.__dict__)
        request = state.get("request")
        if isinstance(request, httpx2.Request):
            state["request"] = request = _redacted_request(request)
        response = state.get("response")
        if isinstance(response, httpx2.Response):
            state["response"] = _redacted_response(response, request)
        return (_rebuild_error, (type(self), self.args, state))


_SECRET_HEADERS = frozenset({"authorization", "api-key", "x-api-key"})


def _redacted_request(request: httpx2.Request) -> httpx2.Request:
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _SECRET_HEADERS]
    return httpx2.Request(request.method, request.url, headers=headers)


def _redacted_response(response: httpx2.Response, request: Any) -> httpx2.Response:
    try:
        content = response.content
    except httpx2.ResponseNotRead:
        content = b""
    request = request if isinstance(request, httpx2.Request) else _redacted_request(response.request)
    return httpx2.Response(response.status_code, headers=response.headers, content=content, request=request)


def _rebuild_error(cls: type[MaveraError], args: tuple[Any, ...], state: dict[str, Any]) -> MaveraError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class MaveraAuthenticationError(MaveraError, openai.AuthenticationError, ModelAuthenticationError):
    """401: the API key is missing, invalid, revoked or expired."""


class MaveraPermissionDeniedError(MaveraError, openai.PermissionDeniedError, ModelPermissionDeniedError):
    """403: the key may not use this resource."""


class MaveraInvalidRequestError(MaveraError, openai.BadRequestError, ModelInvalidRequestError):
    """400/409/422: the server rejected the request; `param` names the field."""


class MaveraPersonaNotFoundError(MaveraInvalidRequestError):
    """400 `invalid_persona`: the persona_id does not exist or is not yours."""


class MaveraNotFoundError(MaveraError, openai.NotFoundError, ModelNotFoundError):
    """404: the resource (for example a persona id on GET /personas/{id}) does not exist."""


class MaveraInsufficientCreditsError(MaveraError, openai.APIStatusError, ModelError):
    """402: credits exhausted (`credits_exhausted`) or a budget hit (`budget_exceeded`)."""


class MaveraBudgetExceededError(MaveraError):
    """A `get_mavera_callback(budget=...)` budget was reached; raised before the next request is sent."""

    def __init__(self, message: str, *, budget: float, credits_used: float) -> None:
        super().__init__(message)
        self.budget = budget
        self.credits_used = credits_used
        self.result: Any = None
        """What was answered before the stop, when the call that stopped had more parts (a panel's
        `PanelResult`); None otherwise."""


class MaveraRateLimitError(MaveraError, openai.RateLimitError, ModelRateLimitError):
    """429: too many requests; `retry_after` is the server's Retry-After in seconds."""

    retry_after: float | None = None


class MaveraAPIError(MaveraError, openai.APIError, ModelAPIError):
    """Any other failure, malformed replies included (`raw_text` keeps the body)."""


class MaveraServerError(MaveraAPIError, openai.InternalServerError):
    """5xx: a server-side failure."""


class MaveraStreamInterruptedError(MaveraAPIError):
    """A stream ended before its finish_reason or `[DONE]`; `partial` holds what arrived."""


class MaveraTimeoutError(MaveraError, openai.APITimeoutError, ModelTimeoutError):
    """The request, or a stream's wait for its next chunk, timed out."""


class MaveraConnectionError(MaveraError, openai.APIConnectionError, ModelConnectionError):
    """Mavera could not be reached."""


class MaveraCreditCheckError(MaveraError, RuntimeError):
    """Raised by `require_credits` before any paid request: fewer credits remain than needed.

    A `MaveraError`, like `MaveraBudgetExceededError`, so one `except MaveraError`
    covers every refusal this package makes on the user's behalf.
    """

    def __init__(self, needed: float, usage: MaveraUsage) -> None:
        self.needed = needed
        self.remaining = usage.credits_remaining
        self.usage = usage
        super().__init__(
            f"{needed:g} credits are needed but only {self.remaining:g} remain this billing period "
            "(GET /usage); nothing was sent."
        )


class MaveraSurveyStoreBusyError(MaveraError):
    """Another live survey run holds the store; raised before any request is sent.

    `holder` says who: `pid`, `host` and `started` (ISO time), as far as that run wrote them.
    """

    def __init__(self, message: str, *, store: str, holder: dict[str, Any]) -> None:
        super().__init__(message)
        self.store = store
        self.holder = holder


class MaveraSurveyStoreWriteError(MaveraError):
    """The survey store could not be written (a full disk, a lost file); no further request was sent.

    `answers` holds every answer that arrived (and was paid for) but could not be stored,
    one dict per cell; `exported_to` is the JSON file they were also written to, or None
    when that failed too. The cause is the `sqlite3` error.
    """

    def __init__(self, message: str, *, answers: list[dict[str, Any]], exported_to: str | None) -> None:
        super().__init__(message)
        self.answers = answers
        self.exported_to = exported_to


class MaveraPersonaLookupError(LookupError):
    """No persona, or more than one, matches a name (or an id is unknown).

    `matches` holds the personas that matched exactly (several when the name is
    ambiguous) and `suggestions` the closest names when nothing matched.
    """

    def __init__(
        self, query: str, message: str, matches: list[MaveraPersona], suggestions: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.query = query
        self.matches = matches
        self.suggestions = suggestions or []


class UnsupportedContentError(ValueError):
    """A content block Mavera cannot take; raised before any request is sent."""
