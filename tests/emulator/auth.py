"""Bearer-key checks, including the special keys that trigger account errors.

Accepted: any key that starts with ``mvra_live_`` or ``mvra_test_`` and is at least 32
characters long, except the special keys below. Keys are clearly fake (they spell "emulator")
so a cassette can never leak a real secret.

Special keys (exact match), each importable from this module:

- ``REVOKED_KEY``: 401 ``authentication_error`` / ``revoked_api_key``
- ``EXPIRED_KEY``: 401 ``authentication_error`` / ``expired_api_key``
- ``NO_CREDITS_KEY``: 402 ``insufficient_credits`` / ``credits_exhausted``
- ``BUDGET_EXCEEDED_KEY``: 402 ``insufficient_credits`` / ``budget_exceeded``
- ``FORBIDDEN_KEY``: 403 ``permission_error`` / ``forbidden``

Their values are ``mvra_live_emulator_<condition>`` padded with zeros to 42 characters, e.g.
``mvra_live_emulator_revoked0000000000000000``; their messages are in ``data/errors.json``.
"""

from .wire import ERRORS, ApiError

KEY_PREFIXES = ("mvra_live_", "mvra_test_")
MIN_KEY_LENGTH = 32


def _special(condition: str) -> str:
    return ("mvra_live_emulator_" + condition).ljust(42, "0")


DEFAULT_KEY = "mvra_live_" + "emulator" * 4
REVOKED_KEY = _special("revoked")
EXPIRED_KEY = _special("expired")
NO_CREDITS_KEY = _special("nocredits")
BUDGET_EXCEEDED_KEY = _special("budget")
FORBIDDEN_KEY = _special("forbidden")
_SPECIAL_ERRORS = {
    _special(name.removeprefix("key:")): ApiError(row[0], row[3], code=row[2], type=row[1])
    for name, row in ERRORS.items()
    if name.startswith("key:")
}


def bearer_token(authorization: str | None) -> str | None:
    """The token of a ``Bearer`` header, or None when there is none to check."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate(authorization: str | None) -> str:
    """Return the accepted key or raise the error the real API would send."""
    token = bearer_token(authorization)
    if token is None:
        message = "Missing API key. Provide it as 'Authorization: Bearer mvra_live_...'."
        raise ApiError(401, message, code="missing_api_key", type="authentication_error")
    if token in _SPECIAL_ERRORS:
        raise _SPECIAL_ERRORS[token]
    if not token.startswith(KEY_PREFIXES) or len(token) < MIN_KEY_LENGTH:
        raise ApiError(401)
    return token


def redact(authorization: str) -> str:
    """Keep only the key prefix, as the docs advise for logs."""
    token = bearer_token(authorization)
    return "***" if token is None else f"Bearer {token[:14]}***"
