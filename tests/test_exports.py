"""The public names of `langchain_mavera` are listed three times in its `__init__`; they must agree.

`__all__` (what `from langchain_mavera import *` and the docs promise), the lazy
table `_EXPORTS` (what `__getattr__` can actually load) and the `TYPE_CHECKING`
imports (what type checkers see) are kept by hand, so a name added to one and
forgotten in another would either be unimportable or invisible to mypy.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import langchain_mavera

_INIT = Path(langchain_mavera.__file__)
_EAGER = {"__version__"}  # imported at module level, not through the lazy table


def _type_checking_imports() -> dict[str, str]:
    tree = ast.parse(_INIT.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.dump(statement)
                assert statement.module is not None
                names.update(dict.fromkeys((alias.name for alias in statement.names), statement.module))
    return names


def test_all_is_the_lazy_table_plus_the_version() -> None:
    assert sorted(langchain_mavera.__all__) == sorted(set(langchain_mavera._EXPORTS) | _EAGER)
    assert len(langchain_mavera.__all__) == len(set(langchain_mavera.__all__)), "duplicate names in __all__"


def test_type_checking_imports_match_the_lazy_table() -> None:
    assert _type_checking_imports() == langchain_mavera._EXPORTS


@pytest.mark.parametrize("name", sorted(langchain_mavera._EXPORTS))
def test_every_lazy_name_loads_from_its_module(name: str) -> None:
    module = importlib.import_module(langchain_mavera._EXPORTS[name])
    assert getattr(langchain_mavera, name) is getattr(module, name)


def test_dir_lists_the_public_names() -> None:
    assert dir(langchain_mavera) == sorted(langchain_mavera.__all__)


def test_an_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NotAThing'"):
        _ = langchain_mavera.NotAThing


@pytest.mark.parametrize("name", ["MaveraSurveyStoreBusyError", "MaveraSurveyStoreWriteError"])
def test_the_survey_store_errors_are_public(name: str) -> None:
    assert name in langchain_mavera.__all__
    assert issubclass(getattr(langchain_mavera, name), langchain_mavera.MaveraError)
