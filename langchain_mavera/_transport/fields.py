"""The validated connection settings: base URL, API key, headers, timeout, HTTP clients.

Imports neither the openai SDK nor httpx2 at module level: `ChatMavera`'s construction path
validates with these, and the SDK is only needed at the first request.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import sys
import warnings
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, SecretStr

DEFAULT_BASE_URL = "https://app.mavera.io/api/v1"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=64)
def _is_insecure(base_url: str) -> bool:
    # Cached: parsing the URL and the IP address was ~15% of constructing a ChatMavera,
    # and a process uses very few distinct base URLs.
    parts = urlsplit(base_url)
    return parts.scheme == "http" and not _is_loopback(parts.hostname or "")


@functools.lru_cache(maxsize=64)
def check_base_url(value: str) -> str:
    """An http(s) URL with a host, surrounding whitespace stripped; anything else is refused.

    A `file:`, `ftp:` or empty URL would otherwise fail only at the first call,
    as a connection error that is retried. Cached like `_is_insecure`: a process
    uses few base URLs, and parsing one is a visible share of construction.
    """
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or _has_unsafe_characters(url):
        msg = f"base_url must be an http(s) URL with a host, such as {DEFAULT_BASE_URL!r}, got {value!r}."
        raise ValueError(msg)
    return url


def _has_unsafe_characters(url: str) -> bool:
    return any(character.isspace() or ord(character) < 0x20 or ord(character) == 0x7F for character in url)


BaseURL = Annotated[str, AfterValidator(check_base_url)]
"""The `base_url` field: an http(s) URL with a host."""


def warn_if_insecure(base_url: str) -> None:
    """Warn when the key would travel in clear text to another machine."""
    if _is_insecure(base_url):
        warnings.warn(
            f"base_url {base_url!r} uses plain http to a non-loopback host: the Mavera API key "
            "would be sent unencrypted. Use https.",
            UserWarning,
            stacklevel=3,
        )


MAX_SECONDS = 86_400.0
"""The longest wait any timeout may ask for (a day): larger values overflow socket and loop timers."""

Seconds = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]
"""A finite positive number of seconds, at most a day (`stream_chunk_timeout`, `total_timeout`)."""


def _seconds_ok(value: Any) -> bool:
    return value is None or (0 < value <= MAX_SECONDS)


def _timeout(value: Any) -> Any:
    """Seconds > 0, an `httpx2.Timeout` (a legacy `httpx.Timeout` is converted), or None.

    Checked at construction so a bad value does not wait for the first request to fail.
    The Timeout classes are looked up in `sys.modules`: a caller holding one has
    imported its module, and this keeps httpx2 out of `import langchain_mavera`.
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= MAX_SECONDS:
        return value
    current = sys.modules.get("httpx2")
    if current is not None and isinstance(value, current.Timeout):
        parts = (value.connect, value.read, value.write, value.pool)
        if all(_seconds_ok(part) for part in parts):
            return value
    legacy = sys.modules.get("httpx")
    if legacy is not None and isinstance(value, legacy.Timeout):
        import httpx2  # the SDK transport, needed only to convert

        return _timeout(
            httpx2.Timeout(connect=value.connect, read=value.read, write=value.write, pool=value.pool)
        )
    msg = (
        f"timeout must be seconds greater than 0 and at most {MAX_SECONDS:g} (a day), "
        f"an httpx2.Timeout with such values, or None, got {value!r}"
    )
    raise ValueError(msg)


RequestTimeout = Annotated[Any, PlainValidator(_timeout)]
"""The `timeout` field: positive seconds, an `httpx2.Timeout` (or legacy `httpx.Timeout`), or None."""


def _api_key(value: SecretStr) -> SecretStr:
    """Surrounding whitespace stripped (a key read from a file ends in a newline).

    A key that still cannot be an HTTP header value is refused here, with a
    message that does not show it: sent, it would fail inside the HTTP library
    with the whole `Authorization` header in the exception and its logs.
    """
    key = value.get_secret_value()
    stripped = key.strip()
    if not stripped:
        msg = "api_key is empty (or only whitespace): pass your Mavera key, e.g. api_key='mvra_live_...'."
        raise ValueError(msg)
    if stripped.isascii() and stripped.isprintable() and " " not in stripped:  # the common case, in C
        return value if stripped == key else SecretStr(stripped)
    bad = next((index for index, character in enumerate(stripped) if not _visible_ascii(character)), 0)
    msg = (
        f"api_key has a character that cannot be sent in an HTTP header (at position {bad + 1} of "
        f"{len(stripped)}; a space, control or non-ASCII character). The key is not shown. "
        "Copy it again from the Mavera dashboard."
    )
    raise ValueError(msg)


def _visible_ascii(character: str) -> bool:
    return "!" <= character <= "~"


def _as_secret(value: Any) -> Any:
    # Wrapped before anything can fail, so a validation error's `input` shows only '**********'.
    return SecretStr(value) if isinstance(value, str) else value


ApiKey = Annotated[SecretStr, AfterValidator(_api_key), BeforeValidator(_as_secret)]
"""The `api_key` field: a SecretStr, stripped, that can be sent as a header value."""

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _headers(value: dict[str, str]) -> dict[str, str]:
    """Names are HTTP tokens and values printable ASCII; a value is never echoed (it may be a secret)."""
    for name, header_value in value.items():
        if not _HEADER_NAME.fullmatch(name):
            msg = f"default_headers: {name!r} is not a valid HTTP header name (letters, digits, -_.)."
            raise ValueError(msg)
        if not all(character == "\t" or " " <= character <= "~" for character in header_value):
            msg = (
                f"default_headers[{name!r}] has a character that cannot be sent in an HTTP header "
                "(non-ASCII, or a control character such as a newline); the value is not shown."
            )
            raise ValueError(msg)
    return value


Headers = Annotated[dict[str, str], AfterValidator(_headers)]
"""The `default_headers` field: header names and values that can be sent as they are."""


def _http_client_of(kind: str, field: str) -> Any:
    def check(value: Any) -> Any:
        if value is None:
            return None
        import httpx2  # a caller holding a client has imported its library already

        expected = getattr(httpx2, kind)
        if isinstance(value, expected):
            return value
        module = type(value).__module__.split(".")[0]
        hint = (
            f" An {module}.{type(value).__name__} is not supported: the openai SDK's transport is httpx2, "
            f"and only its errors are mapped to Mavera errors; build the same client with httpx2.{kind}(...)."
            if module == "httpx"
            else ""
        )
        msg = f"{field} must be an httpx2.{kind} or None, got {type(value).__name__}.{hint}"
        raise ValueError(msg)

    return PlainValidator(check)


SyncHTTPClient = Annotated[Any, _http_client_of("Client", "http_client")]
"""The `http_client` field: an `httpx2.Client` (plain `httpx` clients are refused with a hint)."""
AsyncHTTPClient = Annotated[Any, _http_client_of("AsyncClient", "http_async_client")]
"""The `http_async_client` field: an `httpx2.AsyncClient`."""
