"""The survey's embedded store: one SQLite row per cell, written as each answer arrives.

A cell is keyed by a hash of its question, variant, persona and the model
settings that change an answer, so re-running the same survey finds the cells
already paid for and never sends them again. WAL journaling with one commit per
answer means a process killed at any instant loses at most the calls in flight.

A cell is marked `sending` before its request leaves and `done` or `failed`
when the outcome is known; a `sending` row found on resume is a call that was in
flight when the process died: the server may or may not have answered (and
charged) it, and nothing on the client can tell which.

The file is marked as a survey store (`PRAGMA application_id`, with the schema
version in `user_version`); any other non-empty file is refused before anything
is written to it. While open, the store is held by one run (`_survey_lock`).
Text is stored as valid UTF-8: a lone surrogate (half an emoji) in an answer
is replaced with U+FFFD, and the replacement is noted on the cell.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_mavera.survey._store_lock import StoreLock

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

APPLICATION_ID = 0x4D565359
"""`PRAGMA application_id` of a survey store ("MVSY")."""
SCHEMA_VERSION = 1
"""`PRAGMA user_version` of the schema above."""
_SQLITE_HEADER = b"SQLite format 3\x00"
_COLUMNS = (
    "key",
    "question",
    "variant",
    "persona_id",
    "persona_name",
    "status",
    "answer",
    "analysis",
    "credits",
    "error",
    "attempts",
    "updated_at",
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8(text: str) -> tuple[str, int]:
    """`text` with every lone surrogate replaced by U+FFFD, and how many were replaced."""
    return _SURROGATE.subn("\ufffd", text)


def _refuse(path: str, why: str) -> ValueError:
    # Before any billed call: a folder or another application's file given as `store` is a bad argument.
    return ValueError(
        f"store {path} cannot be used as a survey store ({why}); pass a new file or a survey's."
    )


def _check_file(path: str) -> None:
    """Refuse a file that is not SQLite, reading only its header (nothing is written)."""
    target = Path(path)
    if target.is_dir():
        raise _refuse(path, "it is a folder")
    if not target.is_file() or target.stat().st_size == 0:
        return
    with target.open("rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise _refuse(path, "it is not an SQLite file")


def _check_marked(db: sqlite3.Connection, path: str) -> None:
    """Refuse another application's database: only reads, so a refused file is left as it was."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if application_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise _refuse(path, f"it was written by a newer langchain-mavera (schema {version})")
        return
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    if not tables and application_id == 0:
        return  # an empty database: a new store
    # A store written before stores were marked: exactly our table, with exactly our columns.
    columns = tuple(row[1] for row in db.execute("PRAGMA table_info(cells)"))
    if application_id != 0 or tables != ["cells"] or columns != _COLUMNS:
        found = f"application_id {application_id}" if application_id else f"tables {', '.join(tables)}"
        raise _refuse(path, f"it is another application's SQLite database ({found})")


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
        in_memory = self.path == ":memory:"
        if not in_memory:
            _check_file(self.path)
        # Held until close: a second run on this store is refused, not left to pay for every cell again.
        self._hold = None if in_memory else StoreLock(self.path)
        # One connection guarded by a lock: writes are tiny and SQLite serialises them anyway.
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            _check_marked(db, self.path)
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL keeps every committed answer across a process crash (only power loss can lose one).
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException as exc:
            if db is not None:
                db.close()
            if self._hold is not None:
                self._hold.release()
            if isinstance(exc, sqlite3.Error):
                raise _refuse(self.path, str(exc)) from None
            raise
        self._db = db

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._hold is not None:
                self._hold.release()
                self._hold = None

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
                (
                    key,
                    _utf8(question)[0],
                    _utf8(variant)[0] if variant is not None else None,
                    persona[0],
                    _utf8(persona[1])[0],
                    time.time(),
                ),
            )

    def mark_done(self, key: str, answer: str, analysis: Any, credits: float | None) -> None:
        """Store an answer; lone surrogates are replaced and noted in the cell's `error` column."""
        text, replaced = _utf8(answer)
        note = f"note: {replaced} lone surrogate(s) in the answer replaced with U+FFFD" if replaced else None
        # json.dumps escapes surrogates itself (ensure_ascii), so the analysis needs no cleaning.
        with self._transaction() as db:
            db.execute(
                "UPDATE cells SET status='done', answer=?, analysis=?, credits=?, error=?, updated_at=?"
                " WHERE key=?",
                (
                    text,
                    json.dumps(analysis) if analysis is not None else None,
                    credits,
                    note,
                    time.time(),
                    key,
                ),
            )

    def mark_failed(self, key: str, error: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE cells SET status='failed', error=?, updated_at=? WHERE key=?",
                (_utf8(error)[0], time.time(), key),
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
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()  # a store that cannot be written must not also deadlock the others
            raise
        return self._db

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            if exc_type is None:
                try:
                    self._db.execute("COMMIT")
                    return
                except sqlite3.Error:
                    _rollback(self._db)  # a failed COMMIT (a full disk) can leave the transaction open
                    raise
            _rollback(self._db)
        finally:
            self._lock.release()


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


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
