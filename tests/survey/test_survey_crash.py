"""SIGKILL a survey mid-run, resume it, and count on the server: every cell asked, none twice.

The exception is named precisely: a call in flight at the instant of the kill may
have been answered by the server without the answer reaching the store; the store
marks such a cell `sending`, and only those cells may be asked twice.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from cassettes.vcr_settings import ROOT
from tests.emulator import Emulator, run_emulator
from tests.survey._crash_worker import PERSONAS, QUESTIONS, build
from tests.survey.conftest import cell_of, chat_posts, slow_routes

pytestmark = pytest.mark.loopback

CELLS = len(QUESTIONS) * len(PERSONAS)


def _worker(emu: Emulator, store: Path, concurrency: int, *extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAVERA_", "OPENAI_"))}
    command = [sys.executable, "-m", "tests.survey._crash_worker", emu.base_url, str(store)]
    return subprocess.Popen([*command, str(concurrency), *extra], cwd=ROOT, env=env)


def _statuses(store: Path) -> Counter[str]:
    with closing(sqlite3.connect(store)) as db, db:
        return Counter(status for (status,) in db.execute("SELECT status FROM cells"))


def _wait_for_done(store: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if store.exists():
            try:
                if _statuses(store)["done"] >= count:
                    return
            except sqlite3.OperationalError:  # the table is not created yet
                pass
        time.sleep(0.02)
    pytest.fail("the survey did not get far enough to be killed mid-run")


def _asked(emu: Emulator) -> Counter[tuple[str, str]]:
    return Counter(cell_of(request) for request in chat_posts(emu))


@pytest.mark.parametrize("kill_after", [3, 17])
def test_kill_between_answers_then_resume_asks_every_cell_exactly_once(
    emu: Emulator, tmp_path: Path, kill_after: int
) -> None:
    store = tmp_path / "survey.sqlite"
    process = _worker(emu, store, 1, str(kill_after))
    assert process.wait(timeout=60) == -signal.SIGKILL
    assert _statuses(store)["done"] == kill_after

    result = build(emu.base_url, str(store), 4).run()

    asked = _asked(emu)
    assert len(result.succeeded) == CELLS
    assert len(asked) == CELLS  # none missing
    assert set(asked.values()) == {1}  # none paid twice


@pytest.fixture
def slow_emu() -> Iterator[Emulator]:
    """Answers take 0.3 s, so a kill lands with calls in flight."""
    with run_emulator(routes=slow_routes(0.3)) as emulator:
        yield emulator


def test_sigkill_mid_run_with_calls_in_flight(slow_emu: Emulator, tmp_path: Path) -> None:
    emu = slow_emu
    store = tmp_path / "survey.sqlite"
    process = _worker(emu, store, 4)
    _wait_for_done(store, 10, process)
    time.sleep(0.1)  # between answers: the next calls have left
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    at_kill = _statuses(store)
    assert 10 <= at_kill["done"] < CELLS  # really mid-run
    with closing(sqlite3.connect(store)) as db, db:
        done_at_kill = {
            (q, p) for q, p in db.execute("SELECT question, persona_id FROM cells WHERE status='done'")
        }
        in_flight = {
            (q, p) for q, p in db.execute("SELECT question, persona_id FROM cells WHERE status='sending'")
        }

    result = build(emu.base_url, str(store), 4).run()

    asked = _asked(emu)
    assert len(result.succeeded) == CELLS
    assert len(asked) == CELLS  # none missing
    twice = {cell for cell, count in asked.items() if count > 1}
    assert max(asked.values()) <= 2
    assert not twice & done_at_kill  # a stored answer is never asked again
    assert twice <= in_flight  # only a call in flight at the kill can be asked twice
    assert 1 <= len(in_flight) <= 4  # the kill caught calls in flight; at most max_concurrency
