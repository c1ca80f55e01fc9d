"""A survey run in its own process, for the faults only a process shows: Ctrl-C, two runs, a full disk.

    python -m tests.survey._fault_worker BASE_URL STORE RPM CONCURRENCY [FSIZE_AFTER]

Ctrl-C makes `run()` raise KeyboardInterrupt; the report then says how long that took.
Prints one JSON line on stdout: `{"outcome": ..., "message": ..., "answers": n, "exported_to": ...}`.
With FSIZE_AFTER, once that many requests are about to leave, the process may not grow any file
past the size the store's WAL has then (`RLIMIT_FSIZE`): the last answer arrives, paid, and the
store refuses it, as a full disk would.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
from typing import Any

from langchain_mavera import ChatMavera, PersonaSurvey
from langchain_mavera.errors import MaveraSurveyStoreWriteError
from langchain_mavera.survey import _store as store_module
from tests.emulator import DEFAULT_KEY

QUESTIONS = [f"Question number {i}: would you try refillable soap?" for i in range(10)]
PERSONAS = ["Gen Z Consumer", "SaaS CMO"]


def build(base_url: str, store: str, rpm: float, concurrency: int) -> PersonaSurvey:
    model = ChatMavera(base_url=base_url, api_key=DEFAULT_KEY, max_tokens=20)
    return PersonaSurvey(
        model=model,
        questions=QUESTIONS,
        personas=PERSONAS,
        store=store,
        requests_per_minute=rpm,
        max_concurrency=concurrency,
        progress=False,
    )


def _fill_disk_after(sends: int, store: str) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk
    original = store_module.SurveyStore.mark_sending
    sent = [0]

    def mark_sending(self: store_module.SurveyStore, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        sent[0] += 1
        if sent[0] == sends:
            size = os.path.getsize(f"{store}-wal")
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))

    store_module.SurveyStore.mark_sending = mark_sending  # type: ignore[method-assign]


_interrupted_at: list[float] = []


def _on_ctrl_c(signum: int, frame: Any) -> None:
    _interrupted_at.append(time.monotonic())
    raise KeyboardInterrupt


def main() -> None:
    base_url, store, rpm, concurrency = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    if len(sys.argv) > 5:
        _fill_disk_after(int(sys.argv[5]), store)
    signal.signal(signal.SIGINT, _on_ctrl_c)
    report: dict[str, Any]
    try:
        result = build(base_url, store, rpm, concurrency).run()
        report = {"outcome": "done", "succeeded": len(result.succeeded)}
    except MaveraSurveyStoreWriteError as exc:
        report = {"outcome": type(exc).__name__, "answers": len(exc.answers), "exported_to": exc.exported_to}
        report["message"] = str(exc)
    except KeyboardInterrupt:
        report = {"outcome": "KeyboardInterrupt", "raised_after_s": time.monotonic() - _interrupted_at[0]}
    except Exception as exc:
        report = {"outcome": type(exc).__name__, "message": str(exc)}
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
