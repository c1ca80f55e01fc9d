"""What a `PersonaPanel` returns: each persona's `PanelAnswer`, the `PanelResult` that adds them up.

They need no model, so code that reads a result (the tools' summaries, the survey, the charts)
imports them without the panel and the `ChatMavera` behind it, whose `as_tool()` imports the tools.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ConfigDict, Field

from langchain_mavera._credits import charge, format_credits
from langchain_mavera.analysis import MaveraAnalysis, get_analysis

__all__ = ["PanelAnswer", "PanelResult", "PanelSeat", "Spread"]


class PanelSeat(BaseModel):
    """A panel member resolved to an id and a display name, or the error resolving it.

    `PersonaPanel.resolve_personas()` returns these. `list_error` is set when the persona list
    could not be fetched, so an id was kept without being checked (the call itself will tell).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    name: str
    error: Exception | None = None
    list_error: Exception | None = None
    """Why the persona list could not be fetched, for an id kept unchecked (the call will tell)."""
    index: int = 0
    """Position in the panel for this call (set when seated, as the panel's list may change)."""


class Spread(BaseModel):
    """Mean and population standard deviation of one score across the panel."""

    model_config = ConfigDict(frozen=True)

    mean: float
    stdev: float
    """Population standard deviation (the panel is the whole population asked); 0 for one value."""
    count: int
    """How many answers reported the score."""

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread | None:
        """The spread of `values`, or None when there are none."""
        if not values:
            return None
        return cls(mean=statistics.fmean(values), stdev=statistics.pstdev(values), count=len(values))

    def __str__(self) -> str:
        return f"{self.mean:.2f} ± {self.stdev:.2f} (n={self.count})"


class PanelAnswer(BaseModel):
    """One persona's answer, or the error that stopped it.

    Adding answers (or an answer to a `PanelResult`) gives a `PanelResult`, so a
    stream of answers aggregates like message chunks do.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    persona_id: str
    persona_name: str
    message: BaseMessage | None = None
    analysis: MaveraAnalysis | None = None
    credits: int | float | None = None
    """`response_metadata["credits_used"]` of the answer, as sent (an integer in the docs); 0 when cached."""
    cached: bool = False
    """True when the answer was replayed from an LLM cache (no request, no credits)."""
    error: Exception | None = None
    """Why this persona has no answer; the other personas' answers are unaffected."""
    seat: int | None = None
    """Position of the persona in the panel (its distinct `personas`), so answers that
    arrive in any order add up in the panel's order; None for an answer built by hand."""

    @property
    def ok(self) -> bool:
        """True when the persona answered."""
        return self.error is None

    @property
    def text(self) -> str:
        """The answer's text, or "" when the persona failed."""
        return self.message.text if self.message is not None else ""

    @classmethod
    def answered(cls, persona: PanelSeat, message: BaseMessage) -> PanelAnswer:
        """The answer of a persona that replied."""
        cached = message.response_metadata.get("cached") is True
        credits = 0 if cached else message.response_metadata.get("credits_used")
        return cls(
            persona_id=persona.id,
            persona_name=persona.name,
            message=message,
            analysis=get_analysis(message),
            credits=charge(credits),
            cached=cached,
            seat=persona.index,
        )

    @classmethod
    def failed(cls, persona: PanelSeat, error: Exception) -> PanelAnswer:
        """The answer of a persona whose call failed, keeping the error."""
        return cls(persona_id=persona.id, persona_name=persona.name, error=error, seat=persona.index)

    def __add__(self, other: PanelAnswer | PanelResult) -> PanelResult:
        return PanelResult(answers=[self]) + other


class PanelResult(BaseModel):
    """Every persona's answer plus aggregate views across the panel."""

    model_config = ConfigDict(frozen=True)

    answers: list[PanelAnswer] = Field(default_factory=list)

    def __add__(self, other: PanelAnswer | PanelResult) -> PanelResult:
        more = [other] if isinstance(other, PanelAnswer) else other.answers
        return PanelResult(answers=in_seat_order([*self.answers, *more]))

    @property
    def succeeded(self) -> list[PanelAnswer]:
        """The answers that arrived."""
        return [answer for answer in self.answers if answer.ok]

    @property
    def failed(self) -> list[PanelAnswer]:
        """The answers whose calls failed."""
        return [answer for answer in self.answers if not answer.ok]

    @property
    def confidence(self) -> Spread | None:
        """Mean and spread of `analysis.confidence` over the answers that report it."""
        return Spread.of(
            [a.analysis.confidence for a in self.answers if a.analysis and a.analysis.confidence is not None]
        )

    @property
    def valence(self) -> Spread | None:
        """Mean and spread of `analysis.emotion.emotional_valence`."""
        values = [
            a.analysis.emotion.emotional_valence
            for a in self.answers
            if a.analysis and a.analysis.emotion and a.analysis.emotion.emotional_valence is not None
        ]
        return Spread.of(values)

    @property
    def bias_counts(self) -> dict[str, int]:
        """In how many answers each bias appears, most frequent first."""
        counts: Counter[str] = Counter()
        for answer in self.answers:
            if answer.analysis:
                counts.update({bias.name for bias in answer.analysis.biases if bias.name})
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    @property
    def total_credits(self) -> int | float:
        """Credits charged across the panel (failed answers report none)."""
        return sum(answer.credits for answer in self.answers if answer.credits is not None)

    def plot_heatmap(
        self, metric: str = "confidence", *, question: str = "", path: Any = None, ax: Any = None
    ) -> Any:
        """Persona x question heatmap of `metric`, as for a survey (one column: `question`)."""
        from langchain_mavera import plots

        records = plots.panel_records(self, question or "answer")
        return plots.score_heatmap(records, metric, path=path, ax=ax)

    def plot_biases(self, *, path: Any = None, ax: Any = None) -> Any:
        """How many answers of each persona name each bias, as stacked bars (needs matplotlib)."""
        from langchain_mavera import plots

        return plots.bias_frequency(plots.panel_records(self, ""), path=path, ax=ax)

    def to_markdown(self, max_chars: int = 160) -> str:
        """A side-by-side Markdown table, one row per persona, and a summary line.

        Args:
            max_chars: Answers longer than this are cut, with an ellipsis.
        """
        rows = ["| Persona | Answer | Confidence | Valence | Biases | Credits |", "|---|---|---|---|---|---|"]
        rows += [_row(answer, max_chars) for answer in self.answers]
        return "\n".join(rows) + "\n\n" + self._summary()

    def _summary(self) -> str:
        parts = [f"**Panel:** {len(self.succeeded)} answered, {len(self.failed)} failed"]
        if self.confidence:
            parts.append(f"confidence {self.confidence}")
        if self.valence:
            parts.append(f"valence {self.valence}")
        parts.append(f"credits {format_credits(self.total_credits)}")
        if self.bias_counts:
            parts.append(
                "biases: " + ", ".join(f"{name} x{count}" for name, count in self.bias_counts.items())
            )
        return " · ".join(parts)


def _cell(text: str, max_chars: int) -> str:
    """One table cell: on one line, cut to `max_chars`, pipes escaped after cutting."""
    flat = " ".join(text.split())
    if len(flat) > max_chars:
        flat = flat[: max_chars - 1].rstrip() + "…"
    return flat.replace("|", "\\|")


def _score(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _row(answer: PanelAnswer, max_chars: int) -> str:
    if answer.error is not None:
        error = _cell(f"error: {type(answer.error).__name__}: {answer.error}", max_chars)
        return f"| {_cell(answer.persona_name, 40)} | {error} | - | - | - | - |"
    analysis = answer.analysis
    confidence = analysis.confidence if analysis else None
    valence = analysis.emotion.emotional_valence if analysis and analysis.emotion else None
    biases = ", ".join(dict.fromkeys(b.name for b in analysis.biases if b.name)) if analysis else ""
    cells = [
        _cell(answer.persona_name, 40),
        _cell(answer.text, max_chars),
        _score(confidence),
        _score(valence),
        _cell(biases, 60) or "-",
        format_credits(answer.credits),
    ]
    return "| " + " | ".join(cells) + " |"


def in_seat_order(answers: list[PanelAnswer]) -> list[PanelAnswer]:
    """Answers in the panel's order rather than in order of arrival; unseated ones last, as given."""
    return sorted(answers, key=lambda answer: (answer.seat is None, answer.seat or 0))
