"""JSON over Mavera's REST endpoints beyond chat (usage, research, news, personas, custom personas).

`request`/`arequest` are the package's one GET path.

Every request rides the same openai SDK client a `ChatMavera` already holds,
so key, base URL, retries and connection pool are shared, and every failure
becomes the same typed `MaveraError` the chat model raises (`errors.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx2
import openai
from pydantic import BaseModel, ConfigDict, Field, model_validator

from langchain_mavera._renames import refuse_renamed_arguments
from langchain_mavera._transport.connection import REQUEST_SETTINGS, model_or_settings
from langchain_mavera._transport.error_mapping import error_from_openai, malformed_guard
from langchain_mavera._transport.http import JSONReply, apost_json, decode_json, post_json

_ModelT = TypeVar("_ModelT", bound=BaseModel)


def _options(query: Mapping[str, Any] | None, timeout: Any) -> Any:
    options: dict[str, Any] = {}
    if query:
        options["params"] = dict(query)
    if timeout is not None:
        options["timeout"] = timeout
    return options


def request(
    client: openai.OpenAI,
    method: str,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    timeout: Any = None,
) -> JSONReply:
    """One JSON request (`get`, `post` or `patch`) and its decoded JSON object reply."""
    if method == "post" and not query:
        # Billed: sent as chat is, so a 2xx whose body then fails is never POSTed again.
        return post_json(client, path, body or {}, timeout)
    send = getattr(client, method)
    extra = {} if body is None else {"body": body}
    try:
        response = send(path, cast_to=httpx2.Response, options=_options(query, timeout), **extra)
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    return JSONReply(decode_json(response), response)


async def arequest(
    client: openai.AsyncOpenAI,
    method: str,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    timeout: Any = None,
) -> JSONReply:
    """Async twin of `request`."""
    if method == "post" and not query:
        return await apost_json(client, path, body or {}, timeout)
    send = getattr(client, method)
    extra = {} if body is None else {"body": body}
    try:
        response = await send(path, cast_to=httpx2.Response, options=_options(query, timeout), **extra)
    except openai.APIError as exc:
        raise error_from_openai(exc) from exc
    await response.aread()
    return JSONReply(decode_json(response), response)


class Lenient(BaseModel):
    """A REST reply: keys this package does not know are kept (`model_extra`), and it is frozen.

    Mavera adds fields to its replies; a reply must not fail on them, nor drop them.
    """

    model_config = ConfigDict(extra="allow", frozen=True)


def parse(model: type[_ModelT], reply: JSONReply) -> _ModelT:
    """The reply as `model`; a reply of the wrong shape is a MaveraAPIError with the raw text."""
    with malformed_guard(reply.response, reply.response.text):
        return model.model_validate(reply.body)


def segment(value: object, name: str, example: str) -> str:
    """`value` as one quoted path segment, or a ValueError naming `name` before any request.

    Quoting keeps `/`, `?` and `#` inside the segment; `.` and `..` would still be read as path
    steps, so they are refused like a blank value.
    """
    if not isinstance(value, str) or value.strip() in ("", ".", ".."):
        msg = f"{name} must be a non-blank string, e.g. {example!r}; got {value!r}."
        raise ValueError(msg)
    return quote(value, safe="")


class MaveraConnection(BaseModel):
    """Mixin for tools and retrievers: the `ChatMavera` whose clients carry their requests.

    Pass `model=ChatMavera(...)` to share a model's clients (only its connection:
    its answer settings do not apply), or the same connection settings
    `ChatMavera` takes (`api_key`, `base_url`, `max_retries`, ...); with neither,
    `MAVERA_API_KEY` is read as for chat.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: Any = Field(default=None, exclude=True, repr=False)
    """The `ChatMavera` (or `ClientSettings`) whose key, base URL and HTTP clients are used."""

    @model_validator(mode="before")
    @classmethod
    def _connection_settings(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        # Before anything else: BaseTool and BaseRetriever drop unknown keywords, so an old
        # `mavera=` would otherwise fall back to MAVERA_API_KEY without a word.
        refuse_renamed_arguments(cls.__name__, values)
        settings = {key: values[key] for key in REQUEST_SETTINGS if key in values}
        rest = {key: value for key, value in values.items() if key not in REQUEST_SETTINGS}
        return {**rest, "model": model_or_settings(cls.__name__, values.get("model"), settings)}

    @property
    def client(self) -> openai.OpenAI:
        return self.model.client  # type: ignore[no-any-return]

    @property
    def async_client(self) -> openai.AsyncOpenAI:
        return self.model.async_client  # type: ignore[no-any-return]
