"""One live run per survey store: an OS lock on a file beside the store.

Two runs on one store would each plan every missing cell and pay for it twice.
The lock is the operating system's (`flock` on POSIX, `msvcrt.locking` on
Windows), so it dies with its process: a run killed with `kill -9` leaves no
stale lock behind, only the small `<store>.lock` file, which the next run reuses.
The file holds who took the lock (pid, host, start time) so a refused run can
say who holds the store. On a network file system without working locks the
lock may not hold across machines.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from datetime import UTC, datetime
from typing import Any

from langchain_mavera.errors import MaveraSurveyStoreBusyError

_WINDOWS_LOCK_OFFSET = 1 << 20
"""Windows locks a byte range and blocks reading it: lock one far past the holder's details."""


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        holder = json.loads(os.pread(fd, 4096, 0) if hasattr(os, "pread") else b"{}")
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


class StoreLock:
    """Held from construction until `release()`; refuses with `MaveraSurveyStoreBusyError` if taken."""

    def __init__(self, store: str) -> None:
        self.path = f"{store}.lock"
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _try_lock(fd):
                raise _busy(store, _read_holder(fd))
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(holder).encode())
        except BaseException:
            os.close(fd)
            raise
        self._fd: int | None = fd

    def release(self) -> None:
        # Closing the descriptor releases the OS lock; the file stays (deleting it would race).
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def _busy(store: str, holder: dict[str, Any]) -> MaveraSurveyStoreBusyError:
    who = ", ".join(f"{name} {holder[name]}" for name in ("pid", "host", "started") if name in holder)
    message = (
        f"store {store} is in use by another survey run ({who or 'holder unknown'}); "
        "nothing was sent. Wait for that run to finish, stop it, or use another store."
    )
    return MaveraSurveyStoreBusyError(message, store=store, holder=holder)
