"""One batch of N requests with no concurrency cap, in a fresh process (run by run.py).

`python benchmarks/batch_child.py CONTENDER BASE_URL N` prints one JSON line:
wall seconds, CPU seconds and peak RSS growth (MiB) over the batch. A fresh
process per measurement keeps one contender's peak from hiding another's.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from contenders import API_KEY, MESSAGES, PERSONA_FIELDS, PROMPT, make_chat_mavera, make_chat_openai

WARM_UP = 8


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def start_rss_window() -> int:
    """The RSS now, with the peak reset to it.

    `ru_maxrss` will not do: Linux carries the forking parent's peak across exec
    (run.py's own, tens of MiB), and the imports' peak would hide the batch's.
    Writing 5 to clear_refs resets this process's VmHWM to its current RSS.
    """
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _status_kib("VmRSS")


def end_rss_window(rss0: int) -> float:
    """MiB the peak RSS (VmHWM) rose above the RSS at the window's start."""
    return max(0, _status_kib("VmHWM") - rss0) / 1024


def measure(run: Callable[[], Any]) -> dict[str, float]:
    """Wall and CPU seconds of `run()`, and how far the peak RSS rose above the RSS before it."""
    rss0 = start_rss_window()
    c0, w0 = time.process_time(), time.perf_counter()
    run()
    seconds, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {"seconds": seconds, "cpu_seconds": cpu, "rss_growth_mib": end_rss_window(rss0)}


def async_contender(name: str, base_url: str) -> Callable[[int], Awaitable[Any]]:
    if name == "raw_gather":
        import openai

        raw = openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url, max_retries=2)

        async def gather(n: int) -> Any:
            return await asyncio.gather(
                *(
                    raw.chat.completions.create(
                        model="mavera-1", messages=MESSAGES, extra_body=PERSONA_FIELDS
                    )
                    for _ in range(n)
                )
            )

        return gather
    model = make_chat_mavera(base_url) if name == "ChatMavera_abatch" else make_chat_openai(base_url)

    async def abatch(n: int) -> Any:
        return await model.abatch([PROMPT] * n)

    return abatch


def main() -> None:
    name, base_url, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if name == "ChatMavera_batch":
        model = make_chat_mavera(base_url)
        model.batch([PROMPT] * WARM_UP)
        result = measure(lambda: model.batch([PROMPT] * n))
    else:

        async def both() -> dict[str, float]:
            batch = async_contender(name, base_url)
            await batch(WARM_UP)
            rss0 = start_rss_window()
            c0, w0 = time.process_time(), time.perf_counter()
            await batch(n)
            seconds, cpu = time.perf_counter() - w0, time.process_time() - c0
            return {"seconds": seconds, "cpu_seconds": cpu, "rss_growth_mib": end_rss_window(rss0)}

        result = asyncio.run(both())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
