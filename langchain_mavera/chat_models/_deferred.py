"""The one lazy-import boundary for errors: built on first need, so the SDK loads only then.

`errors` subclasses the openai exceptions, so importing it imports the openai
SDK (about 40% of `ChatMavera`'s import time). The modules on the construction
path (the chat model, message conversion, both wire formats) raise through these
functions, which import the error modules when an error is actually built; a
dict lookup once they are loaded. Everything else imports `errors` directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2
    from langchain_core.messages import BaseMessageChunk

    from langchain_mavera.errors import MaveraAPIError, MaveraError, UnsupportedContentError


def error_from_stream_event(
    payload: Mapping[str, Any], response: httpx2.Response, partial: BaseMessageChunk | None
) -> MaveraError:
    """The typed error for an `{"error": {...}}` object received inside a stream."""
    from langchain_mavera._transport import error_mapping as _error_mapping

    return _error_mapping.error_from_stream_event(payload, response, partial)


def malformed_reply(response: httpx2.Response, what: str, raw_text: str) -> MaveraAPIError:
    """A `MaveraAPIError` for a reply that cannot be used, with its raw text attached."""
    from langchain_mavera._transport import error_mapping as _error_mapping

    return _error_mapping.malformed_reply(response, what, raw_text)


def api_error(message: str, request: httpx2.Request, raw_text: str | None = None) -> MaveraError:
    """A `MaveraAPIError` with this message (and the raw body, when kept)."""
    from langchain_mavera import errors
    from langchain_mavera._transport import error_mapping as _error_mapping

    return _error_mapping.make_error(errors.MaveraAPIError, message, request=request, raw_text=raw_text)


def stream_interrupted(message: str, request: httpx2.Request) -> MaveraError:
    """A `MaveraStreamInterruptedError`: the stream ended before its answer did."""
    from langchain_mavera import errors
    from langchain_mavera._transport import error_mapping as _error_mapping

    return _error_mapping.make_error(errors.MaveraStreamInterruptedError, message, request=request)


def unsupported_content(message: str) -> UnsupportedContentError:
    """An `UnsupportedContentError`: a content block Mavera cannot take, refused before any request."""
    from langchain_mavera.errors import UnsupportedContentError

    return UnsupportedContentError(message)
