"""Charts of survey and panel answers: a persona x question heatmap and bias frequency per persona.

Both take flat records (the rows of `SurveyResult.to_records()`), draw on a
given matplotlib Axes or on a new Figure, and save to a file when asked. New
figures are built without pyplot, so nothing here opens a window or needs a
GUI backend. matplotlib is an optional extra, imported on first use.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_mavera import _extras

if TYPE_CHECKING:
    from langchain_mavera.panel.results import PanelResult

__all__ = ["METRICS", "bias_frequency", "panel_records", "score_heatmap"]

METRICS = ("confidence", "valence", "arousal", "dominance")
"""Scores a heatmap can show (analysis confidence and the emotion's three dimensions)."""

Record = Mapping[str, Any]


def score_heatmap(
    records: Sequence[Record],
    metric: str = "confidence",
    *,
    path: str | Path | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Persona (rows) x question (columns) heatmap of the mean `metric`, each cell labelled.

    Columns are questions, or question and variant when a survey has variants.
    A cell without a score is left blank. Returns the Axes.
    """
    if metric not in METRICS:
        msg = f"metric must be one of {', '.join(METRICS)}; got {metric!r}."
        raise ValueError(msg)
    personas = _distinct(str(r["persona"]) for r in records)
    columns = _distinct(_column(r) for r in records)
    grid = [[_mean(records, persona, column, metric) for column in columns] for persona in personas]
    ax = _axes(ax, width=2.0 + 1.6 * len(columns), height=1.4 + 0.6 * len(personas))
    masked = _extras.require("numpy", "Survey plots").ma.masked_invalid(grid)
    image = ax.imshow(masked, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(columns)), [_wrap(c) for c in columns], fontsize=8)
    ax.set_yticks(range(len(personas)), personas, fontsize=9)
    ax.set_xlabel("Question")
    ax.set_ylabel("Persona")
    for row, values in enumerate(grid):
        for col, value in enumerate(values):
            if not math.isnan(value):
                dark = float(image.norm(value)) > 0.6  # viridis turns yellow: write in black there
                color = "black" if dark else "white"
                ax.text(col, row, f"{value:.1f}", ha="center", va="center", color=color, fontsize=9)
    ax.figure.colorbar(image, ax=ax, label=metric)
    ax.set_title(title or f"Mean {metric} by persona and question")
    return _finish(ax, path)


def bias_frequency(
    records: Sequence[Record],
    *,
    path: str | Path | None = None,
    ax: Any = None,
    top: int = 8,
    title: str | None = None,
) -> Any:
    """Stacked horizontal bars: per persona, how many answers name each of the `top` biases."""
    personas = _distinct(str(r["persona"]) for r in records)
    counts = {persona: Counter[str]() for persona in personas}
    for record in records:
        counts[str(record["persona"])].update(_biases(record))
    overall = sum(counts.values(), Counter[str]())
    biases = [name for name, _ in sorted(overall.items(), key=lambda item: (-item[1], item[0]))[:top]]
    ax = _axes(ax, width=9.0, height=1.6 + 0.5 * len(personas))
    left = [0] * len(personas)
    for bias in biases:
        widths = [counts[persona][bias] for persona in personas]
        ax.barh(personas, widths, left=left, label=bias)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()  # first persona on top, as in the heatmap
    ax.set_xlabel("Answers naming the bias")
    ax.set_ylabel("Persona")
    if biases:
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), title="Bias")
    ax.set_title(title or "Cognitive biases by persona")
    return _finish(ax, path)


def panel_records(result: PanelResult, question: str) -> list[dict[str, Any]]:
    """A panel's answers as plot records, every answer under one `question` column."""
    rows = []
    for answer in result.answers:
        analysis = answer.analysis
        emotion = analysis.emotion if analysis else None
        rows.append(
            {
                "question": question,
                "variant": None,
                "persona": answer.persona_name,
                "confidence": analysis.confidence if analysis else None,
                "valence": emotion.emotional_valence if emotion else None,
                "arousal": emotion.arousal if emotion else None,
                "dominance": emotion.dominance if emotion else None,
                "biases": "; ".join(dict.fromkeys(b.name for b in analysis.biases if b.name))
                if analysis
                else "",
            }
        )
    return rows


def _distinct(values: Any) -> list[str]:
    return list(dict.fromkeys(values))


def _column(record: Record) -> str:
    variant = record.get("variant")
    return f"{record['question']} [{variant}]" if variant else str(record["question"])


def _mean(records: Sequence[Record], persona: str, column: str, metric: str) -> float:
    values = [
        float(r[metric])
        for r in records
        if r["persona"] == persona and _column(r) == column and isinstance(r.get(metric), int | float)
    ]
    return sum(values) / len(values) if values else math.nan


def _biases(record: Record) -> list[str]:
    raw = record.get("biases") or ""
    names = raw.split(";") if isinstance(raw, str) else list(raw)
    return list(dict.fromkeys(name.strip() for name in names if name and name.strip()))


def _wrap(text: str, width: int = 22, lines: int = 3) -> str:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = [*out[: lines - 1], out[lines - 1][: width - 1] + "…"]
    return "\n".join(out)


def _axes(ax: Any, *, width: float, height: float) -> Any:
    if ax is not None:
        return ax
    figure = _extras.require("matplotlib.figure", "Survey plots").Figure(
        figsize=(min(width, 16.0), min(height, 12.0)), layout="constrained"
    )
    return figure.add_subplot()


def _finish(ax: Any, path: str | Path | None) -> Any:
    if path is not None:
        ax.figure.savefig(path, dpi=120)
    return ax
