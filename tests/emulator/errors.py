"""The documented error envelope and the catalogue of status defaults.

Every failure the emulator produces, whether from validation, auth or an
injected fault, goes through :class:`ApiError` so the JSON shape can never
drift between code paths.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorDefault:
    type: str
    code: str
    message: str


INVALID_KEY_MESSAGE = "Invalid API key. Ensure your key starts with 'mvra_live_' and has not been revoked."
NO_CREDITS_MESSAGE = (
    "Insufficient credits. Please upgrade your subscription or wait for your next billing cycle."
)


def rate_limit_message(retry_after: int) -> str:
    return f"Rate limit exceeded. Please retry after {retry_after} seconds."


# Types for 403/404/500/503 are not shown in the docs ("?" in the table);
# these follow the OpenAI naming the rest of the envelope already mirrors.
STATUS_DEFAULTS: dict[int, ErrorDefault] = {
    400: ErrorDefault("invalid_request_error", "invalid_field", "Invalid request."),
    401: ErrorDefault("authentication_error", "invalid_api_key", INVALID_KEY_MESSAGE),
    402: ErrorDefault("insufficient_credits", "credits_exhausted", NO_CREDITS_MESSAGE),
    403: ErrorDefault(
        "permission_error",
        "forbidden",
        "You do not have permission to access this resource.",
    ),
    404: ErrorDefault("not_found_error", "resource_not_found", "The requested resource was not found."),
    409: ErrorDefault(
        "invalid_request_error",
        "conflict",
        "The request conflicts with the current state.",
    ),
    422: ErrorDefault(
        "invalid_request_error",
        "unprocessable_entity",
        "The request could not be processed.",
    ),
    429: ErrorDefault("rate_limit_error", "rate_limit_exceeded", rate_limit_message(30)),
    500: ErrorDefault(
        "api_error",
        "internal_error",
        "An internal error occurred. Please retry your request.",
    ),
    502: ErrorDefault("api_error", "bad_gateway", "Bad gateway. Please retry your request."),
    503: ErrorDefault(
        "api_error",
        "service_unavailable",
        "The service is temporarily unavailable. Please retry shortly.",
    ),
    504: ErrorDefault(
        "api_error",
        "gateway_timeout",
        "The upstream model timed out. Please retry your request.",
    ),
}


def default_for(status: int) -> ErrorDefault:
    """Catalogue entry for a status, with a generic fallback for odd codes."""
    if status in STATUS_DEFAULTS:
        return STATUS_DEFAULTS[status]
    kind = "invalid_request_error" if status < 500 else "api_error"
    message = f"Request failed with status {status}."
    return ErrorDefault(kind, f"http_{status}", message)


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
        fallback = default_for(status)
        self.status = status
        self.message = message if message is not None else fallback.message
        self.code = code if code is not None else fallback.code
        self.param = param
        self.type = type if type is not None else fallback.type
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "code": self.code,
                "param": self.param,
            }
        }


def invalid_field(param: str, message: str) -> ApiError:
    return ApiError(400, message, code="invalid_field", param=param)


def missing_field(param: str) -> ApiError:
    return ApiError(400, f"Missing required field '{param}'.", code="missing_field", param=param)
