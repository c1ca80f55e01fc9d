"""Construction of the openai SDK clients that carry every Mavera request.

The SDK is only the transport: it supplies connection pooling, retries with
backoff that honours Retry-After, and timeouts. It also reads OPENAI_* variables
from the environment on its own; everything here exists so that no OpenAI key,
organisation, project, base URL or custom header can ride along to Mavera.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable, Mapping
from typing import Any, TypeVar

import httpx2
import openai

from langchain_mavera._version import __version__

# The SDK would otherwise fill these from OPENAI_ORG_ID / OPENAI_PROJECT_ID.
_SUPPRESSED_HEADERS: dict[str, Any] = {
    "OpenAI-Organization": openai.Omit(),
    "OpenAI-Project": openai.Omit(),
}


_ClientT = TypeVar("_ClientT", openai.OpenAI, openai.AsyncOpenAI)


def _sdk_timeout(timeout: Any) -> Any:
    """`None` means the SDK default; anything else is passed through."""
    return openai.NOT_GIVEN if timeout is None else timeout


def _headers(default_headers: Mapping[str, str] | None) -> dict[str, Any]:
    return {
        **_SUPPRESSED_HEADERS,
        "User-Agent": f"langchain-mavera/{__version__}",
        **(default_headers or {}),
    }


def _strip_openai_environment(client: openai.OpenAI | openai.AsyncOpenAI, headers: dict[str, Any]) -> None:
    """Undo what the SDK read from OPENAI_* variables at construction."""
    client.organization = None
    client.project = None
    client.admin_api_key = None
    client.webhook_secret = None
    # OPENAI_CUSTOM_HEADERS is merged into the custom headers; replace them wholesale.
    client._custom_headers = headers  # noqa: SLF001
    client._ambient_authorizations = frozenset()  # noqa: SLF001


@functools.cache
def _shared_sync_http_client() -> httpx2.Client:
    """One pooled HTTP client shared by every ChatMavera that brings none.

    Building an httpx client loads the CA bundle, which costs milliseconds;
    sharing it keeps first calls cheap and reuses warm connections. The SDK
    sends its timeout with each request, so one client serves every timeout.
    """
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
    _strip_openai_environment(client, headers)
    return client


def build_sync_client(*, http_client: Any = None, **settings: Any) -> openai.OpenAI:
    """An `openai.OpenAI` pointed at Mavera and nothing else."""
    shared = http_client if http_client is not None else _shared_sync_http_client()
    return _configured(openai.OpenAI, http_client=shared, **settings)


def build_async_client(*, http_client: Any = None, **settings: Any) -> openai.AsyncOpenAI:
    """An `openai.AsyncOpenAI` pointed at Mavera and nothing else.

    Async HTTP clients are bound to the event loop that first uses them, so no
    shared default is kept across instances.
    """
    return _configured(openai.AsyncOpenAI, http_client=http_client, **settings)


# SDK clients shared by every ChatMavera with the same settings and no http_client of its own.
# `configurable_fields` builds a new ChatMavera per call; without this each call would build a
# new SDK client (and, for async, a new connection pool). Bounded: settings rarely vary much.
_CACHE_SIZE = 64
_cache_lock = threading.Lock()
_sync_clients: OrderedDict[Hashable, openai.OpenAI] = OrderedDict()
# (the loop, its client, the async generator that closes the client when the loop shuts down)
_AsyncEntry = tuple[weakref.ref[asyncio.AbstractEventLoop], openai.AsyncOpenAI, Any]
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
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop yet to bind to: a fresh client is the safe answer
        return build_async_client(**settings)
    key = (_settings_key(settings), id(loop))
    with _cache_lock:
        entry = _async_clients.get(key)
        if entry is not None and entry[0]() is loop:
            _async_clients.move_to_end(key)
            return entry[1]
        _drop_closed_loops()
        client = build_async_client(**settings)
        _remember(_async_clients, key, (weakref.ref(loop), client, _close_with_loop(client)))
    return client


def _drop_closed_loops() -> None:
    for key, (loop_ref, _, _) in list(_async_clients.items()):
        loop = loop_ref()
        if loop is None or loop.is_closed():
            del _async_clients[key]
