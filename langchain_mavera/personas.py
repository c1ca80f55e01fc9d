"""Persona discovery: list, search, find by name and fetch Mavera personas.

`GET /personas` costs no credits. Its filter names (`category`, `is_custom`,
`search`), the `limit` page size and cursor pagination are what Mavera's API
reference implies; the docs do not show `next_cursor` on this endpoint, so paging
follows it when present and stops when it is absent.
"""

from __future__ import annotations

import builtins
import difflib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from langchain_mavera._renames import refuse_positional_model
from langchain_mavera._transport import http as _http
from langchain_mavera._transport import rest as _rest
from langchain_mavera._transport.client import SETTING_NAMES
from langchain_mavera._transport.connection import ClientSource, model_or_settings
from langchain_mavera._transport.error_mapping import malformed_guard, malformed_reply
from langchain_mavera.errors import MaveraNotFoundError, MaveraPersonaLookupError, MaveraPersonaNotFoundError

if TYPE_CHECKING:
    from langchain_mavera.custom_personas import CustomPersona

__all__ = ["MaveraPersona", "MaveraPersonaLookupError", "MaveraPersonas"]

_PATH = "/personas"
_MAX_PAGE = 100
_CREATE_TIMEOUT = 120.0  # creation generates the whole profile; its duration is not documented
_MAX_PAGES = 1000
"""More pages than this (100,000 personas at the largest page size) means the server is paging forever."""


class MaveraPersona(BaseModel):
    """A Mavera audience persona as `GET /personas` returns it.

    Unknown keys are kept (`persona.model_extra`), so a field Mavera adds later
    is not lost; only `id` and `name` are required.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    name: str
    object: str = "persona"
    category: str | None = None
    description: str | None = None
    is_custom: bool = False
    is_expert: bool = False
    created_at: int | None = None
    """Unix seconds."""


def close_names(query: str, names: Iterable[str], n: int = 5, cutoff: float = 0.5) -> list[str]:
    """The names most like `query` (case-insensitive, difflib ratio >= `cutoff`), best first."""
    by_fold = {candidate.casefold(): candidate for candidate in sorted(set(names))}
    wanted = query.strip().casefold()
    return [by_fold[c] for c in difflib.get_close_matches(wanted, list(by_fold), n=n, cutoff=cutoff)]


def match_name(personas: Iterable[MaveraPersona], name: str) -> MaveraPersona:
    """The one persona whose name equals `name` ignoring case, or a lookup error."""
    catalogue = list(personas)
    wanted = name.strip().casefold()
    exact = [persona for persona in catalogue if persona.name.strip().casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    if exact:
        listed = "; ".join(f"{p.name!r} (id={p.id}, category={p.category})" for p in exact)
        msg = f"{len(exact)} personas are named {name!r}: {listed}. Pass the id instead."
        raise MaveraPersonaLookupError(name, msg, exact)
    close = close_names(name, (persona.name for persona in catalogue))
    hint = f" Close matches: {', '.join(repr(c) for c in close)}." if close else ""
    msg = f"No persona named {name!r} among {len(catalogue)} personas.{hint}"
    raise MaveraPersonaLookupError(name, msg, [], close)


def match_id(personas: Iterable[MaveraPersona], persona_id: str) -> MaveraPersona:
    """The persona with this exact id, or a lookup error."""
    for persona in personas:
        if persona.id == persona_id:
            return persona
    raise MaveraPersonaLookupError(persona_id, f"No persona with id {persona_id!r}.", [])


def _query(
    category: str | None, is_custom: bool | None, search: str | None, limit: int | None
) -> dict[str, Any]:
    """The list filters as query parameters; a bad page size fails before any request."""
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= _MAX_PAGE
    ):
        msg = f"limit is the page size and must be an integer from 1 to {_MAX_PAGE}, got {limit!r}."
        raise ValueError(msg)
    query: dict[str, Any] = {}
    if category is not None:
        query["category"] = category
    if is_custom is not None:
        query["is_custom"] = "true" if is_custom else "false"
    if search is not None:
        query["search"] = search
    if limit is not None:
        query["limit"] = limit
    return query


def _item_path(persona_id: object) -> str:
    """`/personas/{id}` with the id as one path segment, or a ValueError before any request."""
    return f"{_PATH}/{_rest.segment(persona_id, 'persona_id', 'clx1abc2d0001abcdef123456')}"


# The item route is undocumented: a plain 404, or a 404 naming the persona, means "scan the list".
_NOT_FOUND = (MaveraNotFoundError, MaveraPersonaNotFoundError)


def _persona(reply: _http.JSONReply) -> MaveraPersona:
    """The persona of a `GET /personas/{id}` reply; a malformed one is a MaveraAPIError."""
    with malformed_guard(reply.response, reply.response.text):
        return MaveraPersona.model_validate(reply.body)


def _page(reply: _http.JSONReply) -> tuple[list[MaveraPersona], str | None]:
    """The personas of one page and the cursor of the next, if any.

    A page of the wrong shape (`data` not a list of personas) is a MaveraAPIError
    with the raw text, not a pydantic error that looks like a bug in the caller.
    """
    body = reply.body
    with malformed_guard(reply.response, reply.response.text):
        data = body.get("data") or []
        if not isinstance(data, list):
            raise TypeError(f"data is a {type(data).__name__}, not a list")
        personas = [MaveraPersona.model_validate(item) for item in data]
    cursor = body.get("next_cursor")
    if body.get("has_more") is False or not isinstance(cursor, str) or not cursor:
        return personas, None
    return personas, cursor


class MaveraPersonas:
    """Discover Mavera personas: list with filters, find by name, get by id.

    Setup:
        Uses the same key, base URL, timeout and retries as `ChatMavera`. Either
        build one from a model (sharing its HTTP clients) or on its own:

        ```python
        from langchain_mavera import ChatMavera, MaveraPersonas

        personas = ChatMavera().personas  # shares the model's clients and settings
        personas = MaveraPersonas(api_key="mvra_live_...", timeout=30, max_retries=3)
        ```

    List:
        ```python
        for persona in personas.list(category="Generational", is_custom=False, search="gen z", limit=50):
            print(persona.id, persona.name)
        ```
        `limit` is the page size sent to the API (1 to 100); every page is
        fetched by following `next_cursor`. `alist` is the async twin.

    Find and get:
        ```python
        persona = personas.find("gen z consumer")  # case-insensitive exact name
        persona = personas.get("clx1abc2d0001abcdef123456")
        ```
        `find` raises `MaveraPersonaLookupError` (a `LookupError`) naming the
        close matches when no persona, or several, carry that name. `get` asks
        `GET /personas/{id}`; the docs do not say that route exists, so on a 404
        it scans the (free) list instead, and raises `MaveraPersonaLookupError`
        if the id is not there either.
    """

    def __init__(self, *args: object, model: ClientSource | None = None, **settings: Any) -> None:
        """Share `model`'s clients (a `ChatMavera`), or build them from ChatMavera's client settings.

        Args:
            *args: Refused: the model is passed by keyword (`model=`).
            model: The `ChatMavera` whose connection (key, base URL, timeout, clients) to share,
                by keyword.
            **settings: With no model, the `ClientSettings`: `api_key`, `base_url`, `timeout`,
                `max_retries`, `default_headers`, `http_client`, `http_async_client`, validated
                as by `ChatMavera`.
        """
        refuse_positional_model("MaveraPersonas", args)
        self._connection = model_or_settings("MaveraPersonas", model, settings, SETTING_NAMES)

    # -- sync ------------------------------------------------------------------------------------

    def list(
        self,
        *,
        category: str | None = None,
        is_custom: bool | None = None,
        search: str | None = None,
        limit: int | None = None,
    ) -> builtins.list[MaveraPersona]:
        """Every persona matching the filters, across all pages.

        Args:
            category: Only this category, e.g. `"Generational"`.
            is_custom: True for your custom personas only, False for Mavera's own.
            search: Search by name or description (server side).
            limit: Page size sent to the API, 1 to 100 (server default 50).
        """
        return [
            persona for page in self._pages(_query(category, is_custom, search, limit)) for persona in page
        ]

    def find(self, name: str) -> MaveraPersona:
        """The persona whose name equals `name`, ignoring case.

        Raises:
            MaveraPersonaLookupError: No persona or several carry that name; the
                message lists the close matches (or the ambiguous ones with ids).
        """
        return match_name(self.list(limit=_MAX_PAGE), name)

    def get(self, persona_id: str) -> MaveraPersona:
        """The persona with this id (`GET /personas/{id}`, falling back to the list on 404).

        Raises:
            MaveraPersonaLookupError: The id is not among the personas you can use.
            ValueError: The id is not a string, or is blank (no request is sent).
        """
        path = _item_path(persona_id)
        try:
            reply = _rest.request(self._connection.client, "get", path)
        except _NOT_FOUND as exc:
            return _matched_or_raise(self.list(limit=_MAX_PAGE), persona_id, exc)
        return _persona(reply)

    def _pages(self, query: dict[str, Any]) -> Iterator[builtins.list[MaveraPersona]]:
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            reply = _rest.request(self._connection.client, "get", _PATH, query=_with_cursor(query, cursor))
            personas, cursor = _page(reply)
            yield personas
            if cursor is None:
                return
            _check_cursor(cursor, seen, reply)

    # -- custom personas -------------------------------------------------------------------------

    def create(self, *, timeout: float | None = _CREATE_TIMEOUT, **fields: Any) -> CustomPersona:
        """Create a custom persona (`POST /personas`), which **costs 300 credits**.

        Args:
            timeout: Seconds to wait; the whole profile is generated on creation.
            **fields: `name` (2 to 100 characters), `type` (`"B2B"` or `"B2C"`),
                `pipeline_type` (`"north_star"`, the default, `"intermediate"` or
                `"advanced"`), and any documented field (`description`, `goals`,
                `pains`, `buying_stage`, `mcda_weights`, ...; see `CustomPersonaFields`).

        Raises:
            ValueError: a field is missing, unknown or of the wrong type (nothing is sent).

        Example:
            ```python
            persona = ChatMavera().personas.create(
                name="Enterprise CMO", type="B2B", pipeline_type="intermediate",
                goals=["Increase marketing ROI"], pains=["Attribution challenges"],
            )
            persona.id, persona.credits_charged  # ('clxc...', 300)
            ```
            Check the balance first with `require_credits(300, model=model)`.
        """
        from langchain_mavera._transport import rest as _rest
        from langchain_mavera.custom_personas import CustomPersona, CustomPersonaSpec, validated

        body = validated(CustomPersonaSpec, fields)
        reply = _rest.request(self._connection.client, "post", _PATH, body=body, timeout=timeout)
        return _rest.parse(CustomPersona, reply)

    def update(self, persona_id: str, **fields: Any) -> CustomPersona:
        """Change a custom persona (`PATCH /personas/{id}`); send only the fields to change.

        Base personas are read-only. A list field replaces the old list. The
        docs give no price for an update.

        Raises:
            ValueError: a blank id, no field, or an unknown/ill-typed field (nothing is sent).
        """
        from langchain_mavera._transport import rest as _rest
        from langchain_mavera.custom_personas import CustomPersona, CustomPersonaFields, validated

        path = _item_path(persona_id)
        body = validated(CustomPersonaFields, fields)
        if not body:
            msg = "update needs at least one field to change, e.g. name=... or goals=[...]."
            raise ValueError(msg)
        reply = _rest.request(self._connection.client, "patch", path, body=body)
        return _rest.parse(CustomPersona, reply)

    async def acreate(self, *, timeout: float | None = _CREATE_TIMEOUT, **fields: Any) -> CustomPersona:
        """Async twin of `create`, which **costs 300 credits**."""
        from langchain_mavera._transport import rest as _rest
        from langchain_mavera.custom_personas import CustomPersona, CustomPersonaSpec, validated

        body = validated(CustomPersonaSpec, fields)
        reply = await _rest.arequest(self._connection.async_client, "post", _PATH, body=body, timeout=timeout)
        return _rest.parse(CustomPersona, reply)

    async def aupdate(self, persona_id: str, **fields: Any) -> CustomPersona:
        """Async twin of `update`."""
        from langchain_mavera._transport import rest as _rest
        from langchain_mavera.custom_personas import CustomPersona, CustomPersonaFields, validated

        path = _item_path(persona_id)
        body = validated(CustomPersonaFields, fields)
        if not body:
            msg = "update needs at least one field to change, e.g. name=... or goals=[...]."
            raise ValueError(msg)
        reply = await _rest.arequest(self._connection.async_client, "patch", path, body=body)
        return _rest.parse(CustomPersona, reply)

    # -- async -----------------------------------------------------------------------------------

    async def alist(
        self,
        *,
        category: str | None = None,
        is_custom: bool | None = None,
        search: str | None = None,
        limit: int | None = None,
    ) -> builtins.list[MaveraPersona]:
        """Async twin of `list`."""
        query = _query(category, is_custom, search, limit)
        return [persona async for page in self._apages(query) for persona in page]

    async def afind(self, name: str) -> MaveraPersona:
        """Async twin of `find`."""
        return match_name(await self.alist(limit=_MAX_PAGE), name)

    async def aget(self, persona_id: str) -> MaveraPersona:
        """Async twin of `get`."""
        path = _item_path(persona_id)
        try:
            reply = await _rest.arequest(self._connection.async_client, "get", path)
        except _NOT_FOUND as exc:
            return _matched_or_raise(await self.alist(limit=_MAX_PAGE), persona_id, exc)
        return _persona(reply)

    async def _apages(self, query: dict[str, Any]) -> AsyncIterator[builtins.list[MaveraPersona]]:
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            reply = await _rest.arequest(
                self._connection.async_client, "get", _PATH, query=_with_cursor(query, cursor)
            )
            personas, cursor = _page(reply)
            yield personas
            if cursor is None:
                return
            _check_cursor(cursor, seen, reply)


def _with_cursor(query: dict[str, Any], cursor: str | None) -> dict[str, Any]:
    return query if cursor is None else {**query, "cursor": cursor}


def _check_cursor(cursor: str, seen: set[str], reply: _http.JSONReply) -> None:
    """A server that repeats a cursor, or never stops handing out new ones, would page forever.

    Stopping quietly would return part of the list as if it were all of it (and
    `find` could then miss the persona asked for), so this raises instead.
    """
    if cursor in seen:
        what = f"the persona list repeated the cursor {cursor!r}; paging stopped"
    elif len(seen) + 1 >= _MAX_PAGES:
        what = f"the persona list went past {_MAX_PAGES} pages; paging stopped"
    else:
        seen.add(cursor)
        return
    raise malformed_reply(reply.response, what, reply.response.text)


def _matched_or_raise(personas: list[MaveraPersona], persona_id: str, cause: Exception) -> MaveraPersona:
    try:
        return match_id(personas, persona_id)
    except MaveraPersonaLookupError as exc:
        raise exc from cause
