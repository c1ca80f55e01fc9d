"""Survey benchmarks against the local emulator with its rate limiter on.

    python benchmarks/survey_bench.py            # all three, about two minutes
    python benchmarks/survey_bench.py --only throughput

1. Throughput at the rate limit: a survey against a key limited to 60 and to
   600 requests per minute. Time is scaled so a run stays short: the emulator's
   window is `60 / scale` seconds and the survey is told the same window
   (`rate_limit_window`), so "60 per minute" becomes "60 per 6 s" at scale 10.
   The fraction is (cells / wall time) / (limit / window); 429s are counted from
   the cells' attempts (the model has `max_retries=0`, so every 429 reaches the
   survey and costs one more attempt).
2. Crash and resume: a survey process is SIGKILLed after k answers (several k),
   then resumed; the emulator's request log says how often each cell was asked.
   Killed between answers (one call at a time) and killed at an arbitrary moment
   with four calls in flight.
3. Panel overlap: eight personas whose calls take 0.3 to 0.65 s (a delay added to
   the emulator's chat route); the panel's wall time over its slowest single call.

Writes benchmarks/results/survey.json and survey.md. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from langchain_mavera import ChatMavera, PersonaPanel, PersonaSurvey  # noqa: E402
from tests.emulator import PERSONAS, run_emulator  # noqa: E402
from tests.survey._crash_worker import PERSONAS as CRASH_PERSONAS  # noqa: E402
from tests.survey._crash_worker import QUESTIONS as CRASH_QUESTIONS  # noqa: E402
from tests.survey._crash_worker import build as crash_survey  # noqa: E402
from tests.survey.conftest import slow_routes  # noqa: E402

RESULTS = HERE / "results"
NAMES = [persona.name for persona in PERSONAS]


def _model(emu: Any, **options: Any) -> ChatMavera:
    return ChatMavera(base_url=emu.base_url, api_key=emu.api_key, max_tokens=20, max_retries=0, **options)


# -- 1. throughput ---------------------------------------------------------------------------------


def throughput(limit: int, scale: float, windows: float) -> dict[str, Any]:
    window = 60.0 / scale
    personas = NAMES[:10]
    cells_wanted = int(limit * windows)
    questions = [f"Survey question {i}: would you buy refillable soap?" for i in range(cells_wanted // 10)]
    with run_emulator(rate_limit_per_minute=limit, rate_limit_window=window) as emu:
        survey = PersonaSurvey(
            model=_model(emu),
            questions=questions,
            personas=personas,
            rate_limit_window=window,
            max_concurrency=16,
            progress=False,
        )
        started = time.monotonic()
        result = survey.run()
        elapsed = time.monotonic() - started
        posts = sum(1 for r in emu.requests if r.method == "POST")
    cells = len(result.answers)
    rate = len(result.succeeded) / elapsed
    allowed = limit / window
    return {
        "limit_per_minute": limit,
        "time_scale": scale,
        "window_s": window,
        "cells": cells,
        "answered": len(result.succeeded),
        "failed": len(result.failed),
        "responses_429": sum(a.attempts for a in result.answers) - cells,
        "server_posts": posts,
        "wall_s": round(elapsed, 2),
        "cells_per_s": round(rate, 2),
        "fraction_of_limit": round(rate / allowed, 4),
    }


# -- 2. crash and resume ---------------------------------------------------------------------------


def _statuses(store: Path) -> Counter[str]:
    try:
        with closing(sqlite3.connect(store)) as db, db:
            return Counter(status for (status,) in db.execute("SELECT status FROM cells"))
    except sqlite3.OperationalError:
        return Counter()


def _worker(emu: Any, store: Path, concurrency: int, *extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAVERA_", "OPENAI_"))}
    command = [sys.executable, "-m", "tests.survey._crash_worker", emu.base_url, str(store)]
    return subprocess.Popen([*command, str(concurrency), *extra], cwd=ROOT, env=env)


def crash_once(kill_after: int, *, between_answers: bool) -> dict[str, Any]:
    cells = len(CRASH_QUESTIONS) * len(CRASH_PERSONAS)
    # Killed at any moment, each answer takes 0.25 s, so calls really are in flight.
    routes = slow_routes(0.0 if between_answers else 0.25)
    with tempfile.TemporaryDirectory() as folder, run_emulator(routes=routes) as emu:
        store = Path(folder) / "survey.sqlite"
        if between_answers:
            process = _worker(emu, store, 1, str(kill_after))
            process.wait(timeout=120)
        else:
            process = _worker(emu, store, 4)
            while _statuses(store)["done"] < kill_after and process.poll() is None:
                time.sleep(0.005)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        at_kill = _statuses(store)
        result = crash_survey(emu.base_url, str(store), 4).run()
        asked = Counter(
            (r.json["messages"][-1]["content"], r.json["persona_id"])
            for r in emu.requests
            if r.method == "POST"
        )
    return {
        "kill": "between answers, 1 in flight max"
        if between_answers
        else "any moment, calls take 0.25 s, up to 4 in flight",
        "killed_after_answers": at_kill["done"],
        "in_flight_at_kill": at_kill["sending"],
        "cells": cells,
        "answered_after_resume": len(result.succeeded),
        "missing": cells - len(asked),
        "asked_exactly_once": sum(1 for count in asked.values() if count == 1),
        "asked_twice": sum(1 for count in asked.values() if count == 2),
    }


# -- 3. panel overlap ------------------------------------------------------------------------------


def panel_overlap(rounds: int) -> dict[str, Any]:
    chosen = PERSONAS[:8]
    delays = {persona.id: 0.30 + 0.05 * index for index, persona in enumerate(chosen)}
    question = "Would you pay 10% more for soap in refillable packaging?"
    with run_emulator(routes=slow_routes(lambda body: delays.get(str(body.get("persona_id")), 0.0))) as emu:
        model = _model(emu, analysis_mode=True)
        singles = []
        for persona in chosen:
            started = time.monotonic()
            model.invoke(question, persona_id=persona.id)
            singles.append(time.monotonic() - started)
        panel = PersonaPanel(model=model, personas=[p.name for p in chosen], max_concurrency=8)
        started = time.monotonic()
        panel.invoke(question)  # includes the one GET /personas lookup
        cold = time.monotonic() - started
        warm = []
        for _ in range(rounds):
            started = time.monotonic()
            result = panel.invoke(question)
            warm.append(time.monotonic() - started)
        default = PersonaPanel(model=model, personas=[p.name for p in chosen])
        default.invoke(question)
        started = time.monotonic()
        default.invoke(question)
        default_wall = time.monotonic() - started
    slowest = max(singles)
    best_warm = sorted(warm)[len(warm) // 2]
    return {
        "personas": len(chosen),
        "default_max_concurrency": default.max_concurrency,
        "answered": len(result.succeeded),
        "slowest_single_s": round(slowest, 3),
        "panel_wall_s_median": round(best_warm, 3),
        "ratio_to_slowest": round(best_warm / slowest, 3),
        "panel_wall_s_first_call_with_lookup": round(cold, 3),
        "ratio_first_call": round(cold / slowest, 3),
        "default_max_concurrency_wall_s": round(default_wall, 3),
        "default_ratio": round(default_wall / slowest, 3),
    }


# -- report ----------------------------------------------------------------------------------------


def _markdown(report: dict[str, Any]) -> str:
    lines = [f"# Survey benchmarks ({report['when']}, {report['machine']})", ""]
    if "throughput" in report:
        lines += [
            "## Throughput at the rate limit (target >= 0.95 of the limit, no cell failing on 429)",
            "",
            "| limit/min | time scale | window | cells | wall s | cells/s | fraction of limit "
            "| 429s | failed |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in report["throughput"]:
            lines.append(
                f"| {row['limit_per_minute']} | x{row['time_scale']:g} | {row['window_s']:g} s "
                f"| {row['cells']} "
                f"| {row['wall_s']} | {row['cells_per_s']} | {row['fraction_of_limit']:.3f} "
                f"| {row['responses_429']} | {row['failed']} |"
            )
        lines.append("")
    if "crash" in report:
        lines += [
            "## Crash (SIGKILL) and resume: none missing; only calls in flight at the kill asked twice",
            "",
            "| kill | answers at kill | in flight at kill | cells | answered after resume | missing "
            "| asked once | asked twice |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in report["crash"]:
            lines.append(
                f"| {row['kill']} | {row['killed_after_answers']} | {row['in_flight_at_kill']} "
                f"| {row['cells']} "
                f"| {row['answered_after_resume']} | {row['missing']} | {row['asked_exactly_once']} "
                f"| {row['asked_twice']} |"
            )
        lines.append("")
    if "panel" in report:
        p = report["panel"]
        lines += [
            "## Panel of 8 personas vs its slowest single call (target <= 1.1x)",
            "",
            f"- slowest single call: {p['slowest_single_s']} s",
            f"- panel (max_concurrency=8), median of warm calls: {p['panel_wall_s_median']} s "
            f"= **{p['ratio_to_slowest']}x**",
            f"- first call, including the persona lookup: {p['panel_wall_s_first_call_with_lookup']} s "
            f"= {p['ratio_first_call']}x",
            f"- default max_concurrency ({p['default_max_concurrency']}): "
            f"{p['default_max_concurrency_wall_s']} s = {p['default_ratio']}x",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--only", choices=("throughput", "crash", "panel"))
    parser.add_argument("--scale", type=float, default=10.0, help="time scale of the 60/min run")
    parser.add_argument("--scale-600", type=float, default=5.0, help="time scale of the 600/min run")
    parser.add_argument("--windows", type=float, default=2.5, help="run length, in rate-limit windows")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    if args.only in (None, "throughput"):
        report["throughput"] = [
            throughput(60, args.scale, args.windows),
            throughput(600, args.scale_600, args.windows),
        ]
    if args.only in (None, "crash"):
        report["crash"] = [crash_once(k, between_answers=True) for k in (1, 10, 29)] + [
            crash_once(k, between_answers=False) for k in (2, 10, 20, 28)
        ]
    if args.only in (None, "panel"):
        report["panel"] = panel_overlap(rounds=5)
    text = _markdown(report)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    suffix = f"-{args.only}" if args.only else ""
    (RESULTS / f"survey{suffix}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"survey{suffix}.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
