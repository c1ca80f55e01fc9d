"""cProfile one contender's hot path against the canned server.

`python benchmarks/profile_calls.py invoke|stream_chunked|stream_content_length|abatch [CONTENDER] [--top N]`
with CONTENDER one of httpx2, core, floor, raw, ChatOpenAI, ChatMavera (default)
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

import run  # the benchmark's own contenders and server (after the sys.path entry)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["invoke", "stream_chunked", "stream_content_length", "abatch"])
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
            call = run.sync_calls(base_url)[args.case][args.contender]
            for _ in range(5):
                call()
            calls = args.calls or (300 if args.case == "invoke" else 40)
            profiler.enable()
            for _ in range(calls):
                call()
            profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
