"""Encoding a chat request body without the JSON encoder scanning its large image URLs.

The encoder scans every string for characters to escape and copies it; for a
5 MiB base64 data URL that is ~15 ms, most of the request's CPU, and finds
nothing to escape. A large attachment URL the encoder would write as it is (ASCII,
no control character, quote or backslash: one C pass of `bytes.translate`, ~3 ms)
is swapped for a short placeholder before encoding and its bytes put in the
placeholder's place after, so the result is byte for byte the encoder's own.
Anything else (short, non-ASCII or escaped text) is left to the encoder.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

LARGE = 1 << 16
"""URLs shorter than this are left to the encoder: for them the check would cost about what it saves."""

# What the encoder (ensure_ascii=False) escapes in ASCII text: control characters, `"` and `\`.
_ESCAPED = bytes(range(0x20)) + b'"\\'


def _verbatim(url: object) -> bytes | None:
    """The bytes of a large URL the encoder would copy unchanged, else None."""
    if type(url) is not str or len(url) < LARGE or not url.isascii():
        return None
    raw = url.encode("ascii")
    return raw if len(raw.translate(None, _ESCAPED)) == len(raw) else None


def encode_splicing_large_urls(body: Mapping[str, Any], encode: Callable[[Any], bytes]) -> bytes:
    """`encode(body)`, with large attachment URLs copied in rather than scanned; the same bytes.

    The body is not modified: messages holding such a URL are copied with a
    placeholder in its place. An error of `encode` propagates as it is.
    """
    messages = body.get("messages")
    if type(messages) is not list:
        return encode(body)
    # One comprehension over what may be a history of thousands of turns (~27 µs per 1,000).
    holding = [message for message in messages if type(message) is dict and "attachments" in message]
    token = secrets.token_hex(16) if holding else ""
    spliced: dict[bytes, bytes] = {}
    swapped: dict[int, dict[str, Any]] = {}  # id of a message -> its copy with placeholders
    for message in holding:
        attachments = message["attachments"]
        if type(attachments) is not list:
            continue
        copies = list(attachments)
        for position, attachment in enumerate(attachments):
            raw = _verbatim(attachment.get("url")) if type(attachment) is dict else None
            if raw is not None:
                placeholder = f"mavera-large-url-{token}-{len(spliced)}"
                spliced[f'"{placeholder}"'.encode()] = raw
                copies[position] = {**attachment, "url": placeholder}
        if copies != attachments:
            swapped[id(message)] = {**message, "attachments": copies}
    if not spliced:
        return encode(body)
    encoded = encode({**body, "messages": [swapped.get(id(message), message) for message in messages]})
    for needle, raw in spliced.items():
        head, found, tail = encoded.partition(needle)
        if not found or needle in tail:  # the placeholder is random: only a deliberate copy gets here
            return encode(body)
        encoded = b"".join((head, b'"', raw, b'"', tail))
    return encoded
