"""What a survey asks: its cells, the settings it is keyed by, and the personas checked against the list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from langchain_mavera.errors import MaveraPersonaLookupError

if TYPE_CHECKING:
    from collections.abc import Callable

    from langchain_mavera.chat_models import ChatMavera
    from langchain_mavera.panel.results import PanelSeat

_SETTINGS = (
    "model_name",
    "reasoning_effort",
    "verbosity",
    "temperature",
    "max_tokens",
    "stop",
    "extra_body",
    "use_responses_api",
)
"""The model fields that change an answer; they are part of every cell's key."""


@dataclass(frozen=True)
class _Cell:
    key: str
    question: str
    variant: str | None
    persona_id: str
    persona_name: str

    @property
    def prompt(self) -> str:
        if self.variant is None:
            return self.question
        if "{variant}" in self.question:
            return self.question.replace("{variant}", self.variant)
        return f"{self.question}\n\n{self.variant}"


@dataclass(frozen=True)
class SurveyPlan:
    """What one run asks and under which limits, fixed when the run starts.

    The runner reads this, not the survey: a survey changed while it runs (its `max_credits`
    lowered from a callback, say) changes the next run, never the one in flight.
    """

    cells: tuple[_Cell, ...]
    model: ChatMavera
    max_concurrency: int
    requests_per_minute: float | None
    rate_limit_window: float
    max_credits: float | None
    remaining_credits: Callable[[], float | None] | None
    analysis_mode: bool
    retry_failed: bool
    resend_in_doubt: bool
    rate_limit_retries: int
    progress: bool | None


_NOT_LISTED = "No persona with id {!r} among the personas this API key can list."


def _checked(seats: Sequence[PanelSeat]) -> list[PanelSeat]:
    """The resolved personas, each once (a name and its id are one persona), or the lookup error."""
    # An id that could not be checked because the list itself failed (a bad key, an outage): the
    # server's own error says why, where "not among your personas" would blame the persona.
    unchecked = [seat.list_error for seat in seats if seat.error is None and seat.list_error is not None]
    if unchecked:
        raise unchecked[0]
    # An id the persona list does not hold would fail in every cell, so it is refused up front too.
    unknown = [
        seat.model_copy(update={"error": MaveraPersonaLookupError(seat.id, _NOT_LISTED.format(seat.id), [])})
        for seat in seats
        if seat.error is None and seat.name == seat.id
    ]
    failures = [seat for seat in seats if seat.error is not None] + unknown
    if failures:
        raise _lookup_error(failures)
    return list({seat.id: seat for seat in seats}.values())


def _lookup_error(failures: list[PanelSeat]) -> Exception:
    if len(failures) == 1 and failures[0].error is not None:
        return failures[0].error
    message = "Some personas could not be found: " + " ".join(str(seat.error) for seat in failures)
    return MaveraPersonaLookupError(", ".join(seat.name for seat in failures), message, [])
