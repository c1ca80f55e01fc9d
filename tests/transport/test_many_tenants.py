"""One process serving many tenants on one event loop: no tenant's client is closed under it."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import Any

import pytest

from langchain_mavera import ChatMavera
from tests.loopback import API_KEY, Step, completion_bytes, head, run_loopback

pytestmark = pytest.mark.loopback

TENANTS = 500
"""Far past the shared client cache's 64 entries."""


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_long_lived_model_keeps_answering_after_500_other_tenants() -> None:
    released = threading.Event()

    def script(body: dict[str, Any]) -> list[Step]:
        if "held question" in json.dumps(body):
            released.wait(60)  # in flight until every other tenant has been served
        return [head(content_type="application/json"), completion_bytes("Tenant answer.")]

    with run_loopback(script) as server:

        def model(tenant: int) -> ChatMavera:
            headers = {"X-Tenant": f"tenant-{tenant}"}
            return ChatMavera(
                api_key=API_KEY, base_url=server.base_url, default_headers=headers, max_retries=0
            )

        async def serve() -> tuple[str, str, int, int]:
            first = model(1)
            await first.ainvoke("warm up")
            held = asyncio.create_task(first.ainvoke("held question"))
            await asyncio.sleep(0)
            before = _open_descriptors()
            peak = before
            for tenant in range(2, TENANTS + 2):
                await model(tenant).ainvoke("hello")
                peak = max(peak, _open_descriptors())
            released.set()
            in_flight = await held
            later = await first.ainvoke("still there?")
            return str(in_flight.content), str(later.content), before, peak

        in_flight, later, before, peak = asyncio.run(serve())

    assert in_flight == "Tenant answer."  # the request in flight was not cut by other tenants' traffic
    assert later == "Tenant answer."  # and the first tenant's model still answers afterwards
    tenants = {request.headers.get("x-tenant") for request in server.requests}
    assert len(tenants) == TENANTS + 1 and "tenant-1" in tenants
    # Clients nobody holds any more are closed: descriptors stay near the cache size, not one per tenant.
    assert peak - before < 100, (before, peak)
