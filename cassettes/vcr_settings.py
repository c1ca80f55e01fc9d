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

import inspect
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vcr.persisters.filesystem import FilesystemPersister
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
_EMULATOR_MARKER = "langchain-mavera-emulator"
_PINNED_RESET = "1767225660"
"""2026-01-01T00:01Z: the emulator's rate-limit window ends on the wall clock, which would
change every re-recording; recordings from the emulator carry this fixed value instead."""


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
    return _with_numbered_call_ids(request)


def _with_numbered_call_ids(request: Request) -> Request:
    """Store tool-call ids as `id0, id1, ...` when the body has any.

    Ids minted client-side at random (uuid4) would otherwise change the
    recorded body on every re-recording. Replay compares bodies with the same
    renaming (`json_body_matcher`), so a request with fresh random ids matches.
    """
    try:
        body = json.loads(request.body or b"")
    except ValueError:
        return request
    numbered = _canonical_tool_call_ids(body)
    if numbered != body:
        request.body = json.dumps(numbered, ensure_ascii=False, separators=(",", ":")).encode()
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Keep only the response headers the package reads, plus provenance.

    In a response from the emulator, the rate-limit counters are pinned: its
    window resets on the wall clock and its remaining count depends on every
    request made before in the session, so without pinning each re-recording
    would rewrite every cassette. An exhausted window ("0") is kept as is.
    """
    headers = {
        name: value for name, value in response["headers"].items() if name.lower() in _KEPT_RESPONSE_HEADERS
    }
    named = {name.lower(): name for name in headers}
    if _EMULATOR_MARKER in "".join(headers.get(named.get("x-served-by", ""), [])):
        if "x-ratelimit-reset" in named:
            headers[named["x-ratelimit-reset"]] = [_PINNED_RESET]
        limit = headers.get(named.get("x-ratelimit-limit", ""))
        remaining = headers.get(named.get("x-ratelimit-remaining", ""))
        if limit and remaining and remaining != ["0"]:
            headers[named["x-ratelimit-remaining"]] = [str(int(limit[0]) - 1)]
    response["headers"] = headers
    return response


class SortedPersister(FilesystemPersister):
    """Saves a cassette's interactions sorted by method, URL and body.

    Concurrent calls (a panel, a batch) reach the server in any order; sorting
    makes a re-recording byte-identical. The sort is stable, so repeats of one
    request keep their recorded order, and replay matches on the request, not
    on its position.
    """

    @staticmethod
    def save_cassette(cassette_path: Any, cassette_dict: dict[str, Any], serializer: Any) -> None:
        pairs = sorted(
            zip(cassette_dict["requests"], cassette_dict["responses"], strict=True),
            key=lambda pair: _sort_key(pair[0]),
        )
        ordered = {
            "requests": [request for request, _ in pairs],
            "responses": [response for _, response in pairs],
        }
        FilesystemPersister.save_cassette(cassette_path, ordered, serializer)


def _sort_key(request: Request) -> tuple[str, str, bytes]:
    body = request.body or b""
    return request.method, request.uri, body if isinstance(body, bytes) else str(body).encode()


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


def _cleaned_descriptions(value: Any) -> Any:
    """Every `description` string passed through `inspect.cleandoc`.

    A tool or schema description taken from a docstring keeps its indentation up to Python 3.12;
    3.13's compiler strips it. Cleaning both sides makes a cassette match on every Python version.
    """
    if isinstance(value, list):
        return [_cleaned_descriptions(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: inspect.cleandoc(item)
        if key == "description" and isinstance(item, str)
        else _cleaned_descriptions(item)
        for key, item in value.items()
    }


def json_body_matcher(recorded: Request, live: Request) -> None:
    """Bodies match when they decode to equal JSON.

    Key order, spacing, tool-call id values and the indentation of descriptions aside.
    """

    def decode(request: Request) -> Any:
        body = request.body or b""
        try:
            return _cleaned_descriptions(_canonical_tool_call_ids(json.loads(body)))
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
