"""The contract between the HTTP plumbing and the route handlers.

Handlers receive a :class:`RequestContext` and return one of the reply types;
they never touch sockets, so streaming faults and flushing live in one place.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

UsagePlacement: TypeAlias = Literal["trailing", "final_chunk"]


@dataclass(frozen=True)
class EmulatorConfig:
    stream_usage_placement: UsagePlacement = "trailing"
    stream_chunk_delay: float = 0.0
    keep_alive: bool = True


@dataclass(frozen=True)
class RequestContext:
    method: str
    path: str  # relative to /api/v1, e.g. "/chat/completions"
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any  # parsed JSON, None for bodiless requests
    api_key: str
    config: EmulatorConfig


@dataclass(frozen=True)
class JsonReply:
    body: Any
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RawReply:
    """Bytes sent as-is; used for deliberately malformed answers."""

    body: bytes
    content_type: str
    status: int = 200


@dataclass(frozen=True)
class Comment:
    """An SSE comment line (``: text``), which clients must ignore."""

    text: str


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Abort:
    """Drop the connection mid-body, without the chunked terminator."""


# A dict is sent as ``data: <json>``, a str as ``data: <str>`` (for [DONE]).
StreamItem: TypeAlias = dict[str, Any] | str | Comment | Pause | Abort


@dataclass(frozen=True)
class StreamReply:
    items: Sequence[StreamItem]
    status: int = 200


Reply: TypeAlias = JsonReply | RawReply | StreamReply
Handler: TypeAlias = Callable[[RequestContext], Reply]
