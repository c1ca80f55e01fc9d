"""Every fenced Python and shell block of README.md and docs/ runs as written, page by page.

Each page runs in a fresh process (``tests/docs_runner.py``) against one emulator started for
this module, Python blocks sharing one namespace as if pasted into one interpreter. A block
marked ``<!-- fragment -->`` or ``<!-- not-run: reason -->`` (see ``tests/docs_blocks.py`` and
CONTRIBUTING.md) is counted, not run. The counts are printed at the end of the pytest run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs_blocks import PAGES, ROOT, blocks
from tests.emulator import Emulator, run_emulator

pytestmark = pytest.mark.loopback

DOCS_COUNTS = pytest.StashKey[Counter[str]]()
_PAGE_TIMEOUT = 600
_FRAGMENT_SHARE = 0.10
_RATE_LIMIT = 3000
"""Every page shares one emulator, so its per-minute limit covers several pages' requests."""


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with run_emulator(rate_limit_per_minute=_RATE_LIMIT) as emu:
        yield emu


_NOT_THE_CLONE = {".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def _in_the_clone(relative: Path) -> bool:
    """Not git's, a cache's or a virtualenv's (`.venv`, and `.ci/run`'s `.venv-3.12`, ...)."""
    return not any(part in _NOT_THE_CLONE or part.startswith(".venv") for part in relative.parts)


def _clone_files() -> dict[Path, tuple[int, int]]:
    """Every file of the clone with its modification time and size."""
    return {
        path: (path.stat().st_mtime_ns, path.stat().st_size)
        for path in ROOT.rglob("*")
        if path.is_file() and _in_the_clone(path.relative_to(ROOT))
    }


def _scratch_clone(directory: Path) -> Path:
    """The clone's top level as symlinks, so files a block writes land in `directory`."""
    for entry in ROOT.iterdir():
        if _in_the_clone(Path(entry.name)):
            (directory / entry.name).symlink_to(entry)
    (directory / ".venv").symlink_to(Path(sys.prefix))  # the README's `.venv/bin/python`: this interpreter
    return directory


def _run(page: Path, emulator: Emulator, scratch: Path) -> list[dict[str, str]]:
    env = {
        **os.environ,
        "MAVERA_BASE_URL": emulator.base_url,
        "MAVERA_API_KEY": emulator.api_key,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "MPLBACKEND": "Agg",
    }
    results = scratch / "results.json"
    subprocess.run(
        [sys.executable, "-m", "tests.docs_runner", str(page), str(results)],
        cwd=_scratch_clone(scratch),
        env=env,
        timeout=_PAGE_TIMEOUT,
        check=True,
    )
    outcome: list[dict[str, str]] = json.loads(results.read_text(encoding="utf-8"))
    return outcome


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_unmarked_block_runs(
    page: Path, emulator: Emulator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    before = _clone_files()
    results = _run(page, emulator, tmp_path)
    # A block writes into the scratch directory only: one that re-recorded the cassettes once deleted them.
    after = _clone_files()
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    counts = request.config.stash.setdefault(DOCS_COUNTS, Counter())
    counts.update(result["outcome"] for result in results)
    failed = [f"{result['where']}\n{result['error']}" for result in results if result["outcome"] == "failed"]
    assert not failed, "blocks that do not run as written:\n\n" + "\n\n".join(failed)
    assert not changed, f"the page's blocks changed files of the clone: {sorted(map(str, changed))}"


def test_fragments_are_few_and_none_in_the_readme() -> None:
    every = [block for page in PAGES for block in blocks(page)]
    fragments = [block.where for block in every if block.mark == "fragment"]
    assert not [where for where in fragments if where.startswith("README.md")]
    assert len(fragments) <= _FRAGMENT_SHARE * len(every), fragments
    assert all(block.reason for block in every if block.mark == "not-run"), "a not-run block says why"


def docs_summary(config: pytest.Config) -> str | None:
    """The line the terminal summary prints: blocks run / marked / total."""
    counts = config.stash.get(DOCS_COUNTS, None)
    if not counts:
        return None
    total = sum(counts.values())
    return (
        f"docs blocks: {counts['ran']} run, {counts['failed']} failed, "
        f"{counts['fragment']} marked fragments, {counts['not-run']} marked not-run, {total} total"
    )
