"""Response metadata shared by both transports: usage, credits and rate limits.

Both wire formats report the same facts under different names; normalising them
here is what lets a user switch transports without changing their code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata

_RATE_LIMIT_HEADERS = (
    ("limit", "x-ratelimit-limit"),
    ("remaining", "x-ratelimit-remaining"),
    ("reset", "x-ratelimit-reset"),
)


def rate_limit_from_headers(headers: Mapping[str, str]) -> dict[str, int] | None:
    """`{limit, remaining, reset}` from the X-RateLimit-* headers present, else None."""
    found: dict[str, int] = {}
    for key, header in _RATE_LIMIT_HEADERS:
        value = headers.get(header)
        if value is None:
            continue
        try:
            found[key] = int(float(value))
        except (ValueError, OverflowError):  # "soon", "nan", "inf", "1e400": dropped, never raised
            continue
    return found or None


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def usage_metadata_from(usage: Mapping[str, Any] | None) -> UsageMetadata | None:
    """Token counts as LangChain `UsageMetadata`, or None when no tokens are reported.

    Mavera may report only `credits_used`; inventing zero token counts would
    corrupt cost tracking downstream, so that case yields None.
    """
    if not usage:
        return None
    input_tokens = _int_or_none(usage.get("prompt_tokens", usage.get("input_tokens")))
    output_tokens = _int_or_none(usage.get("completion_tokens", usage.get("output_tokens")))
    if input_tokens is None and output_tokens is None:
        return None
    input_tokens = input_tokens or 0
    output_tokens = output_tokens or 0
    total = _int_or_none(usage.get("total_tokens"))
    metadata = UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=total if total is not None else input_tokens + output_tokens,
    )
    input_details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details")
    cached = _int_or_none(input_details.get("cached_tokens")) if isinstance(input_details, Mapping) else None
    if cached is not None:
        metadata["input_token_details"] = InputTokenDetails(cache_read=cached)
    output_details = usage.get("completion_tokens_details") or usage.get("output_tokens_details")
    reasoning = (
        _int_or_none(output_details.get("reasoning_tokens")) if isinstance(output_details, Mapping) else None
    )
    if reasoning is not None:
        metadata["output_token_details"] = OutputTokenDetails(reasoning=reasoning)
    return metadata


def response_metadata(
    *,
    model_name: Any,
    response_id: Any,
    finish_reason: Any,
    usage: Mapping[str, Any] | None,
    analysis: Any,
    persona_id: str | None,
    headers: Mapping[str, str] | None,
) -> dict[str, Any]:
    """The `AIMessage.response_metadata` contract, identical for both transports.

    Keys are present only when the server (or the request) supplied them, so a
    streamed aggregate and an invoke result compare equal.
    """
    metadata: dict[str, Any] = {"model_provider": "mavera"}
    if model_name:
        metadata["model_name"] = model_name
    if response_id:
        metadata["id"] = response_id
    if finish_reason:
        metadata["finish_reason"] = finish_reason
    if persona_id:
        metadata["persona_id"] = persona_id
    if usage:
        metadata["token_usage"] = dict(usage)
        if "credits_used" in usage:
            metadata["credits_used"] = usage["credits_used"]
    if analysis is not None:
        metadata["analysis"] = analysis
    if headers is not None:
        rate_limit = rate_limit_from_headers(headers)
        if rate_limit:
            metadata["rate_limit"] = rate_limit
    return metadata
