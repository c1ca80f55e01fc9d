"""The client settings (`ClientSettings`) and the openai SDK clients built from them.

The SDK is only the transport: it supplies connection pooling, retries with
backoff that honours Retry-After, and timeouts. It also reads OPENAI_* variables
from the environment on its own; everything here exists so that no OpenAI key,
organisation, project, base URL or custom header can ride along to Mavera.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable, Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from langchain_mavera._transport.fields import (
    DEFAULT_BASE_URL,
    ApiKey,
    AsyncHTTPClient,
    BaseURL,
    Headers,
    RequestTimeout,
    SyncHTTPClient,
    warn_if_insecure,
)
from langchain_mavera._version import __version__

if TYPE_CHECKING:
    import httpx2
    import openai

# The openai SDK and httpx2 are imported inside the functions that build clients: settings are
# made and compared without them, so `ChatMavera` is constructed without loading the SDK.

_ClientT = TypeVar("_ClientT", "openai.OpenAI", "openai.AsyncOpenAI")


def _sdk_timeout(timeout: Any) -> Any:
    """`None` means the SDK default; anything else is passed through."""
    import openai

    return openai.NOT_GIVEN if timeout is None else timeout


def _headers(default_headers: Mapping[str, str] | None) -> dict[str, Any]:
    import openai

    return {
        # The SDK would otherwise fill these from OPENAI_ORG_ID / OPENAI_PROJECT_ID.
        "OpenAI-Organization": openai.Omit(),
        "OpenAI-Project": openai.Omit(),
        "User-Agent": f"langchain-mavera/{__version__}",
        **(default_headers or {}),
    }


@functools.cache
def _shared_sync_http_client() -> httpx2.Client:
    """One pooled HTTP client shared by every ChatMavera that brings none.

    Building an httpx client loads the CA bundle, which costs milliseconds;
    sharing it keeps first calls cheap and reuses warm connections. The SDK
    sends its timeout with each request, so one client serves every timeout.
    """
    import openai

    return openai.DefaultHttpxClient()


def _configured(
    client_class: type[_ClientT],
    *,
    api_key: str,
    base_url: str,
    timeout: Any,
    max_retries: int,
    default_headers: Mapping[str, str] | None,
    http_client: Any,
) -> _ClientT:
    headers = _headers(default_headers)
    client = client_class(
        api_key=api_key,
        base_url=base_url,
        timeout=_sdk_timeout(timeout),
        max_retries=max_retries,
        default_headers=headers,
        http_client=http_client,
    )
    from langchain_mavera._transport import _sdk

    _sdk.strip_environment(client, headers)
    return client


def build_sync_client(*, http_client: Any = None, **settings: Any) -> openai.OpenAI:
    """An `openai.OpenAI` pointed at Mavera and nothing else."""
    import openai

    shared = http_client if http_client is not None else _shared_sync_http_client()
    return _configured(openai.OpenAI, http_client=shared, **settings)


def build_async_client(*, http_client: Any = None, **settings: Any) -> openai.AsyncOpenAI:
    """An `openai.AsyncOpenAI` pointed at Mavera and nothing else.

    Async HTTP clients are bound to the event loop that first uses them, so no
    shared default is kept across instances.
    """
    import openai

    return _configured(openai.AsyncOpenAI, http_client=http_client, **settings)


# SDK clients shared by every ChatMavera with the same settings and no http_client of its own.
# `configurable_fields` builds a new ChatMavera per call; without this each call would build a
# new SDK client (and, for async, a new connection pool). Bounded: settings rarely vary much.
_CACHE_SIZE = 64
_cache_lock = threading.Lock()
_sync_clients: OrderedDict[Hashable, openai.OpenAI] = OrderedDict()
# (the loop, its client, the async generator that closes the client when the loop shuts down)
_AsyncEntry = tuple[weakref.ref[asyncio.AbstractEventLoop], "openai.AsyncOpenAI", Any]
_async_clients: OrderedDict[Hashable, _AsyncEntry] = OrderedDict()


async def _closed_with_the_loop(client: openai.AsyncOpenAI) -> AsyncIterator[None]:
    """An async generator whose cleanup closes `client` while its event loop still runs.

    `asyncio.run` finalises every started async generator before closing its
    loop (`shutdown_asyncgens`); without this, a finished loop's connections
    stay open until garbage collection, and the SDK's finaliser then schedules
    their close on whichever loop runs next ("Event loop is closed").
    """
    try:
        yield
    finally:
        await client.close()


def _close_with_loop(client: openai.AsyncOpenAI) -> Any:
    """Start the closer inside the running loop, so the loop registers it; the caller keeps it alive."""
    closer = _closed_with_the_loop(client)
    step: Any = closer.__anext__()
    # Runs to the `yield` (no await needed), and the running loop's first-iteration hook fires.
    with contextlib.suppress(StopIteration):
        step.send(None)
    return closer


def _settings_key(settings: Mapping[str, Any]) -> Hashable:
    import httpx2

    timeout = settings["timeout"]
    if isinstance(timeout, httpx2.Timeout):  # not hashable itself
        timeout = ("Timeout", timeout.connect, timeout.read, timeout.write, timeout.pool)
    headers = frozenset((settings["default_headers"] or {}).items())
    return (settings["api_key"], settings["base_url"], timeout, settings["max_retries"], headers)


def _remember(cache: OrderedDict[Hashable, Any], key: Hashable, value: Any) -> None:
    cache[key] = value
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


def sync_client(*, http_client: Any = None, **settings: Any) -> openai.OpenAI:
    """The shared `openai.OpenAI` for these settings; a caller's own http_client gets its own."""
    if http_client is not None:
        return build_sync_client(http_client=http_client, **settings)
    key = _settings_key(settings)
    with _cache_lock:
        client = _sync_clients.get(key)
        if client is None:
            client = build_sync_client(**settings)
            _remember(_sync_clients, key, client)
        _sync_clients.move_to_end(key)
    return client


def async_client(*, http_client: Any = None, **settings: Any) -> openai.AsyncOpenAI:
    """The shared `openai.AsyncOpenAI` for these settings on the running event loop.

    Its connection pool belongs to the loop that uses it, so a client is never
    handed to another loop: a closed loop's clients are dropped, not reused.
    """
    if http_client is not None:
        return build_async_client(http_client=http_client, **settings)
    entry = shared_async_entry(settings)
    return build_async_client(**settings) if entry is None else entry[1]


def shared_async_entry(settings: Mapping[str, Any]) -> _AsyncEntry | None:
    """The cache entry (loop, client, closer) for these settings on the running loop; None without a loop.

    Whoever keeps the entry keeps the client open: the cache dropping it (after
    `_CACHE_SIZE` other settings) only lets it close once no holder is left,
    so a long-lived model never finds its client closed under it, and a request
    in flight is never cut by another tenant's traffic. A client closed anyway
    (by hand, or by its loop's shutdown) is replaced, not handed out.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop yet to bind to: the caller builds a fresh client
        return None
    key = (_settings_key(settings), id(loop))
    with _cache_lock:
        entry = _async_clients.get(key)
        if entry is not None and entry[0]() is loop and not entry[1].is_closed():
            _async_clients.move_to_end(key)
            return entry
        _drop_closed_loops()
        client = build_async_client(**settings)
        entry = (weakref.ref(loop), client, _close_with_loop(client))
        _remember(_async_clients, key, entry)
    return entry


def _drop_closed_loops() -> None:
    for key, (loop_ref, _, _) in list(_async_clients.items()):
        loop = loop_ref()
        if loop is None or loop.is_closed():
            del _async_clients[key]


class ClientSettings(BaseModel):
    """Everything an SDK client is built from: key, base URL, timeout, retries, headers, HTTP clients.

    One object for the chat model, persona discovery, the panel and the REST
    tools alike, validated once with the same rules as `ChatMavera`'s fields,
    and holding the SDK clients built from it: settings that compare equal share
    one client (through the module's bounded cache), so a copy or a per-call
    model never builds its own.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    api_key: ApiKey | None = Field(
        default_factory=secret_from_env("MAVERA_API_KEY", default=None), validate_default=True
    )
    base_url: BaseURL = Field(
        default_factory=from_env("MAVERA_BASE_URL", default=DEFAULT_BASE_URL), validate_default=True
    )
    timeout: RequestTimeout = None
    max_retries: int = Field(default=2, ge=0)
    default_headers: Headers | None = None
    http_client: SyncHTTPClient = None
    http_async_client: AsyncHTTPClient = None

    _client: openai.OpenAI | None = PrivateAttr(default=None)
    _async_client: openai.AsyncOpenAI | None = PrivateAttr(default=None)
    # The shared cache's entry for the last loop looked up: a call on the same loop skips the
    # cache's key building and lock, and holding the entry (its closer) keeps the client open
    # however many other settings the cache has served since. One attribute, so threads see it whole.
    _async_entry: _AsyncEntry | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @model_validator(mode="after")
    def _warn_if_insecure(self) -> Self:
        warn_if_insecure(self.base_url)
        return self

    def _sdk_settings(self) -> dict[str, Any]:
        if self.api_key is None:
            msg = "No Mavera API key: pass api_key=... or set the MAVERA_API_KEY environment variable."
            raise ValueError(msg)
        return {
            "api_key": self.api_key.get_secret_value(),
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    @property
    def account(self) -> tuple[str, str]:
        """Which account these settings speak for: the base URL and a digest of the key.

        Persona names are per account (custom personas, and each host's own
        catalogue), so a name resolved for one account is never reused for another.
        The key is kept only as a digest, so this can sit in caches and reprs safely.
        """
        key = self.api_key.get_secret_value() if self.api_key is not None else ""
        return (self.base_url.rstrip("/"), hashlib.sha256(key.encode()).hexdigest())

    @property
    def client(self) -> openai.OpenAI:
        """The sync openai SDK client, shared by equal settings, kept once looked up."""
        client = self._client
        if client is None:
            with self._lock:
                client = self._client
                if client is None:
                    client = self._client = sync_client(**self._sdk_settings(), http_client=self.http_client)
        return client

    @property
    def async_client(self) -> openai.AsyncOpenAI:
        """The async openai SDK client for the running event loop.

        Without `http_async_client`, equal settings share one client per event
        loop, so successive `asyncio.run` calls each get a client of their own.
        A given `http_async_client` is used as is.
        """
        if self.http_async_client is None:
            entry = self._async_entry
            loop = _running_loop()
            if entry is not None and loop is not None and entry[0]() is loop and not entry[1].is_closed():
                return entry[1]
            settings = self._sdk_settings()
            entry = shared_async_entry(settings)
            if entry is None:
                return build_async_client(**settings)
            self._async_entry = entry
            return entry[1]
        if self._async_client is None:
            with self._lock:
                if self._async_client is None:
                    self._async_client = async_client(
                        **self._sdk_settings(), http_client=self.http_async_client
                    )
        return self._async_client

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """The same object: settings are frozen and clients are live, so a deep copy of a tool shares them."""
        return self

    def __getstate__(self) -> dict[Any, Any]:
        """Pickle without live clients or locks; they are rebuilt on first use."""
        state = super().__getstate__()
        state["__pydantic_private__"] = {"_client": None, "_async_client": None, "_async_entry": None}
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self._lock = threading.Lock()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


SETTING_NAMES = frozenset(ClientSettings.model_fields)
"""The names `ClientSettings` takes, for the classes that accept them as keyword arguments."""


def client_settings(
    owner: str, settings: Mapping[str, Any], allowed: frozenset[str] = SETTING_NAMES
) -> ClientSettings:
    """`settings` as a `ClientSettings`, refusing unknown names with a TypeError naming `owner`."""
    unknown = sorted(set(settings) - allowed)
    if unknown:
        msg = f"Unknown {owner} setting(s): {', '.join(unknown)}; allowed: {sorted(allowed)}."
        raise TypeError(msg)
    return ClientSettings(**settings)
