"""The package's import direction (CONTRIBUTING.md "Layout"): no module imports one above it.

Arrows are read from the source: module-level and in-function imports. `TYPE_CHECKING` imports
never run, so they are free. Component folders never import each other, except through the two
documented seams (`as_tool()`, imported inside the method), and those seams are the only
run-time import loops. A new top-level module or folder must be given a level here and in
CONTRIBUTING.md.
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


def _target(module: str) -> str:
    """The LEVELS key of an imported module, given relative to the package ("" is the root)."""
    return _placed(module.split(".")) if module else "__init__"


def _is_module(module: str) -> bool:
    place = PACKAGE.joinpath(*module.split("."))
    return place.is_dir() or place.with_suffix(".py").exists()


def _arrows(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module relative to the package, line, lazy) for each runtime import of the package."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other, lazy)
                continue
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend(
                    (a.name.partition(".")[2], child.lineno, lazy)
                    for a in child.names
                    if a.name.split(".")[0] == "langchain_mavera"
                )
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                top, _, module = child.module.partition(".")
                if top == "langchain_mavera":  # `from langchain_mavera import errors` names a module
                    for alias in child.names:
                        named = f"{module}.{alias.name}" if module else alias.name
                        found.append((named if _is_module(named) else module, child.lineno, lazy))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    src = _component(path)
    assert src in LEVELS, f"{src}: give it a level in tests/test_layout.py and CONTRIBUTING.md"
    for module, line, lazy in _arrows(path):
        dst = _target(module)
        if dst == src:
            continue
        where = f"{path.relative_to(PACKAGE)}:{line}"
        if (src, dst) in SEAMS:
            assert lazy, f"{where}: the {src} -> {dst} seam must be imported inside the method"
            continue
        up, same = LEVELS[dst] > LEVELS[src], LEVELS[dst] == LEVELS[src]
        assert not up, f"{where} imports {dst} (level {LEVELS[dst]}) from level {LEVELS[src]}"
        assert not same or LEVELS[src] in SIBLINGS_OK, f"{where}: {src} and {dst} are sibling components"


def _module(path: Path) -> str:
    parts = [part.removesuffix(".py") for part in path.relative_to(PACKAGE).parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# Each `as_tool()` seam is a loop by nature: the tool holds the model or panel it calls (as
# `Runnable.as_tool` and `langchain_core.tools` do). Nothing else may join a loop: a module that
# only reads a result must not drag in what produces it.
SEAM_LOOPS = [{"chat_models", "chat_models.base", "tools.persona"}, {"panel.persona_panel", "tools.panel"}]


def test_the_only_runtime_import_loops_are_the_as_tool_seams() -> None:
    graph = {_module(path): {m for m, _, _ in _arrows(path)} for path in MODULES}

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for imported in graph.get(todo.pop(), set()) - seen:
                seen.add(imported)
                todo.append(imported)
        return seen

    reached = {module: reach(module) for module in graph}
    loops = {frozenset(m for m in reached[module] if module in reached[m]) for module in graph}
    assert sorted(map(sorted, loops - {frozenset()})) == sorted(map(sorted, SEAM_LOOPS))


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
