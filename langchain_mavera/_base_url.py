"""The default Mavera base URL and the clear-text key check.

Kept apart from `_client` because both are needed when a `ChatMavera` is
constructed, while `_client` imports the openai SDK, which is only needed at
the first request: keeping them here keeps `from langchain_mavera import
ChatMavera` from paying for the SDK's import.
"""

from __future__ import annotations

import functools
import ipaddress
import warnings
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

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
