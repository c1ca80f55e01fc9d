"""Faults only a real process shows: Ctrl-C (SIGINT), two runs on one store, a full disk (RLIMIT_FSIZE)."""

from __future__ import annotations

import json
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
from typing import Any

import pytest

from cassettes.vcr_settings import ROOT
from tests.emulator import Emulator, Fault, run_emulator
from tests.survey._fault_worker import PERSONAS, QUESTIONS, build
from tests.survey.conftest import cell_of, chat_posts, slow_routes

pytestmark = pytest.mark.loopback

CELLS = len(QUESTIONS) * len(PERSONAS)


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_worker_left_running() -> Iterator[None]:
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:  # a failed test must not leave a survey running
            process.kill()
            process.communicate()


def _worker(emu: Emulator, store: Path, rpm: float, concurrency: int, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAVERA_", "OPENAI_"))}
    command = [sys.executable, "-m", "tests.survey._fault_worker", emu.base_url, str(store)]
    process = subprocess.Popen(
        [*command, str(rpm), str(concurrency), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _STARTED.append(process)
    return process


def _report(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=60)
    lines = out.strip().splitlines()
    assert lines, err
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def _done(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        with closing(sqlite3.connect(store)) as db:
            return int(db.execute("SELECT COUNT(*) FROM cells WHERE status='done'").fetchone()[0])
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


def _wait_until(condition: Any, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"the survey process never got there: {process.communicate()}")


def test_ctrl_c_while_waiting_for_a_pacing_slot_sends_nothing_more(emu: Emulator, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    process = _worker(emu, store, 12, 4)  # one send every 5 s
    _wait_until(lambda: _done(store) >= 1, process)
    sent = len(chat_posts(emu))
    process.send_signal(signal.SIGINT)
    report = _report(process)

    # "About a second" (1 s of it a grace for calls in flight); before the fix a waiting worker
    # slept out its 5 s slot and then sent its request.
    assert report["outcome"] == "KeyboardInterrupt"
    assert report["raised_after_s"] < 1.5
    assert len(chat_posts(emu)) == sent  # nothing sent after Ctrl-C
    assert _done(store) == sent  # what was answered is kept


def test_ctrl_c_during_a_long_retry_after_ends_the_process(emu: Emulator, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    emu.faults.push(Fault("status", status=429, retry_after=3600))
    process = _worker(emu, store, 600, 2)
    _wait_until(lambda: any(r.json and r.json.get("persona_id") for r in chat_posts(emu)), process)
    time.sleep(0.5)  # every worker is now waiting out the hour
    sent = len(chat_posts(emu))
    process.send_signal(signal.SIGINT)
    report = _report(process)  # before the fix: still waiting out the hour, so this timed out

    assert report["outcome"] == "KeyboardInterrupt"
    assert report["raised_after_s"] < 1.5
    assert len(chat_posts(emu)) == sent


@pytest.fixture
def slow_emu() -> Iterator[Emulator]:
    """Answers take 0.4 s, one at a time: a second run starts while the first is mid-survey."""
    with run_emulator(routes=slow_routes(0.4)) as emulator:
        yield emulator


def test_a_second_run_on_a_live_store_is_refused_naming_the_holder(
    slow_emu: Emulator, tmp_path: Path
) -> None:
    store = tmp_path / "s.sqlite"
    first = _worker(slow_emu, store, 600, 1)
    _wait_until(lambda: _done(store) >= 2, first)
    second = _worker(slow_emu, store, 600, 2)
    refused = _report(second)
    finished = _report(first)

    assert refused["outcome"] == "MaveraSurveyStoreBusyError"
    assert f"pid {first.pid}" in refused["message"]
    assert "host" in refused["message"] and "started" in refused["message"]
    assert finished == {"outcome": "done", "succeeded": CELLS}
    asked = Counter(cell_of(request) for request in chat_posts(slow_emu))
    assert len(asked) == CELLS
    assert set(asked.values()) == {1}  # no cell paid twice


def test_a_killed_run_leaves_no_lock_behind(slow_emu: Emulator, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    first = _worker(slow_emu, store, 600, 2)
    _wait_until(lambda: _done(store) >= 2, first)
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=10)

    result = build(slow_emu.base_url, str(store), 600, 4).run()
    assert len(result.succeeded) == CELLS


def test_a_full_disk_stops_sending_and_keeps_the_answers_in_hand(emu: Emulator, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    report = _report(_worker(emu, store, 600, 1, "3"))

    assert report["outcome"] == "MaveraSurveyStoreWriteError", report
    stored = _done(store)
    sent = len(chat_posts(emu))
    # Nothing sent once the store failed: every request is a stored answer or one on the error.
    assert sent == stored + report["answers"]
    assert report["answers"] == 1
    exported = json.loads(Path(report["exported_to"]).read_text(encoding="utf-8"))
    assert len(exported) == 1 and exported[0]["answer"]
    assert sent < CELLS
