"""Survey and panel plots, rendered to PNG files with the Agg backend and checked for content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import pytest

from langchain_mavera import PanelAnswer, PanelResult
from langchain_mavera.analysis import MaveraAnalysis
from langchain_mavera.plots import bias_frequency, score_heatmap

matplotlib.use("Agg")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def record(
    persona: str, question: str, confidence: float | None, biases: str = "", **extra: Any
) -> dict[str, Any]:
    return {
        "persona": persona,
        "question": question,
        "variant": None,
        "confidence": confidence,
        "valence": extra.get("valence"),
        "arousal": None,
        "dominance": None,
        "biases": biases,
    }


RECORDS = [
    record("Gen Z Consumer", "Q1?", 8, "anchoring; framing", valence=6),
    record("Gen Z Consumer", "Q2?", 6, "anchoring", valence=4),
    record("SaaS CMO", "Q1?", 4, "framing", valence=5),
    record("SaaS CMO", "Q2?", None, ""),  # failed cell: left blank
    record("Rural Farmer", "Q1?", 7, "status quo bias"),
    record("Rural Farmer", "Q2?", 9, "anchoring"),
]


def _png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 5_000


def test_heatmap_has_a_cell_per_persona_and_question(tmp_path: Path) -> None:
    path = tmp_path / "heat.png"
    ax = score_heatmap(RECORDS, "confidence", path=path)
    _png(path)
    assert ax.get_xlabel() == "Question"
    assert ax.get_ylabel() == "Persona"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Gen Z Consumer", "SaaS CMO", "Rural Farmer"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Q1?", "Q2?"]
    grid = ax.images[0].get_array()
    assert grid.shape == (3, 2)
    assert grid[0][0] == 8 and grid[2][1] == 9
    assert grid.mask[1][1]  # the failed cell has no score
    assert sorted(t.get_text() for t in ax.texts) == ["4.0", "6.0", "7.0", "8.0", "9.0"]
    assert ax.figure.axes[1].get_ylabel() == "confidence"  # the colour bar names the metric


def test_heatmap_of_valence_and_variants_as_columns(tmp_path: Path) -> None:
    rows = [
        {**record("A", "Tagline?", 5, valence=3), "variant": "v1"},
        {**record("A", "Tagline?", 5, valence=7), "variant": "v2"},
    ]
    ax = score_heatmap(rows, "valence", path=tmp_path / "v.png")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Tagline? [v1]", "Tagline? [v2]"]
    assert list(ax.images[0].get_array()[0]) == [3, 7]


def test_heatmap_refuses_an_unknown_metric() -> None:
    with pytest.raises(ValueError, match="metric must be one of confidence, valence"):
        score_heatmap(RECORDS, "mood")


def test_bias_frequency_stacks_each_bias_per_persona(tmp_path: Path) -> None:
    path = tmp_path / "biases.png"
    ax = bias_frequency(RECORDS, path=path)
    _png(path)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["anchoring", "framing", "status quo bias"]  # most frequent first
    assert len(ax.patches) == 3 * 3  # one bar per persona per bias
    widths = {(c.get_label(), i): bar.get_width() for c in ax.containers for i, bar in enumerate(c)}
    assert widths[("anchoring", 0)] == 2  # Gen Z named anchoring twice
    assert widths[("framing", 1)] == 1
    assert widths[("status quo bias", 2)] == 1
    assert ax.get_xlabel() == "Answers naming the bias"


def test_panel_result_has_the_same_plots(tmp_path: Path) -> None:
    def answer(name: str, seat: int, confidence: int, bias: str) -> PanelAnswer:
        analysis = MaveraAnalysis.model_validate({"confidence": confidence, "biases": [{"name": bias}]})
        return PanelAnswer(persona_id=f"id{seat}", persona_name=name, analysis=analysis, seat=seat)

    result = PanelResult(answers=[answer("Gen Z", 0, 7, "anchoring"), answer("CMO", 1, 3, "framing")])
    ax = result.plot_heatmap(question="Refill?", path=tmp_path / "panel.png")
    _png(tmp_path / "panel.png")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Refill?"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Gen Z", "CMO"]
    assert list(ax.images[0].get_array()[:, 0]) == [7, 3]
    bars = result.plot_biases(path=tmp_path / "panel_biases.png")
    assert [t.get_text() for t in bars.get_legend().get_texts()] == ["anchoring", "framing"]
