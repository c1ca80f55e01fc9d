"""A survey's answers: one typed row per cell, exported as records, CSV or charts."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from langchain_mavera import _extras
from langchain_mavera.analysis import MaveraAnalysis
from langchain_mavera.survey._csv_safety import neutralised

__all__ = ["COLUMNS", "CellStatus", "SurveyAnswer", "SurveyResult"]


CellStatus = Literal["done", "failed", "in_doubt", "pending"]

COLUMNS = (
    "question",
    "variant",
    "persona",
    "persona_id",
    "answer",
    "confidence",
    "valence",
    "arousal",
    "dominance",
    "biases",
    "credits",
    "error",
    "status",
)
"""The columns of `SurveyResult.to_pandas()` and `to_csv()`, in order."""


class SurveyAnswer(BaseModel):
    """One cell of a survey: a persona's answer to one question (and variant), or why it has none."""

    model_config = ConfigDict(frozen=True)

    question: str
    variant: str | None = None
    persona_id: str
    persona_name: str
    status: CellStatus
    """`done`; `failed` (see `error`); `in_doubt` (in flight when a run died and not re-sent);
    `pending` (not asked: the budget stopped the run first)."""
    answer: str | None = None
    analysis: MaveraAnalysis | None = None
    credits: float | None = None
    error: str | None = None
    attempts: int = 0
    """Requests sent for this cell over every run (429s and retries included)."""
    note: str | None = None
    """What was changed to store a `done` answer (lone surrogates replaced), else None."""

    def to_record(self) -> dict[str, Any]:
        """The cell as one flat row (the `to_pandas` columns); biases joined by `; `."""
        analysis = self.analysis
        emotion = analysis.emotion if analysis else None
        biases = list(dict.fromkeys(b.name for b in analysis.biases if b.name)) if analysis else []
        return {
            "question": self.question,
            "variant": self.variant,
            "persona": self.persona_name,
            "persona_id": self.persona_id,
            "answer": self.answer,
            "confidence": analysis.confidence if analysis else None,
            "valence": emotion.emotional_valence if emotion else None,
            "arousal": emotion.arousal if emotion else None,
            "dominance": emotion.dominance if emotion else None,
            "biases": "; ".join(biases),
            "credits": self.credits,
            "error": self.error,
            "status": self.status,
        }


class SurveyResult(BaseModel):
    """Every cell of a survey, in question, variant, persona order."""

    model_config = ConfigDict(frozen=True)

    answers: list[SurveyAnswer] = Field(default_factory=list)
    stopped: str | None = None
    """Why the run stopped before asking every cell (the credit budget), else None."""
    asked: int = 0
    """Cells this run sent requests for; the others were already in the store (or not asked)."""
    credits_this_run: float = 0
    """Credits charged for the answers that arrived during this run."""

    @property
    def succeeded(self) -> list[SurveyAnswer]:
        """The answers that are done."""
        return [answer for answer in self.answers if answer.status == "done"]

    @property
    def failed(self) -> list[SurveyAnswer]:
        """The answers that failed, or whose outcome is in doubt."""
        return [answer for answer in self.answers if answer.status in ("failed", "in_doubt")]

    @property
    def pending(self) -> list[SurveyAnswer]:
        """The answers not yet asked."""
        return [answer for answer in self.answers if answer.status == "pending"]

    @property
    def total_credits(self) -> float:
        """Credits used by every answer that reported them."""
        return sum(answer.credits for answer in self.answers if answer.credits is not None)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per answer (for a DataFrame or a CSV file)."""
        return [answer.to_record() for answer in self.answers]

    def to_pandas(self) -> Any:
        """A `pandas.DataFrame`, one row per cell (columns: `COLUMNS`). Needs pandas."""
        pandas = _extras.require("pandas", "SurveyResult.to_pandas()")
        return pandas.DataFrame(self.to_records(), columns=list(COLUMNS))

    def to_csv(self, path: str | Path, *, escape_formulas: bool = True) -> Path:
        """Write one row per cell to a UTF-8 CSV file (no pandas needed); returns the path.

        A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written
        with a leading `'`, so a spreadsheet shows it rather than running it as a formula
        (answers are model output); `escape_formulas=False` writes every cell verbatim.
        """
        target = Path(path)
        records = self.to_records()
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(neutralised(records) if escape_formulas else records)
        return target

    def plot_heatmap(
        self, metric: str = "confidence", *, path: str | Path | None = None, ax: Any = None
    ) -> Any:
        """Persona x question heatmap of `metric` (confidence, valence, arousal or dominance).

        Draws on `ax` when given, else on a new figure; saves to `path` when given.
        Returns the matplotlib Axes. Needs matplotlib.
        """
        from langchain_mavera import plots

        return plots.score_heatmap(self.to_records(), metric, path=path, ax=ax)

    def plot_biases(self, *, path: str | Path | None = None, ax: Any = None) -> Any:
        """How many answers of each persona name each bias, as stacked bars. Needs matplotlib."""
        from langchain_mavera import plots

        return plots.bias_frequency(self.to_records(), path=path, ax=ax)
