"""The code blocks of the published Markdown, and how a page marks the ones not meant to run.

A fenced block whose info string is ``python``, ``bash``, ``shell`` or ``sh`` is run by
``tests/test_docs_run.py``. Two HTML comments, on the line right before the fence, take a
block out of the run, and each is counted:

- ``<!-- fragment -->``: deliberately partial code (a shape to fill in, not a program);
- ``<!-- not-run: reason -->``: a complete command the test must not run, with the reason
  (it installs from the network, records cassettes, or is the test suite itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("docs/integrations/*.md")])

RUN_LANGUAGES = {"python": "python", "bash": "shell", "shell": "shell", "sh": "shell"}
_FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_MARK = re.compile(r"<!--\s*(fragment|not-run)\s*(?::\s*(.*?))?\s*-->\s*$")

Kind = Literal["python", "shell"]
Mark = Literal["", "fragment", "not-run"]


@dataclass(frozen=True)
class Block:
    """One runnable-language fenced block of a page."""

    page: Path
    line: int
    """1-based line of the opening fence."""
    kind: Kind
    code: str
    mark: Mark
    reason: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The page's python and shell blocks, in page order, with their marks."""
    text = page.read_text(encoding="utf-8")
    found = []
    for fence in _FENCE.finditer(text):
        kind = RUN_LANGUAGES.get(fence.group(1).lower())
        if kind is None:
            continue
        line = text.count("\n", 0, fence.start()) + 1
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marked = _MARK.search(before)
        mark = cast(Mark, marked.group(1)) if marked else ""
        reason = (marked.group(2) or "") if marked else ""
        found.append(Block(page, line, cast(Kind, kind), fence.group(2), mark, reason))
    return found
