"""Without a piece of the openai SDK's private API, requests take the SDK's public path, unchanged.

`_transport/_sdk.py` is the only module that uses the SDK's private API. When the installed
openai lacks a private import or a client member the fast path needs, POSTs go through the
public `client.post` instead: the same method, URL, headers and body on the wire, and the same
errors. Deleting a member from the real SDK class would also break the SDK's own public path
(which uses the same members internally), so the tests widen the list of required members, the
seam `sender()` checks, or switch the private imports off.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from langchain_mavera import MaveraError
from langchain_mavera._transport import _sdk
from tests.fake_mavera import FakeMavera, ok, status

Seen = list[tuple[str, str, list[tuple[bytes, bytes]], bytes]]


def _wire(replies: list[Any], run: Any) -> tuple[Seen, Any]:
    script = FakeMavera(*replies)
    model = script.model(max_retries=1)
    try:
        outcome: Any = run(model)
    except MaveraError as exc:
        outcome = (type(exc), str(exc))
    seen = [(r.method, str(r.url), list(r.headers.raw), r.content) for r in script.requests]
    return seen, outcome


def _invoke(model: Any) -> Any:
    return model.invoke("hello").content


def _ainvoke(model: Any) -> Any:
    return asyncio.run(model.ainvoke("hello")).content


def _lacking_a_member(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(_sdk, "CLIENT_MEMBERS", (*_sdk.CLIENT_MEMBERS, "_a_member_this_sdk_lacks"))


def _without_private_imports(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(_sdk, "PRIVATE_API", False)


@pytest.mark.parametrize("remove", [_lacking_a_member, _without_private_imports])
@pytest.mark.parametrize("run", [_invoke, _ainvoke])
@pytest.mark.parametrize(
    "replies",
    [[ok("hi there")], [status(400, "invalid_request_error", "bad persona")]],
    ids=["answer", "error"],
)
def test_the_public_path_sends_and_fails_the_same(
    remove: Any, run: Any, replies: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = _wire(replies, run)
    with monkeypatch.context() as patch:
        remove(patch)
        used: list[Any] = []
        real_init = _sdk.Direct.__init__

        def spy(self: Any, client: Any) -> None:
            used.append(client)
            real_init(self, client)

        patch.setattr(_sdk.Direct, "__init__", spy)
        fallback = _wire(replies, run)
    assert used == []  # the fast path was never built: every request went through `client.post`
    assert fallback == direct


def test_a_missing_member_means_no_direct_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    model = FakeMavera(ok("hi")).model()
    assert _sdk.sender(model.client) is not None
    monkeypatch.setattr(_sdk, "_DIRECT", type(_sdk._DIRECT)())
    _lacking_a_member(monkeypatch)
    assert _sdk.sender(model.client) is None
