"""Fault scenarios for `survey_bench.py --only faults`: what each fault keeps and what it may pay twice.

Each runs a small survey against the emulator (a separate process where the fault needs
one: Ctrl-C, a second run, a full disk) and counts the requests on the server.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from langchain_mavera import ChatMavera
from langchain_mavera.survey._pacing import Pacer
from tests.emulator import ROUTES, Fault, Route, run_emulator
from tests.survey._fault_worker import PERSONAS, QUESTIONS, build
from tests.survey.conftest import slow_routes
from tests.survey.test_survey_faults import _half_emoji_for_cmo

ROOT = Path(__file__).resolve().parent.parent
CELLS = len(QUESTIONS) * len(PERSONAS)


def _posts(emu: Any) -> int:
    return sum(1 for r in emu.requests if r.method == "POST")


def _asked(emu: Any) -> Counter[tuple[str, str]]:
    return Counter(
        (r.json["messages"][-1]["content"], r.json["persona_id"]) for r in emu.requests if r.method == "POST"
    )


def _done(store: Path) -> int:
    try:
        with closing(sqlite3.connect(store)) as db:
            return int(db.execute("SELECT COUNT(*) FROM cells WHERE status='done'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _worker(emu: Any, store: Path, rpm: float, concurrency: int, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAVERA_", "OPENAI_"))}
    command = [sys.executable, "-m", "tests.survey._fault_worker", emu.base_url, str(store)]
    return subprocess.Popen(
        [*command, str(rpm), str(concurrency), *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def ctrl_c(retry_after: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, run_emulator() as emu:
        store = Path(folder) / "s.sqlite"
        if retry_after:
            emu.faults.push(Fault("status", status=429, retry_after=3600))
            process = _worker(emu, store, 600, 2)
            _wait(lambda: _posts(emu) >= 1)
            time.sleep(0.5)
        else:
            process = _worker(emu, store, 12, 4)
            _wait(lambda: _done(store) >= 1)
        sent = _posts(emu)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        report = json.loads(process.communicate(timeout=60)[0].splitlines()[-1])
        return {
            "fault": "Ctrl-C during a Retry-After: 3600" if retry_after else "Ctrl-C at 12 requests/min",
            "run_raised_s": round(report["raised_after_s"], 2),
            "process_exit_s": round(time.monotonic() - started, 2),
            "sent_after_ctrl_c": _posts(emu) - sent,
            "answered_kept": _done(store),
        }


def second_run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, run_emulator(routes=slow_routes(0.4)) as emu:
        store = Path(folder) / "s.sqlite"
        first = _worker(emu, store, 600, 1)
        _wait(lambda: _done(store) >= 2)
        second = _worker(emu, store, 600, 2)
        refused = json.loads(second.communicate(timeout=60)[0].splitlines()[-1])
        first.communicate(timeout=60)
        asked = _asked(emu)
        return {
            "fault": "second run on a live store",
            "second_run": refused["outcome"],
            "cells": CELLS,
            "asked_twice": sum(1 for n in asked.values() if n > 1),
        }


def full_disk() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, run_emulator() as emu:
        store = Path(folder) / "s.sqlite"
        report = json.loads(_worker(emu, store, 600, 1, "5").communicate(timeout=60)[0].splitlines()[-1])
        stored = _done(store)
        return {
            "fault": "full disk (RLIMIT_FSIZE) after 5 sends",
            "error": report["outcome"],
            "stored": stored,
            "answers_on_error": report.get("answers"),
            "exported": report.get("exported_to") is not None,
            "sent_after_failure": _posts(emu) - stored - (report.get("answers") or 0),
        }


def odd_answer() -> dict[str, Any]:
    routes = tuple(
        Route(r.method, r.template, _half_emoji_for_cmo) if r.template == "/chat/completions" else r
        for r in ROUTES
    )
    with tempfile.TemporaryDirectory() as folder, run_emulator(routes=routes) as emu:
        store = str(Path(folder) / "s.sqlite")
        first = build(emu.base_url, store, 600, 4).run()
        build(emu.base_url, store, 600, 4).run()
        return {
            "fault": "answers holding a lone surrogate (half the cells)",
            "stored": len(first.succeeded),
            "noted": sum(1 for a in first.answers if a.note),
            "cells": CELLS,
            "asked_twice_over_two_runs": sum(1 for n in _asked(emu).values() if n > 1),
        }


def lying_header() -> dict[str, Any]:
    logging.getLogger("langchain_mavera.survey._pacing").setLevel(logging.ERROR)
    pacer = Pacer(600)
    pacer.observe({"limit": 1})
    return {
        "fault": "X-RateLimit-Limit: 1 against requests_per_minute=600",
        "paced_at_per_min": pacer.limit,
        "slowdown": 600 / (pacer.limit or 600),
    }


def rate_limit_storm() -> dict[str, Any]:
    with run_emulator() as emu:
        emu.faults.push(Fault("status", status=429, retry_after=1, times=12))
        model = ChatMavera(base_url=emu.base_url, api_key=emu.api_key, max_tokens=20)  # max_retries=2
        survey = build(emu.base_url, ":memory:", 600, 4).model_copy(update={"model": model, "store": None})
        result = survey.run()
        return {
            "fault": "429 storm (12 refusals, Retry-After: 1)",
            "cells": CELLS,
            "answered": len(result.succeeded),
            "attempts_recorded": sum(a.attempts for a in result.answers),
            "requests_sent": _posts(emu),
        }


def faults() -> list[dict[str, Any]]:
    return [
        ctrl_c(retry_after=False),
        ctrl_c(retry_after=True),
        second_run(),
        full_disk(),
        odd_answer(),
        lying_header(),
        rate_limit_storm(),
    ]
