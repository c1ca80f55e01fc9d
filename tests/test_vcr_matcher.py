"""The cassette body matcher ignores tool-call id values but not which result answers which call."""

from __future__ import annotations

import json

import pytest
from vcr.request import Request

from cassettes.vcr_settings import json_body_matcher


def _request(first_id: str, second_id: str, answered: str) -> Request:
    body = {
        "model": "mavera-1",
        "messages": [
            {"role": "user", "content": "What is 1 + 2?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": first_id, "type": "function", "function": {"name": "add", "arguments": "{}"}},
                    {"id": second_id, "type": "function", "function": {"name": "mul", "arguments": "{}"}},
                ],
            },
            {"role": "tool", "tool_call_id": answered, "content": "3"},
        ],
    }
    return Request("POST", "https://app.mavera.io/api/v1/chat/completions", json.dumps(body), {})


def test_random_tool_call_ids_still_match() -> None:
    json_body_matcher(_request("uuid-a", "uuid-b", "uuid-a"), _request("uuid-x", "uuid-y", "uuid-x"))


def test_a_result_for_a_different_call_does_not_match() -> None:
    with pytest.raises(AssertionError):
        json_body_matcher(_request("uuid-a", "uuid-b", "uuid-a"), _request("uuid-x", "uuid-y", "uuid-y"))
