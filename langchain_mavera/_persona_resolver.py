"""Persona name to id: the one resolver, with one caching rule, for every component that takes names.

`ChatMavera.with_persona`, `MaveraPersonaMiddleware`, `MaveraPersonaTool` and
`PersonaPanel` (and through it `PersonaSurvey`) accept a persona id or a name:

- an id (a CUID, see `looks_like_persona_id`) is used as is, without a request;
- a name is matched case-insensitively and exactly (`MaveraPersonas.find`, or
  the same match in a list already fetched), once: the persona is cached under
  the name's stripped, case-folded form;
- a lookup that fails is not cached, so a persona created later is found;
- every cached name belongs to one account (base URL and key, see
  `ClientSettings.account`): two accounts can hold personas of the same name with
  different ids, so a copy, a panel or a middleware serving another account looks
  the name up again rather than sending the first account's id.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from langchain_mavera._transport.client import ClientSettings
    from langchain_mavera.personas import MaveraPersona, MaveraPersonas

_Found = tuple[str, str]
"""A resolved persona: its id and its display name."""
Account = tuple[str, str]
"""`ClientSettings.account`: the base URL and a digest of the key."""


_CUID = re.compile(r"c[a-z0-9]{20,}")


def looks_like_persona_id(value: str) -> bool:
    """True for a CUID such as `clx1abc2d0001abcdef123456` (how Mavera spells persona ids).

    Persona names are human titles ("Gen Z Consumer") with capitals or spaces,
    so a lowercase `c` followed by 20 or more lowercase letters and digits is
    taken as an id and anything else as a name.
    """
    return _CUID.fullmatch(value) is not None


class _HasPersonas(Protocol):
    @property
    def personas(self) -> MaveraPersonas: ...

    @property
    def client_settings(self) -> ClientSettings: ...


def _key(name: str, account: Account) -> tuple[Account, str]:
    return (account, name.strip().casefold())


class PersonaResolver:
    """Names resolved to ids, cached; shared by a model and its copies, or held by one component."""

    __slots__ = ("_found", "_lock")

    def __init__(self) -> None:
        self._found: dict[tuple[Account, str], _Found] = {}
        self._lock = threading.Lock()

    def __copy__(self) -> PersonaResolver:
        return self  # a cache of facts about the account: copies share it

    def __deepcopy__(self, memo: dict[int, object]) -> PersonaResolver:
        return self

    def __reduce__(self) -> tuple[type[PersonaResolver], tuple[()]]:
        return (PersonaResolver, ())  # pickled empty: ids are cheap to look up again

    def found(self, spec: str, account: Account) -> _Found | None:
        """The (id, name) already resolved for `spec` on `account`, else None."""
        with self._lock:
            return self._found.get(_key(spec, account))

    def cached(self, name: str, account: Account) -> str | None:
        """The id already resolved for `name` on `account`, else None."""
        found = self.found(name, account)
        return found[0] if found else None

    def remember(self, persona: MaveraPersona, account: Account, name: str | None = None) -> str:
        """Cache `persona` for `account` under `name` (default: its own name) and return its id."""
        self._remember(name if name is not None else persona.name, account, (persona.id, persona.name))
        return persona.id

    def _remember(self, spec: str, account: Account, found: _Found) -> _Found:
        with self._lock:
            self._found[_key(spec, account)] = found
        return found

    def resolve_in(self, spec: str, catalogue: list[MaveraPersona] | Exception, account: Account) -> _Found:
        """`spec`'s (id, name) from a persona list already fetched (or the error fetching it).

        For the panel, which lists once for all its members and shows names: an id
        takes its name from the list, and one missing from it (or with no list) is
        kept as is, since the call itself will tell. A name must match.

        Raises:
            MaveraPersonaLookupError: No persona, or several, carry that name.
            Exception: The error fetching the list, for a name.
        """
        known = self.found(spec, account)
        if known is not None:
            return known
        if looks_like_persona_id(spec):
            if isinstance(catalogue, Exception):
                return (spec, spec)  # not cached: once the list works, the id gets its real name
            name = next((persona.name for persona in catalogue if persona.id == spec), spec)
            return self._remember(spec, account, (spec, name))
        if isinstance(catalogue, Exception):
            raise catalogue
        from langchain_mavera.personas import match_name

        persona = match_name(catalogue, spec)
        return self._remember(spec, account, (persona.id, persona.name))

    def resolve(self, spec: str, source: _HasPersonas) -> str:
        """The id for `spec` (an id or a name), looking a name up with `source.personas.find` once.

        Raises:
            MaveraPersonaLookupError: No persona, or several, carry that name.
        """
        if looks_like_persona_id(spec):
            return spec
        account = source.client_settings.account
        return self.cached(spec, account) or self.remember(source.personas.find(spec), account, spec)

    async def aresolve(self, spec: str, source: _HasPersonas) -> str:
        """Async twin of `resolve`."""
        if looks_like_persona_id(spec):
            return spec
        account = source.client_settings.account
        return self.cached(spec, account) or self.remember(await source.personas.afind(spec), account, spec)
