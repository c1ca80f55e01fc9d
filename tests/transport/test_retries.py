"""Retries and typed status errors, counted attempt by attempt."""

from __future__ import annotations

import logging

import openai
import pytest
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
)

from langchain_mavera import (
    MaveraAuthenticationError,
    MaveraError,
    MaveraInsufficientCreditsError,
    MaveraInvalidRequestError,
    MaveraNotFoundError,
    MaveraPermissionDeniedError,
    MaveraPersonaNotFoundError,
    MaveraRateLimitError,
    MaveraServerError,
)
from tests.fake_mavera import FakeMavera, ok, status

pytestmark = pytest.mark.loopback

# The SDK prefers Retry-After-Ms to Retry-After, which keeps these tests fast.
FAST = {"retry-after-ms": "5"}


def _waits(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Retrying request in")]


def test_429_then_success_honours_retry_after(caplog: pytest.LogCaptureFixture) -> None:
    script = FakeMavera(
        status(429, "rate_limit_exceeded", "Rate limit exceeded.", **{"retry-after": "1"}), ok()
    )
    with caplog.at_level(logging.INFO, logger="openai"):
        message = script.model(max_retries=2).invoke("hi")
    assert message.content == "Hello from the persona."
    assert len(script.requests) == 2
    # The wait is exactly the server's Retry-After, not the SDK's own backoff.
    assert _waits(caplog) == ["Retrying request in 1.000000 seconds (retry 1 of 2)"]


async def test_429_then_success_async() -> None:
    script = FakeMavera(status(429, "rate_limit_exceeded", "slow down", **FAST), ok())
    message = await script.model(max_retries=1).ainvoke("hi")
    assert message.content == "Hello from the persona."
    assert len(script.requests) == 2


@pytest.mark.parametrize("code", [500, 503])
def test_server_error_then_success(code: int) -> None:
    script = FakeMavera(status(code, "internal_error", "try again", **FAST), ok())
    assert script.model(max_retries=2).invoke("hi").content == "Hello from the persona."
    assert len(script.requests) == 2


@pytest.mark.parametrize("max_retries", [1, 3])
def test_persistent_429_gives_rate_limit_error_after_all_attempts(max_retries: int) -> None:
    script = FakeMavera(
        status(429, "rate_limit_exceeded", "Rate limit exceeded.", **{"retry-after": "30", **FAST})
    )
    with pytest.raises(MaveraRateLimitError) as caught:
        script.model(max_retries=max_retries).invoke("hi")
    assert len(script.requests) == max_retries + 1
    error = caught.value
    assert error.retry_after == 30.0
    assert error.status_code == 429
    assert error.code == "rate_limit_exceeded"
    assert isinstance(error, openai.RateLimitError)
    assert isinstance(error, ModelRateLimitError)


async def test_persistent_429_async_counts_attempts() -> None:
    script = FakeMavera(status(429, "rate_limit_exceeded", "slow down", **FAST))
    with pytest.raises(MaveraRateLimitError):
        await script.model(max_retries=2).ainvoke("hi")
    assert len(script.requests) == 3


def test_max_retries_zero_means_exactly_one_attempt() -> None:
    script = FakeMavera(status(503, "service_unavailable", "down", **FAST), ok())
    with pytest.raises(MaveraServerError):
        script.model(max_retries=0).invoke("hi")
    assert len(script.requests) == 1


def test_stream_is_retried_before_its_first_byte() -> None:
    from tests.fake_mavera import sse, stream_chunks

    script = FakeMavera(
        status(429, "rate_limit_exceeded", "slow down", **FAST), sse(stream_chunks(["a", "b"]))
    )
    text = "".join(str(chunk.content) for chunk in script.model(max_retries=1).stream("hi"))
    assert text == "ab"
    assert len(script.requests) == 2


NEVER_RETRIED = [
    (400, "invalid_field", MaveraInvalidRequestError, ModelInvalidRequestError),
    (400, "invalid_persona", MaveraPersonaNotFoundError, ModelInvalidRequestError),
    (401, "invalid_api_key", MaveraAuthenticationError, ModelAuthenticationError),
    (402, "credits_exhausted", MaveraInsufficientCreditsError, MaveraError),
    (402, "budget_exceeded", MaveraInsufficientCreditsError, MaveraError),
    (403, "forbidden", MaveraPermissionDeniedError, ModelPermissionDeniedError),
    (404, "not_found", MaveraNotFoundError, ModelNotFoundError),
]


@pytest.mark.parametrize(("code", "error_code", "mavera_cls", "core_cls"), NEVER_RETRIED)
def test_client_errors_are_typed_and_never_retried(
    code: int, error_code: str, mavera_cls: type[Exception], core_cls: type[Exception]
) -> None:
    script = FakeMavera(status(code, error_code, f"server says {error_code}", **FAST), ok())
    with pytest.raises(mavera_cls) as caught:
        script.model(max_retries=3).invoke("hi")
    assert len(script.requests) == 1
    error = caught.value
    assert isinstance(error, core_cls)
    assert isinstance(error, openai.APIStatusError)
    assert error.status_code == code
    assert error.code == error_code
    assert error.server_message == f"server says {error_code}"  # type: ignore[attr-defined]


def test_unknown_persona_is_a_persona_error_not_model_not_found() -> None:
    message = "Persona ID doesn't exist"
    body = {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_persona"}}
    import httpx2

    script = FakeMavera(
        lambda request: httpx2.Response(400, json={**body, "error": {**body["error"], "param": "persona_id"}})
    )
    with pytest.raises(MaveraPersonaNotFoundError) as caught:
        script.model(persona_id="clx_nope").invoke("hi")
    assert not isinstance(caught.value, ModelNotFoundError)
    assert caught.value.param == "persona_id"
    assert caught.value.error_type == "invalid_request_error"
    assert str(caught.value) == (
        "Persona ID doesn't exist "
        "(HTTP 400, type=invalid_request_error, code=invalid_persona, param=persona_id)"
    )


def test_request_timeout_is_retried_then_typed() -> None:
    from langchain_mavera import ChatMavera, MaveraTimeoutError
    from tests.loopback import run_loopback

    with run_loopback() as server:
        server.reply_delay = 1.0
        model = ChatMavera(api_key=server.api_key, base_url=server.base_url, timeout=0.1, max_retries=1)
        with pytest.raises(MaveraTimeoutError, match="Request to Mavera timed out"):
            model.invoke("hi")
        assert len(server.requests) == 2
