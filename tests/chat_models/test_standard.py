"""LangChain's standard integration tests for ChatMavera, replayed from cassettes.

Cassettes live in cassettes/test_standard/ and were recorded from the local
emulator (`--record-mode=rewrite`); the default run replays them with sockets
disabled. See cassettes/PROVENANCE-images.md for the image download that
`test_image_inputs` makes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_mavera import ChatMavera

pytestmark = pytest.mark.vcr

PERSONA_ID = "clx1abc2d0001abcdef123456"
"""The example persona id from Mavera's API reference (the emulator serves it too)."""

STANDARD_IMAGE_HOST = "raw.githubusercontent.com"
LOCAL_IMAGE = Path(__file__).parent / "data" / "standard-test-image.png"
IMAGE_PROVENANCE = "local-file tests/chat_models/data/standard-test-image.png (see PROVENANCE-images.md)"


def _serve_local_image(request: httpx.Request) -> httpx.Response:
    if request.url.host != STANDARD_IMAGE_HOST:
        msg = f"Only the standard test image is served offline while recording, not {request.url}."
        raise httpx.ConnectError(msg, request=request)
    return httpx.Response(
        200,
        content=LOCAL_IMAGE.read_bytes(),
        headers={"content-type": "image/png", "x-served-by": IMAGE_PROVENANCE},
    )


@pytest.fixture(autouse=True)
def _record_image_download_from_a_local_file(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """While recording, answer test_image_inputs' internet download with a local PNG.

    No machine here reaches raw.githubusercontent.com. The download still goes
    through httpx (a MockTransport), so VCR records it into the cassette under
    its real URL, marked with an `x-served-by` header naming the local file.
    Replay then serves the recorded bytes; nothing is patched on replay.
    """
    if str(request.config.getoption("--record-mode") or "none") == "none":
        yield
        return
    real_get = httpx.get

    def get(url: str, **kwargs: object) -> httpx.Response:
        if httpx.URL(url).host != STANDARD_IMAGE_HOST:
            return real_get(url, **kwargs)  # type: ignore[arg-type]
        timeout = kwargs.pop("timeout", None)
        with httpx.Client(transport=httpx.MockTransport(_serve_local_image), timeout=timeout) as client:  # type: ignore[arg-type]
            return client.get(url, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx, "get", get)
    yield


class TestChatMaveraStandardIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatMavera]:
        return ChatMavera

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "mavera-1", "persona_id": PERSONA_ID}

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True
