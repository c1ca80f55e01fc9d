"""cProfile one contender's hot path against the canned server.

`python benchmarks/profile_calls.py CASE [CONTENDER] [--top N]` with CASE one of
`cases.CASES` (invoke, ainvoke, the streams, history_1000, image_5mb, structured,
tools_20) or abatch, and CONTENDER one of floor, raw, ChatOpenAI, ChatMavera
(default), or httpx2 and core (the floor's parts, for invoke and the streams)
prints the functions with the most internal time; used to write PROFILE.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # the benchmark's own cases (after the sys.path entry)
import run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=[*cases.CASES, "abatch"])
    parser.add_argument(
        "contender",
        nargs="?",
        default="ChatMavera",
        choices=["httpx2", "core", "floor", "raw", "ChatOpenAI", "ChatMavera"],
    )
    parser.add_argument("--calls", type=int, default=None)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    profiler = cProfile.Profile()
    with run.canned_server() as base_url:
        if args.case == "abatch":
            mavera = run.make_chat_mavera(base_url)
            inputs = [run.PROMPT] * (args.calls or 200)

            async def batch() -> None:  # no max_concurrency: the default bound applies
                await mavera.abatch(inputs)
                profiler.enable()
                await mavera.abatch(inputs)
                profiler.disable()

            asyncio.run(batch())
        else:
            with cases.build(base_url, cases=(args.case,)) as table:
                call = table[args.case][args.contender]
                calls = args.calls or cases.calls_for(call, 1.0)
                profiler.enable()
                for _ in range(calls):
                    call()
                profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
