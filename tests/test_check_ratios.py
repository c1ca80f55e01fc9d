"""CI's ratio check re-measures a case over the margin once, and fails only when it is over twice.

The calls themselves are replaced by canned ratios: this checks the verdict, never a timing.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip(
    "langchain_openai", reason="the benchmark dependency group (langchain-openai) is not installed"
)

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def check_ratios(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    module = importlib.import_module("check_ratios")
    monkeypatch.setattr(module, "canned_server", _no_server)
    monkeypatch.setattr(module.cases, "build", _no_calls)
    return module


@contextmanager
def _no_server() -> Iterator[str]:
    yield "http://127.0.0.1:9/api/v1"


@contextmanager
def _no_calls(base_url: str, contenders: tuple[str, ...]) -> Iterator[dict[str, dict[str, Any]]]:
    del base_url
    # Each "call" is its case's name, so the fake measurement below knows which case it measures.
    yield {case: dict.fromkeys(contenders, case) for case in sys.modules["cases"].CASES}


def _measured(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, ratios: dict[str, list[float]]
) -> list[str]:
    """Every case measures 0.5x except those in `ratios`, which measure their list in turn."""
    asked: list[str] = []
    queue = {case: list(values) for case, values in ratios.items()}

    def fake_alternate(pair: dict[str, Any], rounds: int, sample: float) -> dict[str, list[float]]:
        del sample
        case = pair["ChatMavera"]
        ratio = queue[case].pop(0) if queue.get(case) else 0.5
        asked.append(case)
        return {"ChatMavera": [ratio] * rounds, "raw": [1.0] * rounds}

    monkeypatch.setattr(module.cases, "alternate", fake_alternate)
    return asked


def test_a_case_over_the_margin_once_is_measured_again_and_passes(
    check_ratios: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _measured(monkeypatch, check_ratios, {"ainvoke": [1.25, 0.9]})
    assert check_ratios.main(["--rounds", "3"]) == 0
    out = capsys.readouterr().out
    assert "1.25x, again 0.90x  ok" in out


def test_a_case_over_the_margin_twice_fails_and_prints_both(
    check_ratios: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _measured(monkeypatch, check_ratios, {"image_5mb": [1.6, 1.55]})
    assert check_ratios.main(["--rounds", "3"]) == 1
    out = capsys.readouterr().out
    assert "1.60x, again 1.55x  FAIL" in out
    assert out.rstrip().endswith("twice, on: image_5mb")


def test_a_case_within_the_margin_is_measured_once(
    check_ratios: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _measured(monkeypatch, check_ratios, {})
    assert check_ratios.main(["--rounds", "3"]) == 0
    assert asked == list(check_ratios.cases.CASES)
