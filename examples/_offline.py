"""Kept for examples written before `import _replay`; new examples import `_replay` instead.

Importing this module starts the replay (see _replay.py), so the block below
has nothing left to do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import _replay  # noqa: F401  (replays cassettes/examples/<script>.yaml when MAVERA_API_KEY is unset)


@contextlib.contextmanager
def offline_or_live(name: str) -> Iterator[None]:
    """A no-op: the cassette was chosen from the script's name on import."""
    yield
