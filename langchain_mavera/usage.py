"""Account usage (`GET /usage`) and a pre-flight credit check for fan-out code.

The response shape is the documented reference example; every block is
optional here and unknown keys are kept (`model_extra`), so a field Mavera
adds or omits never breaks a read. The docs do not say whether `GET /usage`
costs credits; it is treated as free.
"""

from __future__ import annotations

from typing import Any

from langchain_mavera._renames import refuse_positional_model
from langchain_mavera._transport import rest as _rest
from langchain_mavera._transport.connection import ClientSource, model_or_settings
from langchain_mavera.errors import MaveraCreditCheckError

__all__ = [
    "BillingPeriod",
    "CreditUsage",
    "MaveraCreditCheckError",
    "MaveraUsage",
    "RateLimit",
    "afetch_usage",
    "arequire_credits",
    "fetch_usage",
    "require_credits",
]

_PATH = "/usage"


class BillingPeriod(_rest.Lenient):
    """The current billing period (ISO 8601 strings, as sent)."""

    start: str | None = None
    end: str | None = None


class CreditUsage(_rest.Lenient):
    """Credits this billing period."""

    used: int | float | None = None
    included: int | float | None = None
    remaining: int | float | None = None
    percentage_used: int | float | None = None


class RateLimit(_rest.Lenient):
    """The key's rate-limit configuration."""

    requests_per_minute: int | None = None


class MaveraUsage(_rest.Lenient):
    """`GET /usage`: credits, rate limit and billing period of the account.

    `transcription`, `storage`, `api_requests`, `auto_recharge` and `limits`
    are kept as the plain objects the API sends.
    """

    object: str = "usage"
    billing_period: BillingPeriod | None = None
    credits: CreditUsage | None = None
    rate_limit: RateLimit | None = None
    transcription: dict[str, Any] | None = None
    storage: dict[str, Any] | None = None
    api_requests: dict[str, Any] | None = None
    auto_recharge: dict[str, Any] | None = None
    limits: dict[str, Any] | None = None

    @property
    def credits_remaining(self) -> int | float | None:
        """Credits left this period, or None when the reply did not say."""
        return None if self.credits is None else self.credits.remaining


def fetch_usage(*args: object, model: ClientSource | None = None, **settings: Any) -> MaveraUsage:
    """The account's usage this billing period.

    Args:
        *args: Refused: the model is passed by keyword (`model=`).
        model: The `ChatMavera` whose connection (key, base URL, clients) to share, by keyword.
        **settings: With no model, `ChatMavera` connection settings (`api_key`, `base_url`, ...).

    Example:
        ```python
        from langchain_mavera import ChatMavera, fetch_usage

        usage = fetch_usage(model=ChatMavera())
        usage.credits.remaining, usage.rate_limit.requests_per_minute, usage.billing_period.end
        # (2500, 120, '2024-03-31T23:59:59.999Z')
        ```
    """
    refuse_positional_model("fetch_usage", args)
    reply = _rest.request(model_or_settings("fetch_usage", model, settings).client, "get", _PATH)
    return _rest.parse(MaveraUsage, reply)


async def afetch_usage(*args: object, model: ClientSource | None = None, **settings: Any) -> MaveraUsage:
    """Async twin of `fetch_usage`."""
    refuse_positional_model("afetch_usage", args)
    source = model_or_settings("afetch_usage", model, settings)
    reply = await _rest.arequest(source.async_client, "get", _PATH)
    return _rest.parse(MaveraUsage, reply)


def _checked(needed: object) -> float:
    if isinstance(needed, bool) or not isinstance(needed, int | float) or needed < 0:
        msg = f"needed must be a number of credits >= 0, got {needed!r}."
        raise ValueError(msg)
    return float(needed)


def _enough(needed: float, usage: MaveraUsage) -> MaveraUsage:
    remaining = usage.credits_remaining
    # No figure to compare against: let the run start; the server still answers 402 if it must.
    if remaining is not None and remaining < needed:
        raise MaveraCreditCheckError(needed, usage)
    return usage


def require_credits(
    needed: float, *args: object, model: ClientSource | None = None, **settings: Any
) -> MaveraUsage:
    """Check that at least `needed` credits remain before starting a fan-out; return the usage.

    Raises:
        MaveraCreditCheckError: fewer credits remain (no paid request is sent).
        ValueError: `needed` is not a number >= 0 (nothing is sent at all).

    Example:
        ```python
        require_credits(300, model=model)  # before MaveraPersonas.create(...), which costs 300
        ```
    """
    refuse_positional_model("require_credits", args)
    wanted = _checked(needed)
    return _enough(wanted, fetch_usage(model=model, **settings))


async def arequire_credits(
    needed: float, *args: object, model: ClientSource | None = None, **settings: Any
) -> MaveraUsage:
    """Async twin of `require_credits`."""
    refuse_positional_model("arequire_credits", args)
    wanted = _checked(needed)
    return _enough(wanted, await afetch_usage(model=model, **settings))
