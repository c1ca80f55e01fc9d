"""The package's import direction (CONTRIBUTING.md "Layout"): no module imports one above it.

Arrows are read from the source: module-level and in-function imports. `TYPE_CHECKING` imports
never run, so they are free. Component folders never import each other, except through the two
documented seams (`as_tool()`, imported inside the method). A new top-level module or folder
must be given a level here and in CONTRIBUTING.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "langchain_mavera"
LEVELS = {  # first path component under langchain_mavera (or a module placed apart) -> level
    "_version": 0,
    "errors": 0,
    "analysis": 1,
    "plots": 1,
    "_extras": 1,
    "_budget": 1,
    "_credits": 1,
    "_conversations": 1,
    "_tool_errors": 1,
    "_renames": 1,
    "_transport": 2,
    "personas": 3,
    "custom_personas": 3,
    "_persona_resolver": 3,
    "usage": 3,
    "callbacks": 3,
    "news": 3,
    "research": 3,
    "panel.results": 3,  # the panel's result types need no model: what reads them skips the panel
    "chat_models": 4,
    "panel": 5,
    "tools": 6,
    "retrievers": 6,
    "middleware": 6,
    "survey": 6,
    "__init__": 7,  # importing the root from inside the package is an arrow to the top: refused
}
SIBLINGS_OK = {0, 1, 2, 3}
SEAMS = {("chat_models", "tools"), ("panel", "tools")}  # as_tool(): lazy, inside the method


def _placed(parts: list[str]) -> str:
    """The LEVELS key of a module: its own dotted path when placed apart, else its top component."""
    for end in range(len(parts), 1, -1):
        if (dotted := ".".join(parts[:end])) in LEVELS:
            return dotted
    return parts[0]


def _component(path: Path) -> str:
    return _placed([part.removesuffix(".py") for part in path.relative_to(PACKAGE).parts])


def _target(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "langchain_mavera":
        return None
    return _placed(parts[1:]) if len(parts) > 1 else "__init__"


def _arrows(path: Path) -> list[tuple[str, int, bool]]:
    """(imported top-level component, line, lazy) for each runtime import of the package."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other, lazy)
                continue
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((t, child.lineno, lazy) for a in child.names if (t := _target(a.name)))
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                target = _target(child.module)
                if target == "__init__":  # `from langchain_mavera import errors` names a module
                    for alias in child.names:
                        is_module = (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").exists()
                        found.append((alias.name if is_module else "__init__", child.lineno, lazy))
                elif target:
                    found.append((target, child.lineno, lazy))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    src = _component(path)
    assert src in LEVELS, f"{src}: give it a level in tests/test_layout.py and CONTRIBUTING.md"
    for dst, line, lazy in _arrows(path):
        if dst == src:
            continue
        where = f"{path.relative_to(PACKAGE)}:{line}"
        if (src, dst) in SEAMS:
            assert lazy, f"{where}: the {src} -> {dst} seam must be imported inside the method"
            continue
        up, same = LEVELS[dst] > LEVELS[src], LEVELS[dst] == LEVELS[src]
        assert not up, f"{where} imports {dst} (level {LEVELS[dst]}) from level {LEVELS[src]}"
        assert not same or LEVELS[src] in SIBLINGS_OK, f"{where}: {src} and {dst} are sibling components"


_PRIVATE = ("openai._", "openai.lib._")


def test_the_openai_sdks_private_api_is_confined_to_one_module() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "_transport" / "_sdk.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        private = [
            node.lineno
            for node in ast.walk(tree)
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith(("openai._", "openai.lib._"))
            )
            or (isinstance(node, ast.Import) and any(a.name.startswith("openai._") for a in node.names))
        ]
        assert not private, f"{path.relative_to(PACKAGE)}:{private} imports the openai SDK's private API"
