"""A survey's results as a DataFrame, a CSV file and plots; clear errors when an extra is missing."""

from __future__ import annotations

import builtins
import csv
from pathlib import Path
from typing import Any

import matplotlib
import pytest

from langchain_mavera import ChatMavera, PersonaSurvey
from langchain_mavera.survey.results import COLUMNS
from tests.emulator import Emulator, Fault

pytestmark = pytest.mark.loopback

matplotlib.use("Agg")

PERSONAS = ["Gen Z Consumer", "SaaS CMO", "Rural Farmer"]
QUESTIONS = ["Would you pay more for refillable soap?", "Would you switch brands for it?"]


@pytest.fixture
def result(emu: Emulator, model: ChatMavera) -> Any:
    emu.faults.push(Fault("status", status=400, message="Bad question", code="invalid_request"))
    survey = PersonaSurvey(
        model=model, questions=QUESTIONS, personas=PERSONAS, max_concurrency=1, progress=False
    )
    return survey.run()


def test_to_pandas_has_one_row_per_cell(result: Any) -> None:
    frame = result.to_pandas()
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 6
    assert frame["persona"].tolist() == PERSONAS * 2
    failed = frame[frame["status"] == "failed"]
    assert len(failed) == 1
    assert "Bad question" in failed["error"].iloc[0]
    done = frame[frame["status"] == "done"]
    assert done["confidence"].notna().all()
    assert done["valence"].notna().all()
    assert done["credits"].gt(0).all()
    assert done["answer"].str.len().gt(0).all()


def test_to_csv_round_trips(result: Any, tmp_path: Path) -> None:
    path = result.to_csv(tmp_path / "out.csv")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6
    assert list(rows[0]) == list(COLUMNS)
    assert rows[1]["persona"] == "SaaS CMO"
    assert float(rows[1]["confidence"]) == result.answers[1].analysis.confidence


def test_plots_of_a_survey(result: Any, tmp_path: Path) -> None:
    ax = result.plot_heatmap("valence", path=tmp_path / "heat.png")
    assert (tmp_path / "heat.png").stat().st_size > 5_000
    assert ax.images[0].get_array().shape == (3, 2)
    assert ax.images[0].get_array().mask.sum() == 1  # the failed cell
    bars = result.plot_biases(path=tmp_path / "biases.png")
    assert (tmp_path / "biases.png").stat().st_size > 5_000
    assert bars.get_legend() is not None


@pytest.mark.parametrize(("module", "call"), [("pandas", "to_pandas"), ("matplotlib", "plot_heatmap")])
def test_missing_extra_names_the_install_command(
    result: Any, monkeypatch: pytest.MonkeyPatch, module: str, call: str
) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == module:
            raise ImportError(f"No module named {module!r}")
        return real_import(name, *args, **kwargs)

    import importlib

    monkeypatch.setattr(importlib, "import_module", lambda name, package=None: fake_import(name))
    with pytest.raises(ImportError, match=r"pip install 'langchain-mavera\[survey\]'"):
        getattr(result, call)()


def test_progress_true_without_tqdm_is_a_clear_error(
    model: ChatMavera, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def no_tqdm(name: str, package: str | None = None) -> Any:
        if name.startswith("tqdm"):
            raise ImportError("No module named 'tqdm'")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_tqdm)
    survey = PersonaSurvey(model=model, questions=QUESTIONS[:1], personas=PERSONAS[:1], progress=True)
    with pytest.raises(ImportError, match="progress bar needs tqdm"):
        survey.run()


def test_progress_bar_counts_cells_and_credits(
    emu: Emulator, model: ChatMavera, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = PersonaSurvey(model=model, questions=QUESTIONS, personas=PERSONAS[:1], progress=True)
    survey.run()
    err = capsys.readouterr().err
    assert "2/2" in err
    assert "credits=" in err
    silent = PersonaSurvey(model=model, questions=QUESTIONS[:1], personas=PERSONAS[:1], progress=False)
    silent.run()
    assert capsys.readouterr().err == ""
