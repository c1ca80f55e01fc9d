"""How cassettes are recorded and replayed, shared by the tests and the examples.

The tests import it as ``cassettes.vcr_settings``; ``examples/_replay.py``
loads it by file path, so neither edits ``sys.path``.

Recorded requests are rewritten to the public Mavera URL and stripped of every
header, so a cassette recorded from the local emulator and one recorded from
the live API look alike and hold no secret. Responses keep only the headers the
package reads (content type, rate limits, Retry-After) and the emulator's
`X-Served-By` provenance marker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vcr.request import Request

ROOT = Path(__file__).resolve().parent.parent
CASSETTE_DIR = ROOT / "cassettes"
PUBLIC_BASE_URL = "https://app.mavera.io/api/v1"
REPLAY_API_KEY = "mvra_test_placeholder_key_for_cassette_replay"
"""Sent while replaying; never matched, and the recorded requests hold no key at all."""

_KEPT_RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "x-served-by",
    }
)
_PUBLIC = urlsplit(PUBLIC_BASE_URL)


def scrub_request(request: Request) -> Request:
    """Point the request at the public API and drop every header (keys included)."""
    parts = urlsplit(request.uri)
    path = parts.path
    api_root = path.find("/api/v1")
    request.headers = {}
    if api_root < 0:
        return request  # not a Mavera call (e.g. a test's image download): keep its real URL
    path = path[api_root:]
    request.uri = urlunsplit((_PUBLIC.scheme, _PUBLIC.netloc, path, parts.query, ""))
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Keep only the response headers the package reads, plus provenance."""
    response["headers"] = {
        name: value for name, value in response["headers"].items() if name.lower() in _KEPT_RESPONSE_HEADERS
    }
    return response


def _canonical_tool_call_ids(body: Any) -> Any:
    """Tool-call ids renamed `id0, id1, ...` in order of first appearance.

    Ids in a request's history are often minted client-side with uuid4 (for
    example by langchain-core's `tool_example_to_messages`), so they differ on
    every run. Renaming them consistently still checks which tool result
    answers which call, without depending on the random values.
    """
    if not isinstance(body, dict):
        return body
    names: dict[str, str] = {}

    def canonical(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return names.setdefault(value, f"id{len(names)}")

    if isinstance(body.get("input"), list):
        # Responses API: function_call and function_call_output items carry a `call_id`.
        items = [
            {**item, "call_id": canonical(item["call_id"])}
            if isinstance(item, dict) and "call_id" in item
            else item
            for item in body["input"]
        ]
        return {**body, "input": items}
    if not isinstance(body.get("messages"), list):
        return body

    messages = []
    for message in body["messages"]:
        if not isinstance(message, dict):
            messages.append(message)
            continue
        message = dict(message)
        if isinstance(message.get("tool_calls"), list):
            message["tool_calls"] = [
                {**call, "id": canonical(call.get("id"))} if isinstance(call, dict) else call
                for call in message["tool_calls"]
            ]
        if "tool_call_id" in message:
            message["tool_call_id"] = canonical(message["tool_call_id"])
        messages.append(message)
    return {**body, "messages": messages}


def json_body_matcher(recorded: Request, live: Request) -> None:
    """Bodies match when they decode to equal JSON (key order, spacing and tool-call id values aside)."""

    def decode(request: Request) -> Any:
        body = request.body or b""
        try:
            return _canonical_tool_call_ids(json.loads(body))
        except ValueError:
            return body

    assert decode(recorded) == decode(live), "request bodies differ"


def vcr_kwargs(record_mode: str) -> dict[str, Any]:
    """Keyword arguments for `vcr.VCR(...)` / `use_cassette(...)`."""
    return {
        "record_mode": record_mode,
        "match_on": ["method", "path", "query", "json_body"],
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": True,
        "path_transformer": lambda path: path if path.endswith(".yaml") else f"{path}.yaml",
    }
