"""The fault suite against the Mavera emulator: attempts counted from its request log.

Skipped until `tests/emulator` is present; the same behaviours are also covered
socket-free in the other modules of this folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.rate_limiters import InMemoryRateLimiter

from langchain_mavera import (
    ChatMavera,
    MaveraAPIError,
    MaveraAuthenticationError,
    MaveraInsufficientCreditsError,
    MaveraPermissionDeniedError,
    MaveraPersonaNotFoundError,
    MaveraRateLimitError,
    MaveraServerError,
    MaveraStreamInterruptedError,
    MaveraTimeoutError,
    get_analysis,
)

pytestmark = pytest.mark.loopback

emulator = pytest.importorskip("tests.emulator")
Fault = emulator.Fault
PERSONA = "clx1abc2d0001abcdef123456"


@pytest.fixture(autouse=True)
def _fresh(emu: Any) -> None:
    """Every test starts with an empty request log and no queued faults."""


def _model(emu: Any, **kwargs: Any) -> ChatMavera:
    kwargs.setdefault("api_key", emu.api_key)
    kwargs.setdefault("persona_id", PERSONA)
    return ChatMavera(base_url=emu.base_url, **kwargs)


def _chat_requests(emu: Any, path: str = "/chat/completions") -> int:
    return sum(1 for request in emu.requests if request.path == path)


@dataclass(frozen=True)
class Transport:
    """One wire format, as the faults target it."""

    path: str
    use_responses_api: bool
    cut_after: int
    """Events after which a cut stream has delivered some text (Responses opens with bookkeeping events)."""


TRANSPORTS = [
    pytest.param(Transport("/chat/completions", False, 2), id="chat_completions"),
    pytest.param(Transport("/responses", True, 4), id="responses"),
]


class Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str | list[str | dict[str, Any]], **kwargs: Any) -> None:
        assert isinstance(token, str)
        self.tokens.append(token)


def _drain(model: ChatMavera, seen: list[str], handler: Tokens) -> None:
    for chunk in model.stream("Describe the ideal sneaker launch.", config={"callbacks": [handler]}):
        seen.append(str(chunk.content))


async def _adrain(model: ChatMavera, seen: list[str]) -> None:
    async for chunk in model.astream("hi"):
        seen.append(str(chunk.content))


def test_429_then_success(emu: Any) -> None:
    emu.faults.push(Fault("status", status=429, retry_after=1))
    assert _model(emu, max_retries=2).invoke("hi").content
    assert _chat_requests(emu) == 2


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("status", [500, 503])
def test_5xx_then_success(emu: Any, status: int, transport: Transport) -> None:
    emu.faults.push(Fault("status", path=transport.path, status=status, retry_after=1))
    assert _model(emu, max_retries=2, use_responses_api=transport.use_responses_api).invoke("hi").content
    assert _chat_requests(emu, transport.path) == 2


def test_persistent_429(emu: Any) -> None:
    emu.faults.push(Fault("status", status=429, retry_after=1, times=5))
    with pytest.raises(MaveraRateLimitError) as caught:
        _model(emu, max_retries=1).invoke("hi")
    assert _chat_requests(emu) == 2
    assert caught.value.retry_after == 1.0


def test_max_retries_zero_is_one_attempt(emu: Any) -> None:
    emu.faults.push(Fault("status", status=503, retry_after=1))
    with pytest.raises(MaveraServerError):
        _model(emu, max_retries=0).invoke("hi")
    assert _chat_requests(emu) == 1


@pytest.mark.parametrize(
    ("key_name", "expected", "code"),
    [
        ("REVOKED_KEY", MaveraAuthenticationError, "revoked_api_key"),
        ("EXPIRED_KEY", MaveraAuthenticationError, "expired_api_key"),
        ("NO_CREDITS_KEY", MaveraInsufficientCreditsError, "credits_exhausted"),
        ("BUDGET_EXCEEDED_KEY", MaveraInsufficientCreditsError, "budget_exceeded"),
        ("FORBIDDEN_KEY", MaveraPermissionDeniedError, "forbidden"),
    ],
)
def test_account_errors_are_typed_and_not_retried(
    emu: Any, key_name: str, expected: type[Exception], code: str
) -> None:
    with pytest.raises(expected) as caught:
        _model(emu, api_key=getattr(emulator, key_name), max_retries=3).invoke("hi")
    assert caught.value.code == code  # type: ignore[attr-defined]
    assert len(emu.requests) == 1


def test_unknown_persona(emu: Any) -> None:
    with pytest.raises(MaveraPersonaNotFoundError) as caught:
        _model(emu, persona_id="clx_no_such_persona", max_retries=3).invoke("hi")
    assert caught.value.code == "invalid_persona"
    assert _chat_requests(emu) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("graceful", [False, True], ids=["dropped", "ended-early"])
def test_cut_stream(emu: Any, graceful: bool, transport: Transport) -> None:
    emu.faults.push(
        Fault("cut_stream", path=transport.path, after_chunks=transport.cut_after, graceful=graceful)
    )
    seen: list[str] = []
    handler = Tokens()
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        _drain(_model(emu, use_responses_api=transport.use_responses_api), seen, handler)
    assert "".join(seen)
    assert handler.tokens == seen
    assert caught.value.partial is not None
    assert caught.value.partial.content == "".join(seen)
    assert _chat_requests(emu, transport.path) == 1


async def test_cut_stream_async(emu: Any) -> None:
    emu.faults.push(Fault("cut_stream", after_chunks=2))
    seen: list[str] = []
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        await _adrain(_model(emu), seen)
    assert caught.value.partial is not None
    assert caught.value.partial.content == "".join(seen) != ""


def test_slow_stream_times_out(emu: Any) -> None:
    emu.faults.push(Fault("slow_stream", after_chunks=2, delay=1.0))  # chunk 1 is role-only
    seen: list[str] = []
    with pytest.raises(MaveraTimeoutError) as caught:
        _drain(_model(emu, stream_chunk_timeout=0.2), seen, Tokens())
    assert len(seen) == 1
    assert caught.value.partial is not None
    assert caught.value.partial.content == seen[0]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_error_inside_stream(emu: Any, transport: Transport) -> None:
    error = {"message": "Insufficient credits.", "type": "insufficient_credits", "code": "credits_exhausted"}
    emu.faults.push(Fault("stream_error", path=transport.path, after_chunks=transport.cut_after, error=error))
    with pytest.raises(MaveraInsufficientCreditsError) as caught:
        _drain(_model(emu, use_responses_api=transport.use_responses_api), [], Tokens())
    assert caught.value.partial is not None


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_sse_comments_ignored(emu: Any, transport: Transport) -> None:
    model = _model(emu, use_responses_api=transport.use_responses_api)
    plain = "".join(str(chunk.content) for chunk in model.stream("hi"))
    assert plain == model.invoke("hi").content
    emu.faults.push(Fault("sse_comments", path=transport.path))
    chunks = list(model.stream("hi"))
    assert "".join(str(chunk.content) for chunk in chunks) == plain


def test_malformed_body(emu: Any) -> None:
    emu.faults.push(Fault("malformed"))
    with pytest.raises(MaveraAPIError) as caught:
        _model(emu).invoke("hi")
    assert caught.value.raw_text == "<html><body><h1>502 Bad Gateway</h1></body></html>"


def test_bad_analysis(emu: Any) -> None:
    emu.faults.push(Fault("bad_analysis", analysis_value="analysis unavailable"))
    with pytest.warns(UserWarning, match="analysis"):
        message = _model(emu, analysis_mode=True).invoke("hi")
    assert message.response_metadata["analysis"] == "analysis unavailable"
    with pytest.warns(UserWarning, match="raw value is kept"):
        assert get_analysis(message) is None


def test_openai_decoys_not_sent(emu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-DECOY-openai-key-must-not-be-sent")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/decoy/v1")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-DECOY")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_DECOY")
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", "X-Decoy: yes")
    _model(emu).invoke("hi")
    assert _chat_requests(emu) == 1  # it reached the emulator, not OPENAI_BASE_URL
    headers = emu.requests[0].headers
    assert not {"openai-organization", "openai-project", "x-decoy"} & set(headers)
    assert "DECOY" not in str(headers)


async def test_rate_limiter_keeps_abatch_under_the_server_budget() -> None:
    # A scaled-down tier: 6 requests per 1-second sliding window stands in for 60/120/... per minute.
    with emulator.run_emulator(rate_limit_per_minute=6, rate_limit_window=1.0) as server:
        paced = InMemoryRateLimiter(requests_per_second=4, check_every_n_seconds=0.01, max_bucket_size=1)
        model = _model(server, rate_limiter=paced, max_retries=0)
        answers = await model.abatch([f"q{i}" for i in range(10)], config={"max_concurrency": 4})
        assert all(answer.content for answer in answers)  # no 429: max_retries=0 would have raised
        assert _chat_requests(server) == 10

        server.reset()
        unpaced = _model(server, max_retries=0)
        results = await unpaced.abatch(
            [f"q{i}" for i in range(10)], config={"max_concurrency": 4}, return_exceptions=True
        )
        assert any(isinstance(result, MaveraRateLimitError) for result in results)
