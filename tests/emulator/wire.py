"""What the server and the route handlers share: reply types, the error envelope, hashing, data.

Handlers receive a :class:`RequestContext` and return a reply; they never touch sockets, so
streaming faults and flushing live in the server alone. Every failure, from validation, auth
or an injected fault, is an :class:`ApiError`, so the error JSON cannot drift between paths.
Every "random" choice flows through :class:`Chooser`: cassettes are re-recorded from the
emulator, so variation may only come from the request (``hash()`` is salted, hence sha256).
"""

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar

UsagePlacement: TypeAlias = Literal["trailing", "final_chunk"]
T = TypeVar("T")


def load(name: str) -> Any:
    """A file of ``data/``: the catalogues and wording live there, the logic here."""
    return json.loads((Path(__file__).with_name("data") / f"{name}.json").read_text("utf-8"))


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


# A dict is sent as ``data: <json>`` (named after its ``type`` if it has one), a str as
# ``data: <str>`` (for [DONE]).
StreamItem: TypeAlias = dict[str, Any] | str | Comment | Pause | Abort


@dataclass(frozen=True)
class StreamReply:
    items: Sequence[StreamItem]
    status: int = 200


Reply: TypeAlias = JsonReply | RawReply | StreamReply
Handler: TypeAlias = Callable[[RequestContext], Reply]

# status -> [type, code, message]. Types for 403/404/500/503 are not in the docs; they follow
# the OpenAI naming the rest of the envelope mirrors. "key:<name>" entries belong to auth.py.
ERRORS: dict[str, list[Any]] = load("errors")


def rate_limit_message(retry_after: int) -> str:
    return f"Rate limit exceeded. Please retry after {retry_after} seconds."


class ApiError(Exception):
    """An error response; raise it anywhere below a route handler."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        code: str | None = None,
        param: str | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        kind = "invalid_request_error" if status < 500 else "api_error"
        default = ERRORS.get(str(status), [kind, f"http_{status}", f"Request failed with status {status}."])
        self.status = status
        self.type = type if type is not None else default[0]
        self.code = code if code is not None else default[1]
        self.message = message if message is not None else default[2]
        self.param = param
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "code": self.code, "param": self.param}}


def invalid_field(param: str, message: str) -> ApiError:
    return ApiError(400, message, code="invalid_field", param=param)


def bad_value(param: str, rule: str) -> ApiError:
    return invalid_field(param, f"Invalid value for '{param}': {rule}")


def bad_type(param: str, expected: str) -> ApiError:
    return invalid_field(param, f"Invalid type for '{param}': expected {expected}.")


def missing_field(param: str) -> ApiError:
    return ApiError(400, f"Missing required field '{param}'.", code="missing_field", param=param)


def not_found(what: str, name: str) -> ApiError:
    return ApiError(404, f"{what} '{name}' was not found.", code="resource_not_found")


def digest(*parts: str) -> str:
    """Hex sha256 of the parts; the separator keeps ("ab", "c") != ("a", "bc")."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, so dict ordering in a client cannot change ids."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class Chooser:
    """Deterministic picks keyed by a seed plus a label per decision.

    The label makes each decision independent: changing how many sentences a reply has
    does not reshuffle which opener it uses.
    """

    def __init__(self, seed: str) -> None:
        self._seed = seed

    def integer(self, label: str, low: int, high: int) -> int:
        """An int in [low, high]."""
        return low + int(digest(self._seed, label)[:12], 16) % (high - low + 1)

    def pick(self, label: str, options: Sequence[T]) -> T:
        return options[self.integer(label, 0, len(options) - 1)]

    def fraction(self, label: str) -> float:
        """A float in [0, 1)."""
        return int(digest(self._seed, label)[:12], 16) / float(16**12)
