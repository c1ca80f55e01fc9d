"""The openai SDK's private API, all of it, and what happens when a piece is missing.

Everything langchain-mavera uses that the SDK does not publish is here: ruff's banned-api
(pyproject.toml) refuses `openai._*` imports anywhere else, and each private member keeps its
`noqa: SLF001` here only. The fast POST path (`Direct`, `send`/`asend`) computes headers and
URLs once per client with the SDK's own functions and sends through its pooled HTTP client,
with its retry decision, Retry-After sleeping and status errors. Every use is optional: when this
openai version lacks one of the private imports or client members, `sender()` answers None and
the POST goes through the SDK's public `client.post` (slower; the same wire and the same errors:
tests/transport/test_sdk_fallback.py), and `strip_environment` keeps to public attributes.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

import httpx2
import openai

from langchain_mavera._transport.resend import may_resend

try:
    from openai._base_client import get_platform
    from openai._base_client import log as _sdk_log
    from openai._httpx2 import normalize_httpx2_timeout, request_exceptions, timeout_exceptions
    from openai._models import FinalRequestOptions
    from openai._utils import asyncify
except ImportError:  # an SDK that moved them: the public path only
    PRIVATE_API = False
else:
    PRIVATE_API = True

CLIENT_MEMBERS = (
    "_build_headers",
    "_prepare_url",
    "_client",
    "_custom_auth",
    "_idempotency_header",
    "_sleep_for_retry",
    "_should_retry",
    "_make_status_error_from_response",
)
"""What the direct path uses on an SDK client; one missing means the public path."""


def _has_private_api(client: object, *more: str) -> bool:
    return PRIVATE_API and all(hasattr(client, name) for name in (*CLIENT_MEMBERS, *more))


# The two headers the SDK sets per attempt; every other header is the same for all of a client's requests.
_PER_ATTEMPT = ("x-stainless-retry-count", "x-stainless-read-timeout")


class Direct:
    """What the SDK computes identically for every POST of one client, computed once, by the SDK.

    `headers` come from the client's own `_build_headers` (auth, defaults,
    `X-Stainless-*`, ours), less the two it sets per attempt; URLs are joined
    to the base URL by the client's own `_prepare_url`.
    """

    __slots__ = ("_urls", "headers")

    def __init__(self, client: openai.OpenAI | openai.AsyncOpenAI) -> None:
        built = client._build_headers(FinalRequestOptions.construct(method="post", url=""))  # noqa: SLF001
        self.headers = [(name, value) for name, value in built.multi_items() if name not in _PER_ATTEMPT]
        self._urls: dict[str, tuple[httpx2.URL, str]] = {}

    def url(self, client: openai.OpenAI | openai.AsyncOpenAI, path: str) -> str:
        base = client.base_url
        cached = self._urls.get(path)
        if cached is None or cached[0] is not base:
            cached = self._urls[path] = (base, str(client._prepare_url(path)))  # noqa: SLF001
        return cached[1]

    def attempt_headers(self, timeout: Any, retries_taken: int) -> list[tuple[str, str]]:
        """The headers of one attempt, as the SDK's `_build_headers` sets them."""
        headers = [*self.headers, ("x-stainless-retry-count", str(retries_taken))]
        read = timeout.read if isinstance(timeout, httpx2.Timeout) else timeout
        if read is not None:
            headers.append(("x-stainless-read-timeout", str(read)))
        return headers


# Per SDK client: its `Direct`, or None when it must go through the SDK's `post`.
_DIRECT: weakref.WeakKeyDictionary[Any, Direct | None] = weakref.WeakKeyDictionary()


def sends_directly(client: openai.OpenAI | openai.AsyncOpenAI, http_type: type) -> bool:
    """Whether the client uses nothing but what the direct path reproduces (all of ours do)."""
    security = FinalRequestOptions.construct(method="post", url="").security
    return (
        isinstance(client._client, http_type)  # noqa: SLF001  (not a legacy httpx client)
        and client._custom_auth(security) is None  # noqa: SLF001
        and getattr(client, "_provider_runtime", None) is None
        and getattr(client, "_api_key_provider", None) is None
        and getattr(client, "_workload_identity_auth", None) is None
        and client._idempotency_header is None  # noqa: SLF001
        and not client.default_query
    )


def sender(client: openai.OpenAI) -> Direct | None:
    try:
        return _DIRECT[client]
    except KeyError:
        usable = _has_private_api(client) and sends_directly(client, httpx2.Client)
        direct = Direct(client) if usable else None
        _DIRECT[client] = direct
        return direct


async def asender(client: openai.AsyncOpenAI) -> Direct | None:
    try:
        return _DIRECT[client]
    except KeyError:
        if not _has_private_api(client, "_platform"):
            _DIRECT[client] = None
            return None
        if client._platform is None:  # noqa: SLF001
            # What the SDK's async `request` does first: the platform headers may read files.
            client._platform = await asyncify(get_platform)()  # noqa: SLF001
        direct = Direct(client) if sends_directly(client, httpx2.AsyncClient) else None
        _DIRECT[client] = direct
        return direct


def _retry_options(path: str) -> FinalRequestOptions:
    """The options the SDK's retry sleep reads (the client's max_retries, as no override is given)."""
    return FinalRequestOptions.construct(method="post", url=path)


def send(client: openai.OpenAI, direct: Direct, path: str, content: bytes, timeout: Any) -> httpx2.Response:
    """POST the encoded body through the client's pooled HTTP client, retrying as the SDK's `request` does.

    Returns the unread response of the first 2xx; raises exactly the SDK
    exceptions its `request` raises (APITimeoutError, APIConnectionError, its
    status errors), so `error_from_openai` maps them the same way.
    """
    http = client._client  # noqa: SLF001
    url = direct.url(client, path)
    timeout = normalize_httpx2_timeout(client.timeout if timeout is None else timeout)
    max_retries = client.max_retries
    for retries_taken in range(max_retries + 1):
        retry = retries_taken < max_retries
        # The debug lines the SDK's `request` logs, on its own logger (with its header filter).
        _sdk_log.debug("Building HTTP request: method=%s retries_taken=%i", "POST", retries_taken)
        headers = direct.attempt_headers(timeout, retries_taken)
        request = http.build_request("POST", url, content=content, headers=headers, timeout=timeout)
        _sdk_log.debug("Sending HTTP Request: %s", "POST")
        try:
            response = http.send(request, stream=True)
        except timeout_exceptions() as err:
            _sdk_log.debug("Encountered a timeout exception: %s", type(err).__name__)
            if retry and may_resend(path, err):
                client._sleep_for_retry(  # noqa: SLF001
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                    options=_retry_options(path),
                    response=None,
                )
                continue
            _sdk_log.debug("Raising timeout error")
            raise openai.APITimeoutError(request=request) from err
        except openai.OpenAIError:
            raise
        except request_exceptions() as err:
            _sdk_log.debug("Encountered exception: %s", type(err).__name__)
            if retry:
                client._sleep_for_retry(  # noqa: SLF001
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                    options=_retry_options(path),
                    response=None,
                )
                continue
            _sdk_log.debug("Raising connection error")
            raise openai.APIConnectionError(request=request) from err
        _sdk_log.debug("HTTP Response: %s %i", "POST", response.status_code)
        _sdk_log.debug("request_id: %s", response.headers.get("x-request-id"))
        if response.is_success:
            return response
        _sdk_log.debug("Encountered an HTTP status error: %i", response.status_code)
        if retry and client._should_retry(response):  # noqa: SLF001
            response.close()
            client._sleep_for_retry(  # noqa: SLF001
                retries_taken=retries_taken,
                max_retries=max_retries,
                options=_retry_options(path),
                response=response,
            )
            continue
        if not response.is_closed:
            response.read()
        _sdk_log.debug("Re-raising status error")
        raise client._make_status_error_from_response(response) from None  # noqa: SLF001
    raise AssertionError("unreachable: the last attempt returns or raises")


async def asend(
    client: openai.AsyncOpenAI, direct: Direct, path: str, content: bytes, timeout: Any
) -> httpx2.Response:
    """Async twin of `send`."""
    http = client._client  # noqa: SLF001
    url = direct.url(client, path)
    timeout = normalize_httpx2_timeout(client.timeout if timeout is None else timeout)
    max_retries = client.max_retries
    for retries_taken in range(max_retries + 1):
        retry = retries_taken < max_retries
        # The debug lines the SDK's `request` logs, on its own logger (with its header filter).
        _sdk_log.debug("Building HTTP request: method=%s retries_taken=%i", "POST", retries_taken)
        headers = direct.attempt_headers(timeout, retries_taken)
        request = http.build_request("POST", url, content=content, headers=headers, timeout=timeout)
        _sdk_log.debug("Sending HTTP Request: %s", "POST")
        try:
            response = await http.send(request, stream=True)
        except timeout_exceptions() as err:
            _sdk_log.debug("Encountered a timeout exception: %s", type(err).__name__)
            if retry and may_resend(path, err):
                await client._sleep_for_retry(  # noqa: SLF001
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                    options=_retry_options(path),
                    response=None,
                )
                continue
            _sdk_log.debug("Raising timeout error")
            raise openai.APITimeoutError(request=request) from err
        except openai.OpenAIError:
            raise
        except request_exceptions() as err:
            _sdk_log.debug("Encountered exception: %s", type(err).__name__)
            if retry:
                await client._sleep_for_retry(  # noqa: SLF001
                    retries_taken=retries_taken,
                    max_retries=max_retries,
                    options=_retry_options(path),
                    response=None,
                )
                continue
            _sdk_log.debug("Raising connection error")
            raise openai.APIConnectionError(request=request) from err
        _sdk_log.debug("HTTP Response: %s %i", "POST", response.status_code)
        _sdk_log.debug("request_id: %s", response.headers.get("x-request-id"))
        if response.is_success:
            return response
        _sdk_log.debug("Encountered an HTTP status error: %i", response.status_code)
        if retry and client._should_retry(response):  # noqa: SLF001
            await response.aclose()
            await client._sleep_for_retry(  # noqa: SLF001
                retries_taken=retries_taken,
                max_retries=max_retries,
                options=_retry_options(path),
                response=response,
            )
            continue
        if not response.is_closed:
            await response.aread()
        _sdk_log.debug("Re-raising status error")
        raise client._make_status_error_from_response(response) from None  # noqa: SLF001
    raise AssertionError("unreachable: the last attempt returns or raises")


def store_content(response: httpx2.Response, data: bytes) -> None:
    """Keep a body read part by part as the response's content, where httpx2's own `read()` puts it."""
    response._content = data  # noqa: SLF001  (httpx2's private, written as its read()/aread() do)


def strip_environment(client: openai.OpenAI | openai.AsyncOpenAI, headers: dict[str, Any]) -> None:
    """Undo what the SDK read from OPENAI_* variables at construction."""
    client.organization = None
    client.project = None
    client.admin_api_key = None
    client.webhook_secret = None
    # OPENAI_CUSTOM_HEADERS is merged into the custom headers; replace them wholesale.
    if hasattr(client, "_custom_headers"):
        client._custom_headers = headers  # noqa: SLF001
    elif os.environ.get("OPENAI_CUSTOM_HEADERS"):
        msg = (
            "this openai version merges OPENAI_CUSTOM_HEADERS in a way langchain-mavera cannot undo: "
            "unset OPENAI_CUSTOM_HEADERS"
        )
        raise RuntimeError(msg)
    if hasattr(client, "_ambient_authorizations"):
        client._ambient_authorizations = frozenset()  # noqa: SLF001
