"""`MaveraRateLimitError.retry_after` is finite, non-negative seconds, or None; HTTP dates are converted."""

from __future__ import annotations

import email.utils
import time

import pytest

from langchain_mavera import MaveraRateLimitError
from tests.fake_mavera import FakeMavera, status


def _retry_after(value: str) -> float | None:
    script = FakeMavera(status(429, "rate_limit_exceeded", "slow down", **{"retry-after": value}))
    with pytest.raises(MaveraRateLimitError) as caught:
        script.model(max_retries=0).invoke("hi")
    return caught.value.retry_after


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), ("1.5", 1.5), ("0", 0.0), ("-3", 0.0), ("inf", None), ("nan", None), ("1e400", None)],
)
def test_retry_after_seconds(value: str, expected: float | None) -> None:
    assert _retry_after(value) == expected


def test_retry_after_http_date_is_converted_to_seconds() -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    seconds = _retry_after(later)
    assert seconds is not None
    assert 20 <= seconds <= 31


def test_retry_after_in_the_past_is_zero_and_garbage_is_none() -> None:
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after("whenever") is None
