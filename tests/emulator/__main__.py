"""``python -m tests.emulator --port 8765``: serve until Ctrl-C."""

import argparse

from .server import Emulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Mavera API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    placements = ("trailing", "final_chunk")
    parser.add_argument(
        "--usage-placement", choices=placements, default="trailing", help="where streamed usage goes"
    )
    parser.add_argument("--rate-limit", type=int, default=600, help="requests/minute")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between streamed chunks")
    args = parser.parse_args(argv)
    emulator = Emulator(
        args.port,
        host=args.host,
        stream_usage_placement=args.usage_placement,
        rate_limit_per_minute=args.rate_limit,
        stream_chunk_delay=args.chunk_delay,
    ).start()
    print(f"Mavera emulator listening on {emulator.base_url}", flush=True)
    print(f"API key: {emulator.api_key}", flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)


if __name__ == "__main__":
    main()
