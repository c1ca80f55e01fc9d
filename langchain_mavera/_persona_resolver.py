"""Persona name to id: the one resolver, with one caching rule, for every component that takes names.

`ChatMavera.with_persona`, `MaveraPersonaMiddleware`, `PersonaTool` and
`PersonaPanel` (and through it `PersonaSurvey`) accept a persona id or a name:

- an id (a CUID, see `looks_like_persona_id`) is used as is, without a request;
- a name is matched case-insensitively and exactly (`MaveraPersonas.find`, or
  the same match in a list already fetched), once: the persona is cached under
  the name's stripped, case-folded form;
- a lookup that fails is not cached, so a persona created later is found.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

from langchain_mavera._params import looks_like_persona_id

if TYPE_CHECKING:
    from langchain_mavera.personas import MaveraPersonas, Persona

_Found = tuple[str, str]
"""A resolved persona: its id and its display name."""


class _HasPersonas(Protocol):
    @property
    def personas(self) -> MaveraPersonas: ...


def _key(name: str) -> str:
    return name.strip().casefold()


class PersonaResolver:
    """Names resolved to ids, cached; shared by a model and its copies, or held by one component."""

    __slots__ = ("_found", "_lock")

    def __init__(self) -> None:
        self._found: dict[str, _Found] = {}
        self._lock = threading.Lock()

    def __copy__(self) -> PersonaResolver:
        return self  # a cache of facts about the account: copies share it

    def __deepcopy__(self, memo: dict[int, object]) -> PersonaResolver:
        return self

    def __reduce__(self) -> tuple[type[PersonaResolver], tuple[()]]:
        return (PersonaResolver, ())  # pickled empty: ids are cheap to look up again

    def found(self, spec: str) -> _Found | None:
        """The (id, name) already resolved for `spec`, else None."""
        with self._lock:
            return self._found.get(_key(spec))

    def cached(self, name: str) -> str | None:
        """The id already resolved for `name`, else None."""
        found = self.found(name)
        return found[0] if found else None

    def remember(self, persona: Persona, name: str | None = None) -> str:
        """Cache `persona` under `name` (default: its own name) and return its id."""
        self._remember(name if name is not None else persona.name, (persona.id, persona.name))
        return persona.id

    def _remember(self, spec: str, found: _Found) -> _Found:
        with self._lock:
            self._found[_key(spec)] = found
        return found

    def resolve_in(self, spec: str, catalogue: list[Persona] | Exception) -> _Found:
        """`spec`'s (id, name) from a persona list already fetched (or the error fetching it).

        For the panel, which lists once for all its members and shows names: an id
        takes its name from the list, and one missing from it (or with no list) is
        kept as is, since the call itself will tell. A name must match.

        Raises:
            MaveraPersonaLookupError: No persona, or several, carry that name.
            Exception: The error fetching the list, for a name.
        """
        known = self.found(spec)
        if known is not None:
            return known
        if looks_like_persona_id(spec):
            listed = [] if isinstance(catalogue, Exception) else catalogue
            name = next((persona.name for persona in listed if persona.id == spec), spec)
            return self._remember(spec, (spec, name))
        if isinstance(catalogue, Exception):
            raise catalogue
        from langchain_mavera.personas import match_name

        persona = match_name(catalogue, spec)
        return self._remember(spec, (persona.id, persona.name))

    def resolve(self, spec: str, source: _HasPersonas) -> str:
        """The id for `spec` (an id or a name), looking a name up with `source.personas.find` once.

        Raises:
            MaveraPersonaLookupError: No persona, or several, carry that name.
        """
        if looks_like_persona_id(spec):
            return spec
        return self.cached(spec) or self.remember(source.personas.find(spec), spec)

    async def aresolve(self, spec: str, source: _HasPersonas) -> str:
        """Async twin of `resolve`."""
        if looks_like_persona_id(spec):
            return spec
        return self.cached(spec) or self.remember(await source.personas.afind(spec), spec)
