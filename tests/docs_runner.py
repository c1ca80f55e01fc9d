"""Run one page's code blocks as a reader would: Python blocks in one namespace, shell blocks in bash.

``python -m tests.docs_runner PAGE RESULTS_JSON`` runs in a fresh process started by
``tests/test_docs_run.py``, in a scratch copy of the clone (symlinks), with ``MAVERA_BASE_URL``
and ``MAVERA_API_KEY`` pointing at the emulator. Sockets may reach loopback only, so a block
that would call the live API fails instead. Marked blocks (see ``docs_blocks``) are not run.
Top-level ``await`` is allowed, as in a notebook.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import io
import json
import socket
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

from tests.docs_blocks import Block, blocks

_SHELL_TIMEOUT = 300
_TAIL = 3000
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _loopback_only() -> None:
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _LOOPBACK:
            raise OSError(f"the docs test allows loopback only, not {address[0]!r}")
        real_connect(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]


def _run_python(block: Block, namespace: dict[str, Any]) -> None:
    code = compile(block.code, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(code, namespace))  # a block with top-level await, as in a notebook
    else:
        exec(code, namespace)


def _run_shell(block: Block) -> str:
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.code],
        capture_output=True,
        text=True,
        timeout=_SHELL_TIMEOUT,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"exit status {done.returncode}\n{done.stdout[-_TAIL:]}\n{done.stderr[-_TAIL:]}")
    return done.stdout


def run_page(page: Path) -> list[dict[str, str]]:
    """Each block's outcome: ``ran``, ``failed`` (with the error) or its mark."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    results = []
    for block in blocks(page):
        result = {"where": block.where, "kind": block.kind, "outcome": block.mark or "ran", "error": ""}
        if not block.mark:
            output = io.StringIO()
            try:
                with contextlib.redirect_stdout(output):
                    if block.kind == "python":
                        _run_python(block, namespace)
                    else:
                        output.write(_run_shell(block))
            except BaseException:  # a block's SystemExit or KeyboardInterrupt fails it too
                result["outcome"] = "failed"
                result["error"] = (
                    traceback.format_exc()[-_TAIL:] + "\n--- output ---\n" + output.getvalue()[-_TAIL:]
                )
        results.append(result)
    return results


def main() -> None:
    page, results_file = Path(sys.argv[1]), Path(sys.argv[2])
    _loopback_only()
    results_file.write_text(json.dumps(run_page(page)), encoding="utf-8")


if __name__ == "__main__":
    main()
