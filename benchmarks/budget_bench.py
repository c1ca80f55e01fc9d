"""How far over a budget concurrent calls go: billed / budget under `get_mavera_callback(budget=...)`.

A local server bills every chat request it receives at a fixed price and answers after a short
delay, so every call of a batch is in flight at once. For budgets of 10 and 100 credits, 1 and 5
credits a call and 32 and 128 calls in flight, it runs an `abatch` (twice the calls in flight,
and more inputs than the budget pays for) and prints what the server billed against the budget,
and the tally. Then it times the budget's check on the path a call takes with no budget
(`admit_pending()` with nothing queued).

    python benchmarks/budget_bench.py      # about 10 seconds
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import timeit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_mavera import ChatMavera, get_mavera_callback
from langchain_mavera._budget import admit_pending

DELAY = 0.05


class _Billing(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    price: float = 1
    billed: float = 0
    lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Billing

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with self.server.lock:
            self.server.billed += self.server.price
        time.sleep(DELAY)
        body = json.dumps(
            {
                "id": "c",
                "object": "chat.completion",
                "model": "mavera-1",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "credits_used": self.server.price},
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


async def _case(
    model: ChatMavera, server: _Billing, budget: float, price: float, in_flight: int
) -> tuple[float, float]:
    server.price, server.billed = price, 0
    async with get_mavera_callback(budget=budget) as cb:
        calls = max(2 * in_flight, int(2 * budget / price))  # more than the budget can pay for
        await model.abatch(["q"] * calls, config={"max_concurrency": in_flight}, return_exceptions=True)
    return server.billed, cb.credits_used


def main() -> None:
    logging.getLogger("langchain_core.callbacks.manager").setLevel(logging.CRITICAL)  # one line per refusal
    server = _Billing(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    model = ChatMavera(
        base_url=f"http://127.0.0.1:{server.server_address[1]}/api/v1", api_key="mvra_bench", max_retries=0
    )
    print("budget  credits/call  in flight  billed  billed/budget  over  tally")
    worst_ratio, worst_over = 0.0, 0.0
    for budget in (10, 100):
        for price in (1, 5):
            for in_flight in (32, 128):
                billed, tally = asyncio.run(_case(model, server, budget, price, in_flight))
                over = max(billed - budget, 0)
                worst_ratio, worst_over = max(worst_ratio, billed / budget), max(worst_over, over)
                ratio = billed / budget
                row = f"{budget:>6} {price:>13} {in_flight:>10} {billed:>7g}"
                print(f"{row} {ratio:>14.2f} {over:>5g} {tally:>6g}")
    print(f"worst billed/budget {worst_ratio:.2f}, worst overspend {worst_over:g} credits")
    per_call = min(timeit.repeat(admit_pending, number=100_000, repeat=5)) / 100_000
    print(f"budget check with no budget: {per_call * 1e9:.0f} ns a call")
    server.shutdown()


if __name__ == "__main__":
    main()
