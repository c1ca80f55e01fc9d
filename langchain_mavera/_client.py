"""Construction of the openai SDK clients that carry every Mavera request.

The SDK is only the transport: it supplies connection pooling, retries with
backoff that honours Retry-After, and timeouts. It also reads OPENAI_* variables
from the environment on its own; everything here exists so that no OpenAI key,
organisation, project, base URL or custom header can ride along to Mavera.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx2
import openai

from langchain_mavera._base_url import DEFAULT_BASE_URL, warn_if_insecure
from langchain_mavera._version import __version__

__all__ = ["DEFAULT_BASE_URL", "build_async_client", "build_sync_client", "warn_if_insecure"]

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
