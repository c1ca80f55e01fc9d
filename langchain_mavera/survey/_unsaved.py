"""Answers that arrived (and were paid for) but could not be written to the survey store.

When the store fails (a full disk, a removed file) the run stops sending and
raises `MaveraSurveyStoreWriteError` with these answers on it; they are also
written, best effort, to a JSON file beside the store (`<store>.unsaved-<time>.json`),
so a script that only sees the traceback still has them. A full disk may refuse that
file too: the exception then says so and the answers live on the exception alone.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

from langchain_mavera.errors import MaveraSurveyStoreWriteError


def export(store: str, answers: list[dict[str, Any]]) -> str | None:
    """Write `answers` to a JSON file beside `store`; its path, or None when that failed too."""
    if not answers:
        return None
    folder = Path.cwd() if store == ":memory:" else Path(store).parent
    name = "survey" if store == ":memory:" else Path(store).name
    target = folder / f"{name}.unsaved-{time.strftime('%Y%m%dT%H%M%S')}.json"
    try:
        # ensure_ascii: a lone surrogate in an answer must not make this write fail as well.
        target.write_text(json.dumps(answers, indent=1), encoding="utf-8")
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            target.unlink(missing_ok=True)
        return None
    return str(target)


def store_write_error(
    store: str, cause: BaseException, answers: list[dict[str, Any]]
) -> MaveraSurveyStoreWriteError:
    """The typed error for a failed store, with `answers` on it and exported where possible."""
    exported = export(store, answers)
    kept = (
        f"{len(answers)} answer(s) received but not stored are on this error's .answers"
        + (f" and in {exported}" if exported else " (writing them beside the store failed too)")
        if answers
        else "no answer was lost"
    )
    message = f"store {store} could not be written ({cause}); no further request was sent; {kept}."
    return MaveraSurveyStoreWriteError(message, answers=answers, exported_to=exported)
