"""Bearer-key checks, including the special keys that trigger account errors.

Accepted: any key that starts with ``mvra_live_`` or ``mvra_test_`` and is at
least 32 characters long, except the special keys below. Keys are clearly fake
(they spell "emulator") so a cassette can never leak a real secret.

Special keys (exact match), each importable from this module:

- ``REVOKED_KEY``: 401 ``authentication_error`` / ``revoked_api_key``
- ``EXPIRED_KEY``: 401 ``authentication_error`` / ``expired_api_key``
- ``NO_CREDITS_KEY``: 402 ``insufficient_credits`` / ``credits_exhausted``
- ``BUDGET_EXCEEDED_KEY``: 402 ``insufficient_credits`` / ``budget_exceeded``
- ``FORBIDDEN_KEY``: 403 ``permission_error`` / ``forbidden``

Their values are ``mvra_live_emulator_<condition>`` padded with zeros to 42
characters, e.g. ``mvra_live_emulator_revoked0000000000000000``.
"""

from .errors import INVALID_KEY_MESSAGE, NO_CREDITS_MESSAGE, ApiError

KEY_PREFIXES = ("mvra_live_", "mvra_test_")
MIN_KEY_LENGTH = 32
_KEY_LENGTH = 42


def _special(condition: str) -> str:
    return ("mvra_live_emulator_" + condition).ljust(_KEY_LENGTH, "0")


DEFAULT_KEY = "mvra_live_" + "emulator" * 4
REVOKED_KEY = _special("revoked")
EXPIRED_KEY = _special("expired")
NO_CREDITS_KEY = _special("nocredits")
BUDGET_EXCEEDED_KEY = _special("budget")
FORBIDDEN_KEY = _special("forbidden")

_SPECIAL_ERRORS: dict[str, ApiError] = {
    REVOKED_KEY: ApiError(
        401,
        "This API key has been revoked. Create a new key in Settings > Developer.",
        code="revoked_api_key",
        type="authentication_error",
    ),
    EXPIRED_KEY: ApiError(
        401,
        "This API key has expired. Create a new key in Settings > Developer.",
        code="expired_api_key",
        type="authentication_error",
    ),
    NO_CREDITS_KEY: ApiError(402, NO_CREDITS_MESSAGE, code="credits_exhausted"),
    BUDGET_EXCEEDED_KEY: ApiError(
        402,
        "Workspace budget exceeded. Raise the budget in Workspace Settings > Budget.",
        code="budget_exceeded",
        type="insufficient_credits",
    ),
    FORBIDDEN_KEY: ApiError(
        403,
        "This API key does not have access to this resource.",
        code="forbidden",
    ),
}


def bearer_token(authorization: str | None) -> str | None:
    """The token of a ``Bearer`` header, or None when there is none to check."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(authorization: str | None) -> str:
    """Return the accepted key or raise the error the real API would send."""
    token = bearer_token(authorization)
    if token is None:
        raise ApiError(
            401,
            "Missing API key. Provide it as 'Authorization: Bearer mvra_live_...'.",
            code="missing_api_key",
            type="authentication_error",
        )
    if token in _SPECIAL_ERRORS:
        raise _SPECIAL_ERRORS[token]
    if not token.startswith(KEY_PREFIXES) or len(token) < MIN_KEY_LENGTH:
        raise ApiError(401, INVALID_KEY_MESSAGE, code="invalid_api_key")
    return token


def redact(authorization: str) -> str:
    """Keep only the key prefix, as the docs advise for logs."""
    token = bearer_token(authorization)
    if token is None:
        return "***"
    return f"Bearer {token[:14]}***"
