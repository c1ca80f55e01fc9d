"""The survey's embedded store: one SQLite row per cell, written as each answer arrives.

A cell is keyed by a hash of its question, variant, persona and the model
settings that change an answer, so re-running the same survey finds the cells
already paid for and never sends them again. WAL journaling with one commit per
answer means a process killed at any instant loses at most the calls in flight.

A cell is marked `sending` before its request leaves and `done` or `failed`
when the outcome is known; a `sending` row found on resume is a call that was in
flight when the process died: the server may or may not have answered (and
charged) it, and nothing on the client can tell which.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Status = Literal["sending", "done", "failed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    key TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    variant TEXT,
    persona_id TEXT NOT NULL,
    persona_name TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    analysis TEXT,
    credits REAL,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
)
"""


def cell_key(question: str, variant: str | None, persona_id: str, settings: Mapping[str, Any]) -> str:
    """A stable id for one cell: the same question, variant, persona and settings give the same key."""
    payload = json.dumps(
        {"question": question, "variant": variant, "persona_id": persona_id, "settings": settings},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class StoredCell:
    """One row of the store."""

    key: str
    question: str
    variant: str | None
    persona_id: str
    persona_name: str
    status: Status
    answer: str | None
    analysis: dict[str, Any] | None
    credits: float | None
    error: str | None
    attempts: int


class SurveyStore:
    """A SQLite file (or `":memory:"`) holding every cell's outcome; safe to share across threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        # One connection guarded by a lock: writes are tiny and SQLite serialises them anyway.
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL keeps every committed answer across a process crash (only power loss can lose one).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            # Before any billed call: a folder or another file given as `store` is a bad argument.
            msg = (
                f"store {self.path} cannot be used as a survey store ({exc}); pass a new file or a survey's."
            )
            raise ValueError(msg) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def journal_mode(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA journal_mode").fetchone()[0])

    def cells(self) -> dict[str, StoredCell]:
        """Every stored cell by key."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, question, variant, persona_id, persona_name, status, answer, analysis,"
                " credits, error, attempts FROM cells"
            ).fetchall()
        return {row[0]: _cell(row) for row in rows}

    def credits_spent(self) -> float:
        with self._lock:
            total = self._db.execute("SELECT COALESCE(SUM(credits), 0) FROM cells").fetchone()[0]
        return float(total)

    def mark_sending(self, key: str, question: str, variant: str | None, persona: tuple[str, str]) -> None:
        """Record that this cell's request is about to leave (counts an attempt)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO cells (key, question, variant, persona_id, persona_name, status, attempts,"
                " updated_at) VALUES (?, ?, ?, ?, ?, 'sending', 1, ?)"
                " ON CONFLICT(key) DO UPDATE SET status='sending', attempts=attempts+1,"
                " updated_at=excluded.updated_at",
                (key, question, variant, persona[0], persona[1], time.time()),
            )

    def mark_done(self, key: str, answer: str, analysis: Any, credits: float | None) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE cells SET status='done', answer=?, analysis=?, credits=?, error=NULL, updated_at=?"
                " WHERE key=?",
                (answer, json.dumps(analysis) if analysis is not None else None, credits, time.time(), key),
            )

    def mark_failed(self, key: str, error: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE cells SET status='failed', error=?, updated_at=? WHERE key=?",
                (error, time.time(), key),
            )

    def mark_not_sent(self, key: str) -> None:
        """Forget a cell marked sending whose request a budget refused: it is pending again."""
        with self._transaction() as db:
            db.execute("DELETE FROM cells WHERE key=? AND status='sending'", (key,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)


class _Transaction:
    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
        finally:
            self._lock.release()


def _cell(row: tuple[Any, ...]) -> StoredCell:
    analysis = json.loads(row[7]) if row[7] else None
    return StoredCell(
        key=row[0],
        question=row[1],
        variant=row[2],
        persona_id=row[3],
        persona_name=row[4],
        status=row[5],
        answer=row[6],
        analysis=analysis if isinstance(analysis, dict) else None,
        credits=row[8],
        error=row[9],
        attempts=row[10],
    )
