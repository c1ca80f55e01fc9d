"""One model across repeated `asyncio.run` calls: each loop's connections close with it, silently.

Run in a fresh interpreter in development mode (`-X dev`), which reports
unclosed transports and sockets and never-retrieved task exceptions on stderr.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import asyncio, gc, warnings
    warnings.simplefilter("always")
    from tests.loopback import run_loopback
    from langchain_mavera import ChatMavera

    async def stream(model):
        return [chunk async for chunk in model.astream("hi")]

    with run_loopback() as server:
        model = ChatMavera(api_key=server.api_key, base_url=server.base_url)
        for _ in range(4):
            asyncio.run(model.ainvoke("hi"))
            asyncio.run(stream(model))
        gc.collect()
        print("requests", len(server.requests))
    """
)


def test_repeated_asyncio_run_closes_each_loops_connections_without_noise() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "requests 8" in result.stdout
    for noise in ("never retrieved", "Event loop is closed", "unclosed", "ResourceWarning"):
        assert noise not in result.stderr, result.stderr
