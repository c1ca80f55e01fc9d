"""Kept so older imports work; the cassette settings live in cassettes/vcr_settings.py."""

from cassettes.vcr_settings import (
    CASSETTE_DIR,
    PUBLIC_BASE_URL,
    REPLAY_API_KEY,
    ROOT,
    json_body_matcher,
    scrub_request,
    scrub_response,
    vcr_kwargs,
)

__all__ = [
    "CASSETTE_DIR",
    "PUBLIC_BASE_URL",
    "REPLAY_API_KEY",
    "ROOT",
    "json_body_matcher",
    "scrub_request",
    "scrub_response",
    "vcr_kwargs",
]
