"""Every committed cassette is free of secrets and says where it came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cassettes.vcr_settings import CASSETTE_DIR

CASSETTES = sorted(CASSETTE_DIR.rglob("*.yaml"))
KEY_LIKE = re.compile(
    r"mvra_(?:live|test)_[A-Za-z0-9]{16,}"  # a Mavera key (the replay placeholder has underscores)
    r"|Bearer\s+(?!PLACEHOLDER)[A-Za-z0-9._\-]{8,}"
    r"|sk-[A-Za-z0-9_\-]{20,}"  # an OpenAI key
    r"|(?i:set-cookie|cookie|authorization|openai-organization|openai-project)\s*:",
)


# Downloads that langchain-tests' standard tests make from the internet, recorded from a local
# stand-in file (cassettes/PROVENANCE-images.md); each must say so in its x-served-by header.
LOCAL_STAND_INS = ("https://raw.githubusercontent.com/langchain-ai/docs/",)


def test_there_are_cassettes() -> None:
    assert len(CASSETTES) >= 10


@pytest.mark.parametrize("path", CASSETTES, ids=lambda path: str(path.relative_to(CASSETTE_DIR)))
def test_cassette_has_no_key_like_string(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    match = KEY_LIKE.search(text)
    assert match is None, f"key-like text in {path.name}: {match.group(0)[:40] if match else ''}"


@pytest.mark.parametrize("path", CASSETTES, ids=lambda path: str(path.relative_to(CASSETTE_DIR)))
def test_requests_carry_no_headers_and_point_at_mavera(path: Path) -> None:
    cassette = yaml.safe_load(path.read_text(encoding="utf-8"))
    for interaction in cassette["interactions"]:
        request = interaction["request"]
        assert request["headers"] == {}
        if request["uri"].startswith(LOCAL_STAND_INS):
            served_by = interaction["response"]["headers"].get("x-served-by", [""])[0]
            assert served_by.startswith("local-file "), request["uri"]
            continue
        assert request["uri"].startswith("https://app.mavera.io/api/v1/")


def test_scanner_catches_a_planted_key() -> None:
    planted = "authorization: Bearer mvra_live_" + "a1b2c3d4" * 4
    assert KEY_LIKE.search(planted)
    assert KEY_LIKE.search("x: mvra_test_" + "Z" * 20)
    assert not KEY_LIKE.search("mvra_test_placeholder_key_for_cassette_replay")
