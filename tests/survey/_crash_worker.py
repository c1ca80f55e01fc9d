"""Run a survey against a given emulator URL; used by the crash tests as a process to SIGKILL.

    python -m tests.survey._crash_worker BASE_URL STORE CONCURRENCY [KILL_AFTER]

With KILL_AFTER, the process SIGKILLs itself right after committing that many answers.
"""

from __future__ import annotations

import os
import signal
import sys

from langchain_mavera import ChatMavera, PersonaSurvey
from langchain_mavera.survey import _store as store_module
from tests.emulator import DEFAULT_KEY

QUESTIONS = [f"Question number {i}: would you try refillable soap?" for i in range(10)]
PERSONAS = ["Gen Z Consumer", "SaaS CMO", "Rural Farmer"]


def build(base_url: str, store: str, concurrency: int) -> PersonaSurvey:
    model = ChatMavera(base_url=base_url, api_key=DEFAULT_KEY, max_tokens=20)
    return PersonaSurvey(
        model=model,
        questions=QUESTIONS,
        personas=PERSONAS,
        store=store,
        max_concurrency=concurrency,
        requests_per_minute=600,  # 10 a second, so a test can kill it mid-run
        progress=False,
    )


def _kill_after(answers: int) -> None:
    original = store_module.SurveyStore.mark_done
    done = [0]

    def mark_done(self: store_module.SurveyStore, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        done[0] += 1
        if done[0] >= answers:
            os.kill(os.getpid(), signal.SIGKILL)

    store_module.SurveyStore.mark_done = mark_done  # type: ignore[method-assign]


if __name__ == "__main__":
    base_url, store, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if len(sys.argv) > 4:
        _kill_after(int(sys.argv[4]))
    build(base_url, store, concurrency).run()
