"""Client-side cost of ChatMavera against the floor, the raw openai SDK and ChatOpenAI.

One command: `python benchmarks/run.py` (add `--quick` for a seconds-long smoke run).

A canned-response server (`benchmarks/server.py`) runs in a separate process, so
`time.process_time()` here counts only the client's CPU. Contenders alternate
within each round (the order rotates each round) and the table reports medians
over the rounds, with every ratio taken from this one run. The floor is plain
httpx2 with `json.loads` (hand-parsed SSE for streams) inside a minimal
`BaseChatModel` (see `contenders.py`). Batches of 1,000 and the first answer run
in fresh processes, so peak RSS and import costs are each contender's own.
Results go to `benchmarks/results/latest.json`. Nothing here is asserted: these
are numbers to read, not tests.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Measure this checkout's langchain_mavera, whatever copy the environment has installed.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import cases  # noqa: E402  (after the sys.path entries)
from cases import CASES, STREAM_EVENTS  # noqa: E402
from contenders import (  # noqa: E402
    API_KEY,
    PERSONA_FIELDS,
    PROMPT,
    agent_tools,
    make_chat_mavera,
    make_chat_openai,
)

FLOOR_TARGET = 1.3
"""Every per-call case: ChatMavera at most this many times the floor, and never above the raw SDK."""

# case -> (summary key, comparison, limit), for the cases that are not per-call
TARGETS: dict[str, tuple[str, str, float]] = {
    "agent_step": ("plain_ratio", "<=", 1.5),
    "abatch_1000": ("throughput_ratio", ">=", 1.3),
    "abatch_1000_rss": ("ChatMavera_rss_mib", "<=", 15.0),
    "first_answer": ("ChatOpenAI_ratio", "<=", 0.75),
    "import": ("time_ratio", "<=", 0.85),
    "construct": ("microseconds", "<=", 50.0),
}


# -- the server ---------------------------------------------------------------------------


@contextmanager
def canned_server() -> Any:
    """Start benchmarks/server.py in its own process; yield its base URL."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/api/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def agent_calls(base_url: str) -> dict[str, Callable[[], Any]]:
    """An agent step (bind 20 tools, then invoke) beside a call of a model bound once."""
    tools = agent_tools(20)
    mavera = make_chat_mavera(base_url)
    lc_openai = make_chat_openai(base_url)
    mavera_bound = mavera.bind_tools(tools)
    openai_bound = lc_openai.bind_tools(tools)
    return {
        "ChatMavera_step": lambda: mavera.bind_tools(tools).invoke(PROMPT),
        "ChatMavera_plain": lambda: mavera_bound.invoke(PROMPT),
        "ChatOpenAI_step": lambda: lc_openai.bind_tools(tools).invoke(PROMPT),
        "ChatOpenAI_plain": lambda: openai_bound.invoke(PROMPT),
    }


def alternate_n(contenders: dict[str, Callable[[], Any]], n: int, rounds: int) -> dict[str, list[float]]:
    """Per-call CPU of each contender with a fixed `n` calls per sample, the order rotating each round."""
    names = list(contenders)
    for name in names:  # warm-up: clients, connections, caches
        cases.cpu_per_call(contenders[name], max(2, n // 10))
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(cases.cpu_per_call(contenders[name], n))
    return samples


def construction(base_url: str, n: int, rounds: int) -> dict[str, list[float]]:
    """Microseconds to construct one model (mean of n), per round."""
    from langchain_openai import ChatOpenAI

    from langchain_mavera import ChatMavera

    builders: dict[str, Callable[[], Any]] = {
        "ChatMavera": lambda: ChatMavera(api_key=API_KEY, base_url=base_url, **PERSONA_FIELDS),
        "ChatOpenAI": lambda: ChatOpenAI(
            model="mavera-1", base_url=base_url, api_key=API_KEY, extra_body=dict(PERSONA_FIELDS)
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in builders}
    for build in builders.values():
        for _ in range(max(5, n // 10)):
            build()
    for _ in range(rounds):
        for name, build in builders.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(n):
                build()
            samples[name].append((time.perf_counter() - start) / n * 1e6)
    return samples


# -- fresh-process cases ------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), str(HERE), os.environ.get("PYTHONPATH")])),
    }
    for name in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"):
        env.pop(name, None)
    return env


def _run_child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, env=_child_env()
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child {args[:2]} failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


BATCH_CONTENDERS = ("raw_gather", "ChatMavera_abatch", "ChatMavera_batch", "ChatOpenAI_abatch")


def batch_rounds(base_url: str, requests: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    """1,000 requests with no concurrency cap, each contender in a fresh process, alternating."""
    names = list(BATCH_CONTENDERS)
    result: dict[str, dict[str, list[float]]] = {
        name: {"seconds": [], "cpu_seconds": [], "rss_growth_mib": []} for name in names
    }
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            measured = _run_child([str(HERE / "batch_child.py"), name, base_url, str(requests)])
            for key, value in measured.items():
                result[name][key].append(value)
    return result


FIRST_ANSWER = {
    "raw": (
        "import openai\n"
        "client = openai.OpenAI(api_key=KEY, base_url=URL)\n"
        "client.chat.completions.create(model='mavera-1', messages=[{'role': 'user', 'content': PROMPT}],"
        " extra_body={'persona_id': PERSONA})\n"
    ),
    "ChatOpenAI": (
        "from langchain_openai import ChatOpenAI\n"
        "ChatOpenAI(model='mavera-1', api_key=KEY, base_url=URL, extra_body={'persona_id': PERSONA})"
        ".invoke(PROMPT)\n"
    ),
    "ChatMavera": (
        "from langchain_mavera import ChatMavera\n"
        "ChatMavera(api_key=KEY, base_url=URL, persona_id=PERSONA).invoke(PROMPT)\n"
    ),
}

_FIRST_ANSWER_PROBE = """
import json, sys, time
start = time.perf_counter()
KEY, URL, PERSONA = sys.argv[2], sys.argv[3], sys.argv[4]
PROMPT = "How do you feel about refillable packaging?"
exec(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def first_answer_rounds(base_url: str, rounds: int) -> dict[str, list[float]]:
    """Import, construct and one invoke in a fresh interpreter, alternating contenders."""
    names = list(FIRST_ANSWER)
    for name in names:  # warm the OS file cache and .pyc files
        _run_child(
            ["-c", _FIRST_ANSWER_PROBE, FIRST_ANSWER[name], API_KEY, base_url, PERSONA_FIELDS["persona_id"]]
        )
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            args = [
                "-c",
                _FIRST_ANSWER_PROBE,
                FIRST_ANSWER[name],
                API_KEY,
                base_url,
                str(PERSONA_FIELDS["persona_id"]),
            ]
            samples[name].append(_run_child(args)["seconds"])
    return samples


IMPORT_SNIPPETS = {
    "langchain_mavera": "import langchain_mavera\nfrom langchain_mavera import ChatMavera",
    "langchain_openai": "import langchain_openai",
}

_IMPORT_PROBE = """
import json, os, sys, time, tracemalloc
code = sys.argv[1]
def rss():  # current resident set; ru_maxrss would start at the forking parent's peak
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
if sys.argv[2] == "memory":
    tracemalloc.start()
    exec(code)
    print(json.dumps({"peak_bytes": tracemalloc.get_traced_memory()[1]}))
else:
    rss0 = rss()
    start = time.perf_counter()
    exec(code)
    seconds = time.perf_counter() - start
    grown = rss() - rss0
    print(json.dumps({"seconds": seconds, "rss_delta_kib": grown, "openai_loaded": "openai" in sys.modules}))
"""


def import_rounds(rounds: int, memory_runs: int = 2, warm_up: bool = True) -> dict[str, Any]:
    """Fresh interpreters, alternating: import time, RSS growth, tracemalloc peak."""
    names = list(IMPORT_SNIPPETS)
    for name in names if warm_up else ():
        _run_child(["-c", _IMPORT_PROBE, IMPORT_SNIPPETS[name], "time"])
    result: dict[str, Any] = {name: {"seconds": [], "rss_delta_kib": [], "peak_bytes": []} for name in names}
    for r in range(rounds):
        order = names[r % 2 :] + names[: r % 2]
        for name in order:
            timed = _run_child(["-c", _IMPORT_PROBE, IMPORT_SNIPPETS[name], "time"])
            result[name]["seconds"].append(timed["seconds"])
            result[name]["rss_delta_kib"].append(timed["rss_delta_kib"])
            result[name]["openai_loaded"] = timed["openai_loaded"]
            if r < memory_runs:  # tracemalloc slows imports ~5x and its peak barely varies
                peak = _run_child(["-c", _IMPORT_PROBE, IMPORT_SNIPPETS[name], "memory"])["peak_bytes"]
                result[name]["peak_bytes"].append(peak)
    return result


@contextmanager
def phase(name: str) -> Any:
    """Progress on stderr, so a long run shows where it is."""
    print(f"{name} ...", end="", file=sys.stderr, flush=True)
    start = time.perf_counter()
    yield
    print(f" {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


# -- report -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    facts: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "nproc": os.cpu_count(),
    }
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in lscpu.splitlines():
            key, _, value = line.partition(":")
            if key.strip() in {"Model name", "Architecture", "CPU(s)", "Thread(s) per core"}:
                facts[key.strip()] = value.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    from importlib.metadata import version

    for package in ("openai", "langchain-core", "langchain-openai", "pydantic", "httpx2"):
        try:
            facts[package] = version(package)
        except Exception:
            facts[package] = None
    return facts


def med(values: list[float]) -> float:
    return statistics.median(values)


def _mib(peaks: list[int]) -> float | None:
    return med(peaks) / 2**20 if peaks else None


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for case in CASES:
        per_call = {name: med(values) for name, values in raw[case].items()}
        events = STREAM_EVENTS.get(case)
        scale, unit = (
            (1e6 / events, f"CPU µs per chunk ({events} events per stream)")
            if events
            else (1e3, "CPU ms per call")
        )
        mavera, floor, sdk = per_call["ChatMavera"], per_call["floor"], per_call["raw"]
        summary[case] = {
            "unit": unit,
            **{name: value * scale for name, value in per_call.items()},
            "floor_ratio": mavera / floor,
            "raw_ratio": mavera / sdk,
            "ChatOpenAI_floor_ratio": per_call["ChatOpenAI"] / floor,
            "target": f"floor_ratio <= {FLOOR_TARGET} and raw_ratio <= 1.0",
            "met": mavera / floor <= FLOOR_TARGET and mavera <= sdk,
        }
    if "agent_step" not in raw:  # --calls-only
        return summary
    agent = {name: med(values) for name, values in raw["agent_step"].items()}
    summary["agent_step"] = {
        "unit": "CPU ms per call",
        **{name: value * 1e3 for name, value in agent.items()},
        "plain_ratio": agent["ChatMavera_step"] / agent["ChatMavera_plain"],
        "ChatOpenAI_plain_ratio": agent["ChatOpenAI_step"] / agent["ChatOpenAI_plain"],
    }
    batch = raw["batch_1000"]
    requests = raw["batch_requests"]
    seconds = {name: med(values["seconds"]) for name, values in batch.items()}
    summary["abatch_1000"] = {
        "unit": "requests per second (wall), no max_concurrency given",
        "requests": requests,
        **{name: requests / value for name, value in seconds.items()},
        "cpu_ms_per_request": {name: med(v["cpu_seconds"]) / requests * 1e3 for name, v in batch.items()},
        "throughput_ratio": seconds["raw_gather"] / seconds["ChatMavera_abatch"],
        "batch_throughput_ratio": seconds["raw_gather"] / seconds["ChatMavera_batch"],
        "ChatOpenAI_throughput_ratio": seconds["raw_gather"] / seconds["ChatOpenAI_abatch"],
    }
    rss = {name: med(values["rss_growth_mib"]) for name, values in batch.items()}
    summary["abatch_1000_rss"] = {
        "unit": "MiB of peak RSS growth during the batch",
        **{f"{name}_rss_mib": value for name, value in rss.items()},
        "ChatMavera_rss_mib": rss["ChatMavera_abatch"],
    }
    first = {name: med(values) for name, values in raw["first_answer"].items()}
    summary["first_answer"] = {
        "unit": "ms wall (import, construct, one invoke; fresh interpreter)",
        **{name: value * 1e3 for name, value in first.items()},
        "ChatOpenAI_ratio": first["ChatMavera"] / first["ChatOpenAI"],
        "raw_ratio": first["ChatMavera"] / first["raw"],
    }
    imports = raw["import"]
    mavera, lc_openai = imports["langchain_mavera"], imports["langchain_openai"]
    summary["import"] = {
        "unit": "ms (fresh interpreter)",
        "langchain_mavera_ms": med(mavera["seconds"]) * 1e3,
        "langchain_openai_ms": med(lc_openai["seconds"]) * 1e3,
        "time_ratio": med(mavera["seconds"]) / med(lc_openai["seconds"]),
        "langchain_mavera_peak_mib": med(mavera["peak_bytes"]) / 2**20 if mavera["peak_bytes"] else None,
        "langchain_openai_peak_mib": med(lc_openai["peak_bytes"]) / 2**20
        if lc_openai["peak_bytes"]
        else None,
        "langchain_mavera_rss_delta_mib": med(mavera["rss_delta_kib"]) / 1024,
        "langchain_openai_rss_delta_mib": med(lc_openai["rss_delta_kib"]) / 1024,
        "openai_loaded_by_langchain_mavera": mavera["openai_loaded"],
    }
    summary["construct"] = {
        "unit": "microseconds",
        "microseconds": med(raw["construct"]["ChatMavera"]),
        "ChatOpenAI_microseconds": med(raw["construct"]["ChatOpenAI"]),
    }
    for case, (key, op, limit) in TARGETS.items():
        value = summary[case][key]
        summary[case]["target"] = f"{key} {op} {limit}"
        summary[case]["met"] = value <= limit if op == "<=" else value >= limit
    return summary


def _met(summary: dict[str, Any], case: str) -> str:
    return "yes" if summary[case]["met"] else "NO"


CASE_NAMES = {
    "invoke": "invoke (CPU ms/call)",
    "ainvoke": "ainvoke (CPU ms/call)",
    "stream_chunked": "stream, 200 chunks, chunked (CPU µs/chunk)",
    "stream_content_length": "stream, 200 chunks, content-length (CPU µs/chunk)",
    "stream_2000_chunked": "stream, 2,000 chunks, chunked (CPU µs/chunk)",
    "history_1000": "history of 1,000 messages (CPU ms/call)",
    "image_5mb": "one 5 MiB image (CPU ms/call)",
    "structured": "with_structured_output, built once (CPU ms/call)",
    "tools_20": "20 tools bound (CPU ms/call)",
}


def _cell(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def table(summary: dict[str, Any]) -> str:
    """The per-call cases (four contenders, ratios, target), then the others."""
    s = summary
    rows: list[tuple[str, ...]] = [
        ("case", "ChatMavera", "raw openai", "ChatOpenAI", "floor", "vs raw", "vs floor", "met")
    ]
    for case in CASES:
        c = s[case]
        rows.append(
            (
                CASE_NAMES[case],
                _cell(c["ChatMavera"]),
                _cell(c["raw"]),
                _cell(c["ChatOpenAI"]),
                _cell(c["floor"]),
                f"{c['raw_ratio']:.2f}x",
                f"{c['floor_ratio']:.2f}x",
                _met(s, case),
            )
        )
    i, sc = s["invoke"], s["stream_chunked"]
    floor_note = (
        f"floor parts (invoke, CPU ms): httpx2 + json.loads {i['httpx2']:.3f}, "
        f"langchain-core BaseChatModel with a constant reply {i['core']:.3f}; "
        f"per chunk (µs): httpx2 + hand-parsed SSE {sc['httpx2']:.1f} chunked, "
        f"{s['stream_content_length']['httpx2']:.1f} content-length. "
        f"Target per case: <= {FLOOR_TARGET}x floor and <= 1.0x raw."
    )
    if "agent_step" not in s:  # --calls-only
        return markdown(rows) + "\n\n" + floor_note
    ag, ab, rss = s["agent_step"], s["abatch_1000"], s["abatch_1000_rss"]
    fa, im, co = s["first_answer"], s["import"], s["construct"]
    others: list[tuple[str, ...]] = [
        ("other case", "ChatMavera", "reference", "ratio", "target", "met"),
        (
            "agent step: bind_tools(20) + invoke (CPU ms)",
            f"{ag['ChatMavera_step']:.3f}",
            f"{ag['ChatMavera_plain']:.3f} (a bound call); ChatOpenAI {ag['ChatOpenAI_step']:.3f}",
            f"{ag['plain_ratio']:.2f}x",
            "<= 1.5x",
            _met(s, "agent_step"),
        ),
        (
            f"abatch of {ab['requests']}, no cap (req/s)",
            f"{ab['ChatMavera_abatch']:.0f}",
            f"raw gather {ab['raw_gather']:.0f}; ChatOpenAI {ab['ChatOpenAI_abatch']:.0f}",
            f"{ab['throughput_ratio']:.2f}x raw",
            ">= 1.3x raw",
            _met(s, "abatch_1000"),
        ),
        (
            f"batch (sync) of {ab['requests']}, no cap (req/s)",
            f"{ab['ChatMavera_batch']:.0f}",
            f"raw gather {ab['raw_gather']:.0f}",
            f"{ab['batch_throughput_ratio']:.2f}x raw",
            "",
            "",
        ),
        (
            f"abatch of {ab['requests']}: peak RSS growth (MiB)",
            f"{rss['ChatMavera_abatch_rss_mib']:.1f}",
            f"raw gather {rss['raw_gather_rss_mib']:.1f}; ChatOpenAI {rss['ChatOpenAI_abatch_rss_mib']:.1f}",
            "",
            "<= 15 MiB",
            _met(s, "abatch_1000_rss"),
        ),
        (
            "first answer, fresh process (ms wall)",
            f"{fa['ChatMavera']:.0f}",
            f"ChatOpenAI {fa['ChatOpenAI']:.0f}; raw {fa['raw']:.0f}",
            f"{fa['ChatOpenAI_ratio']:.2f}x ChatOpenAI",
            "<= 0.75x ChatOpenAI",
            _met(s, "first_answer"),
        ),
        (
            "import (ms)",
            f"{im['langchain_mavera_ms']:.0f}",
            f"langchain_openai {im['langchain_openai_ms']:.0f}",
            f"{im['time_ratio']:.2f}x",
            "<= 0.85x",
            _met(s, "import"),
        ),
        (
            "construct (µs)",
            f"{co['microseconds']:.1f}",
            f"ChatOpenAI {co['ChatOpenAI_microseconds']:.1f}",
            "",
            "<= 50 µs",
            _met(s, "construct"),
        ),
    ]
    return markdown(rows) + "\n\n" + markdown(others) + "\n\n" + floor_note


def markdown(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny iteration counts: a smoke run, not a measurement"
    )
    parser.add_argument(
        "--calls-only",
        action="store_true",
        help="only the per-call cases (the four contenders side by side), about a minute",
    )
    parser.add_argument("--rounds", type=int, default=None, help="alternations per case (default 7)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where the JSON goes (default results/latest.json, results/calls.json with --calls-only; "
        "--quick writes only where --out says, never over the recorded results)",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 7)
    sample_seconds = 0.002 if args.quick else 0.1
    n_construct, n_agent = (20, 2) if args.quick else (2000, 60)
    batch_requests = 20 if args.quick else 1000
    batch_rounds_n = 1 if args.quick else 3
    process_rounds = 1 if args.quick else max(5, rounds)

    os.environ.pop("LANGSMITH_TRACING", None)
    os.environ.pop("LANGCHAIN_TRACING_V2", None)
    raw: dict[str, Any] = {"rounds": rounds}
    with canned_server() as base_url:
        with cases.build(base_url) as calls:
            for case in CASES:
                with phase(case):
                    raw[case] = cases.alternate(calls[case], rounds, sample_seconds)
        if not args.calls_only:
            with phase("agent step"):
                raw["agent_step"] = alternate_n(agent_calls(base_url), n_agent, rounds)
            with phase("construct"):
                raw["construct"] = construction(base_url, n_construct, rounds)
            with phase(f"batch of {batch_requests}"):
                raw["batch_1000"] = batch_rounds(base_url, batch_requests, batch_rounds_n)
                raw["batch_requests"] = batch_requests
            with phase("first answer"):
                raw["first_answer"] = first_answer_rounds(base_url, process_rounds)
    if not args.calls_only:
        with phase("import"):
            memory_runs = 0 if args.quick else 2
            raw["import"] = import_rounds(process_rounds, memory_runs=memory_runs, warm_up=not args.quick)
    summary = summarize(raw)
    report = {
        "command": "python benchmarks/run.py"
        + (" --quick" if args.quick else "")
        + (" --calls-only" if args.calls_only else ""),
        "server": "benchmarks/server.py (canned responses, separate process)",
        "quick": args.quick,
        "machine": machine(),
        "iterations": {
            "rounds": rounds,
            "cpu_seconds_per_sample": sample_seconds,
            "stream_events": STREAM_EVENTS,
            "agent_calls_per_round": n_agent,
            "agent_tools": 20,
            "batch_requests": batch_requests,
            "batch_rounds": batch_rounds_n,
            "construct_per_round": n_construct,
            "fresh_process_runs": process_rounds,
        },
        "summary": summary,
        "samples": raw,
    }
    text = table(summary)
    print(text)
    out = args.out
    if out is None and not args.quick:
        out = HERE / "results" / ("calls.json" if args.calls_only else "latest.json")
    if out is None:
        print(f"\nrounds={rounds}; a quick run: nothing written (give --out to keep it)")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".txt").write_text(text + "\n")
    out = out.resolve()
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"\nrounds={rounds}; results written to {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
