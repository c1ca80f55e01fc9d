"""Client-side cost of ChatMavera vs the raw openai SDK and ChatOpenAI.

One command: `python benchmarks/run.py` (add `--quick` for a seconds-long smoke run).

A canned-response server (`benchmarks/server.py`) runs in a separate process, so
`time.process_time()` here counts only the client's CPU. Contenders alternate
within each round (the order rotates each round) and the table reports medians
over the rounds plus ratios to the raw SDK. Results go to
`benchmarks/results/latest.json`. Nothing here is asserted: these are numbers
to read, not tests.
"""

from __future__ import annotations

import argparse
import asyncio
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
API_KEY = "mvra_live_benchmark"
PERSONA = "clx1abc2d0001abcdef123456"
PROMPT = "How do you feel about refillable packaging?"
PERSONA_FIELDS = {"persona_id": PERSONA, "analysis_mode": True}

TARGETS = {
    "invoke": ("cpu_ratio", "<=", 1.10),
    "stream": ("cpu_ratio", "<=", 1.15),
    "abatch": ("throughput_ratio", ">=", 0.90),
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


# -- contenders ---------------------------------------------------------------------------


def make_raw(base_url: str) -> Any:
    import openai

    return openai.OpenAI(api_key=API_KEY, base_url=base_url, max_retries=2)


def make_chat_openai(base_url: str, **kwargs: Any) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model="mavera-1", base_url=base_url, api_key=API_KEY, extra_body=dict(PERSONA_FIELDS), **kwargs
    )


def make_chat_mavera(base_url: str) -> Any:
    from langchain_mavera import ChatMavera

    return ChatMavera(api_key=API_KEY, base_url=base_url, **PERSONA_FIELDS)


def sync_calls(base_url: str) -> dict[str, dict[str, Callable[[], Any]]]:
    """case -> contender -> one call."""
    raw = make_raw(base_url)
    lc_openai = make_chat_openai(base_url)
    mavera = make_chat_mavera(base_url)
    messages = [{"role": "user", "content": PROMPT}]

    def raw_invoke() -> Any:
        return raw.chat.completions.create(model="mavera-1", messages=messages, extra_body=PERSONA_FIELDS)

    def raw_stream() -> None:
        stream = raw.chat.completions.create(
            model="mavera-1", messages=messages, extra_body=PERSONA_FIELDS, stream=True
        )
        for _ in stream:
            pass

    def drain(model: Any) -> Callable[[], None]:
        def stream() -> None:
            for _ in model.stream(PROMPT):
                pass

        return stream

    return {
        "invoke": {
            "raw": raw_invoke,
            "ChatOpenAI": lambda: lc_openai.invoke(PROMPT),
            "ChatMavera": lambda: mavera.invoke(PROMPT),
        },
        "stream": {"raw": raw_stream, "ChatOpenAI": drain(lc_openai), "ChatMavera": drain(mavera)},
    }


# -- measurements -------------------------------------------------------------------------


def cpu_per_call(call: Callable[[], Any], n: int) -> float:
    gc.collect()
    start = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - start) / n


def alternate(contenders: dict[str, Callable[[], Any]], n: int, rounds: int) -> dict[str, list[float]]:
    """Per-call CPU of each contender, `rounds` times, the order rotating each round."""
    names = list(contenders)
    for name in names:  # warm-up: clients, connections, caches
        cpu_per_call(contenders[name], max(2, n // 10))
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            samples[name].append(cpu_per_call(contenders[name], n))
    return samples


async def abatch_rounds(base_url: str, requests: int, concurrency: int, rounds: int) -> dict[str, Any]:
    """Wall time and CPU for `requests` concurrent calls, per contender, alternating."""
    import openai

    raw = openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url, max_retries=2)
    lc_openai = make_chat_openai(base_url)
    mavera = make_chat_mavera(base_url)
    messages = [{"role": "user", "content": PROMPT}]
    inputs = [PROMPT] * requests
    config = {"max_concurrency": concurrency}

    async def raw_batch() -> None:
        semaphore = asyncio.Semaphore(concurrency)

        async def one() -> Any:
            async with semaphore:
                return await raw.chat.completions.create(
                    model="mavera-1", messages=messages, extra_body=PERSONA_FIELDS
                )

        await asyncio.gather(*(one() for _ in range(requests)))

    contenders = {
        "raw": raw_batch,
        "ChatOpenAI": lambda: lc_openai.abatch(inputs, config=config),
        "ChatMavera": lambda: mavera.abatch(inputs, config=config),
    }
    names = list(contenders)
    for name in names:
        await contenders[name]()
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            gc.collect()
            c0, w0 = time.process_time(), time.perf_counter()
            await contenders[name]()
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append((time.process_time() - c0) / requests)
    return {"wall": wall, "cpu": cpu}


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


def probe_import(code: str, mode: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, code, mode], capture_output=True, text=True, check=True, env=env
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def import_rounds(rounds: int, memory_runs: int = 2, warm_up: bool = True) -> dict[str, Any]:
    """Fresh interpreters, alternating: import time, max-RSS growth, tracemalloc peak."""
    names = list(IMPORT_SNIPPETS)
    for name in names if warm_up else ():  # warm the OS file cache and .pyc files
        probe_import(IMPORT_SNIPPETS[name], "time")
    result: dict[str, Any] = {name: {"seconds": [], "rss_delta_kib": [], "peak_bytes": []} for name in names}
    for r in range(rounds):
        order = names[r % 2 :] + names[: r % 2]
        for name in order:
            timed = probe_import(IMPORT_SNIPPETS[name], "time")
            result[name]["seconds"].append(timed["seconds"])
            result[name]["rss_delta_kib"].append(timed["rss_delta_kib"])
            result[name]["openai_loaded"] = timed["openai_loaded"]
            if r < memory_runs:  # tracemalloc slows imports ~5x and its peak barely varies
                result[name]["peak_bytes"].append(probe_import(IMPORT_SNIPPETS[name], "memory")["peak_bytes"])
    return result


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
    for case in ("invoke", "stream"):
        samples = raw[case]
        base = med(samples["raw"])
        summary[case] = {
            "unit": "CPU ms per call",
            **{name: med(values) * 1e3 for name, values in samples.items()},
            "ChatOpenAI_ratio": med(samples["ChatOpenAI"]) / base,
            "cpu_ratio": med(samples["ChatMavera"]) / base,
        }
    wall = raw["abatch"]["wall"]
    cpu = raw["abatch"]["cpu"]
    requests = raw["abatch"]["requests"]
    summary["abatch"] = {
        "unit": "requests per second (wall)",
        "requests": requests,
        **{name: requests / med(values) for name, values in wall.items()},
        "cpu_ms_per_request": {name: med(values) * 1e3 for name, values in cpu.items()},
        "ChatOpenAI_ratio": med(wall["raw"]) / med(wall["ChatOpenAI"]),
        "throughput_ratio": med(wall["raw"]) / med(wall["ChatMavera"]),
    }
    imports = raw["import"]
    mavera, lc_openai = imports["langchain_mavera"], imports["langchain_openai"]
    summary["import"] = {
        "unit": "ms (fresh interpreter)",
        "langchain_mavera_ms": med(mavera["seconds"]) * 1e3,
        "langchain_openai_ms": med(lc_openai["seconds"]) * 1e3,
        "time_ratio": med(mavera["seconds"]) / med(lc_openai["seconds"]),
        "langchain_mavera_peak_mib": _mib(mavera["peak_bytes"]),
        "langchain_openai_peak_mib": _mib(lc_openai["peak_bytes"]),
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
        summary[case]["target"] = f"{op} {limit}"
        summary[case]["met"] = value <= limit if op == "<=" else value >= limit
    return summary


def table(summary: dict[str, Any]) -> str:
    rows = [
        (
            "case",
            "raw openai",
            "ChatOpenAI",
            "ChatMavera",
            "ChatOpenAI/raw",
            "ChatMavera/raw",
            "target",
            "met",
        ),
    ]
    for case in ("invoke", "stream"):
        s = summary[case]
        rows.append(
            (
                f"{case} (CPU ms/call)",
                f"{s['raw']:.3f}",
                f"{s['ChatOpenAI']:.3f}",
                f"{s['ChatMavera']:.3f}",
                f"{s['ChatOpenAI_ratio']:.2f}x",
                f"{s['cpu_ratio']:.2f}x",
                s["target"] + "x",
                "yes" if s["met"] else "NO",
            )
        )
    s = summary["abatch"]
    rows.append(
        (
            f"abatch {s['requests']} @32 (req/s)",
            f"{s['raw']:.0f}",
            f"{s['ChatOpenAI']:.0f}",
            f"{s['ChatMavera']:.0f}",
            f"{s['ChatOpenAI_ratio']:.2f}x",
            f"{s['throughput_ratio']:.2f}x",
            s["target"] + "x",
            "yes" if s["met"] else "NO",
        )
    )
    s = summary["import"]
    peaks = [s["langchain_openai_peak_mib"], s["langchain_mavera_peak_mib"]]
    rows.append(
        (
            "import (ms)",
            "",
            f"{s['langchain_openai_ms']:.0f}",
            f"{s['langchain_mavera_ms']:.0f}",
            "",
            f"{s['time_ratio']:.2f}x of langchain_openai",
            s["target"] + "x",
            "yes" if s["met"] else "NO",
        )
    )
    rows.append(
        (
            "import peak (MiB, tracemalloc)",
            "",
            *("n/a" if peak is None else f"{peak:.1f}" for peak in peaks),
            "",
            "",
            "",
            "",
        )
    )
    rows.append(
        (
            "import RSS growth (MiB)",
            "",
            f"{s['langchain_openai_rss_delta_mib']:.1f}",
            f"{s['langchain_mavera_rss_delta_mib']:.1f}",
            "",
            "",
            "",
            "",
        )
    )
    s = summary["construct"]
    rows.append(
        (
            "construct (µs)",
            "",
            f"{s['ChatOpenAI_microseconds']:.1f}",
            f"{s['microseconds']:.1f}",
            "",
            "",
            s["target"] + " µs",
            "yes" if s["met"] else "NO",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
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
    parser.add_argument("--rounds", type=int, default=None, help="alternations per case (default 7)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 7)
    n_invoke, n_stream, n_construct = (3, 2, 20) if args.quick else (200, 30, 2000)
    batch_requests = 20 if args.quick else 200
    import_rounds_n = 1 if args.quick else max(5, rounds)

    os.environ.pop("LANGSMITH_TRACING", None)
    os.environ.pop("LANGCHAIN_TRACING_V2", None)
    raw: dict[str, Any] = {"rounds": rounds}
    with canned_server() as base_url:
        calls = sync_calls(base_url)
        with phase("invoke"):
            raw["invoke"] = alternate(calls["invoke"], n_invoke, rounds)
        with phase("stream"):
            raw["stream"] = alternate(calls["stream"], n_stream, rounds)
        with phase("abatch"):
            raw["abatch"] = asyncio.run(abatch_rounds(base_url, batch_requests, 32, rounds))
        raw["abatch"]["requests"] = batch_requests
        with phase("construct"):
            raw["construct"] = construction(base_url, n_construct, rounds)
    with phase("import"):
        memory_runs = 0 if args.quick else 2
        raw["import"] = import_rounds(import_rounds_n, memory_runs=memory_runs, warm_up=not args.quick)
    summary = summarize(raw)
    report = {
        "command": "python benchmarks/run.py" + (" --quick" if args.quick else ""),
        "server": "benchmarks/server.py (canned responses, separate process)",
        "quick": args.quick,
        "machine": machine(),
        "iterations": {
            "invoke_calls_per_round": n_invoke,
            "stream_calls_per_round": n_stream,
            "stream_chunks": 200,
            "abatch_requests": batch_requests,
            "abatch_max_concurrency": 32,
            "construct_per_round": n_construct,
            "import_runs": import_rounds_n,
        },
        "summary": summary,
        "samples": raw,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(summary))
    out = args.out.resolve()
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"\nrounds={rounds}; results written to {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
