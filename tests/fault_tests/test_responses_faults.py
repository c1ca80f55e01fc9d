"""Faults on the Responses transport: the same typed errors and retries as chat completions."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_mavera import ChatMavera, MaveraInsufficientCreditsError, MaveraStreamInterruptedError

emulator = pytest.importorskip("tests.emulator")
Fault = emulator.Fault
PERSONA = "clx1abc2d0001abcdef123456"
QUESTION = "How do you feel about refillable packaging?"


@pytest.fixture(autouse=True)
def _fresh(fresh_emu: Any) -> None:
    """Every test starts with an empty request log and no queued faults."""


def _model(emu: Any, **kwargs: Any) -> ChatMavera:
    return ChatMavera(
        base_url=emu.base_url, api_key=emu.api_key, persona_id=PERSONA, use_responses_api=True, **kwargs
    )


def _responses_requests(emu: Any) -> int:
    return sum(1 for request in emu.requests if request.path == "/responses")


def test_cut_stream_raises_interrupted_with_the_partial_text(emu: Any) -> None:
    emu.faults.push(Fault("cut_stream", path="/responses", after_chunks=4))
    with pytest.raises(MaveraStreamInterruptedError) as caught:
        list(_model(emu).stream(QUESTION))
    assert caught.value.partial is not None
    assert caught.value.partial.content


def test_gracefully_ended_stream_without_completion_is_interrupted(emu: Any) -> None:
    emu.faults.push(Fault("cut_stream", path="/responses", after_chunks=4, graceful=True))
    with pytest.raises(MaveraStreamInterruptedError):
        list(_model(emu).stream(QUESTION))


def test_error_object_mid_stream_is_typed(emu: Any) -> None:
    error = {"message": "Insufficient credits.", "type": "insufficient_credits", "code": "credits_exhausted"}
    emu.faults.push(Fault("stream_error", path="/responses", after_chunks=4, error=error))
    with pytest.raises(MaveraInsufficientCreditsError) as caught:
        list(_model(emu).stream(QUESTION))
    assert caught.value.partial is not None


def test_503_is_retried(emu: Any) -> None:
    emu.faults.push(Fault("status", path="/responses", status=503, retry_after=0))
    message = _model(emu, max_retries=1).invoke(QUESTION)
    assert message.content
    assert _responses_requests(emu) == 2


def test_keep_alive_comments_change_nothing(emu: Any) -> None:
    model = _model(emu)
    plain = "".join(str(chunk.content) for chunk in model.stream(QUESTION))
    emu.faults.push(Fault("sse_comments", path="/responses"))
    commented = "".join(str(chunk.content) for chunk in model.stream(QUESTION))
    assert commented == plain
