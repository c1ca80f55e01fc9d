"""`PersonaSurvey`: many questions (and variants) asked of many personas, paced, stored and resumable.

Each cell (question x variant x persona) is one call. Every answer is written to
an SQLite store as it arrives, so re-running the same survey on the same store
sends only the cells still missing: a crash or Ctrl-C costs at most the calls
that were in flight. Sends are paced at the key's rate limit, learnt from the
`X-RateLimit-*` headers, and a credit budget stops the run before it is exceeded.

Run `python -m langchain_mavera.survey --help` (or `mavera-survey`) for the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from langchain_mavera.chat_models import ChatMavera
from langchain_mavera.panel.persona_panel import PersonaPanel
from langchain_mavera.panel.results import PanelSeat
from langchain_mavera.survey._plan import _SETTINGS, SurveyPlan, _Cell, _checked
from langchain_mavera.survey._runner import _Run
from langchain_mavera.survey._store import SurveyStore, cell_key
from langchain_mavera.survey.results import SurveyResult

__all__ = ["PersonaSurvey"]


class PersonaSurvey(BaseModel):
    """Ask every question (x every variant) of every persona; store, pace and resume.

    Setup:
        ```python
        from langchain_mavera import ChatMavera, PersonaSurvey

        survey = PersonaSurvey(
            model=ChatMavera(max_tokens=200),
            questions=["Would you pay $4 more for refillable packaging?", "How does '{variant}' sound?"],
            variants=["Refill, don't landfill", "Clean hands, clear conscience"],
            personas=["Gen Z Consumer", "SaaS CMO", "clx3mpa7k0003ghijkl345678"],
            store="refill.sqlite",  # every answer lands here as it arrives
            max_credits=500,  # stop before spending more
        )
        ```
        With `variants`, each question is asked once per variant: `{variant}` in the
        question is replaced by it, otherwise the variant follows the question.

    Run:
        ```python
        result = survey.run()  # or: await survey.arun()
        print(len(result.succeeded), result.total_credits, result.stopped)
        # 12 36.0 None  (2 questions x 2 variants x 3 personas, on the local emulator)
        result.to_pandas()  # one row per cell
        result.to_csv("refill.csv")
        result.plot_heatmap("confidence", path="confidence.png")
        result.plot_biases(path="biases.png")
        ```
        Running again with the same store sends only the cells still missing.
        Persona names are checked before any billed call: an unknown one raises
        `MaveraPersonaLookupError`.
    """

    # An error never echoes its input: a key passed here by mistake would show in it.
    # A misspelt setting (`max_credit=...`) is refused: ignored, it would run with no budget.
    model_config = ConfigDict(arbitrary_types_allowed=True, hide_input_in_errors=True, extra="forbid")

    model: ChatMavera
    """The model every cell is asked through; its settings apply to each call and to each cell's key."""
    questions: list[str] = Field(min_length=1)
    personas: list[str] = Field(min_length=1)
    """Persona names or ids (resolved like `PersonaPanel` resolves them)."""
    variants: list[str] | None = None
    """Optional variants of the message (taglines, prices, ...): each question is asked once per variant."""
    store: str | Path | None = None
    """SQLite file holding every answer; None keeps answers in memory only (no resume)."""
    max_concurrency: int = Field(default=8, ge=1)
    """Most calls in flight at once; raise it when calls are slow and the limit is high."""
    requests_per_minute: float | None = Field(default=None, gt=0)
    """The key's limit when known; otherwise learnt from the first answer's `X-RateLimit-Limit`."""
    rate_limit_window: float = Field(default=60.0, gt=0)
    """Seconds the limit applies to (Mavera's limits are per minute)."""
    max_credits: float | None = Field(default=None, ge=0)
    """Stop before the credits charged for this survey's cells (all runs) would exceed this."""
    remaining_credits: Callable[[], float | None] | None = None
    """Optional: returns the account's remaining credits (e.g. from `GET /usage`); the run stops
    before asking a cell that could not be paid for. Checked at the start and every 25 answers."""
    analysis_mode: bool = True
    """Ask each persona for an analysis (confidence, emotion, biases)."""
    retry_failed: bool = True
    """On a re-run, ask again the cells that failed before."""
    resend_in_doubt: bool = True
    """On a re-run, ask again the cells that were in flight when a run died. The server may have
    answered (and charged) them; False reports them as `in_doubt` instead."""
    rate_limit_retries: int = Field(default=5, ge=0)
    """How often a cell refused with 429 is queued again (after `Retry-After`) before it fails."""
    progress: bool | None = None
    """Show a tqdm progress bar: True always (needs tqdm), False never, None when tqdm is installed."""

    _persona_panel: PersonaPanel | None = PrivateAttr(default=None)

    @field_validator("questions", "personas", "variants")
    @classmethod
    def _distinct_texts(cls, values: list[str] | None) -> list[str] | None:
        if values is None:
            return None
        if any(not isinstance(value, str) or not value.strip() for value in values):
            msg = "questions, personas and variants must be non-empty strings."
            raise ValueError(msg)
        return list(dict.fromkeys(values))

    @field_validator("store")
    @classmethod
    def _store_folder_exists(cls, store: str | Path | None) -> str | Path | None:
        if store is not None and str(store) != ":memory:" and not Path(store).parent.is_dir():
            msg = f"store: the folder of {str(store)!r} does not exist; create it or choose another path."
            raise ValueError(msg)
        return store

    # -- running -------------------------------------------------------------------------------

    def run(self) -> SurveyResult:
        """Ask every cell not answered yet (threads, `max_concurrency` at a time) and return them all."""
        panel = self._panel()
        plan = self._plan(panel.resolve_personas())
        store = self._open_store()
        try:
            run = _Run(plan, store)
            run.execute()
            return run.result()
        finally:
            store.close()

    async def arun(self) -> SurveyResult:
        """Async twin of `run`: calls run on the event loop, `max_concurrency` at a time."""
        panel = self._panel()
        plan = self._plan(await panel.aresolve_personas())
        store = self._open_store()
        try:
            run = _Run(plan, store)
            await run.aexecute()
            return run.result()
        finally:
            store.close()

    def check_personas(self) -> list[tuple[str, str]]:
        """Resolve every persona (one free `GET /personas`) to `(id, name)`, before any billed call.

        Raises `MaveraPersonaLookupError` naming each persona that cannot be found.
        """
        return [(seat.id, seat.name) for seat in _checked(self._panel().resolve_personas())]

    def _panel(self) -> PersonaPanel:
        # Kept, so names resolved once (e.g. by check_personas) are not looked up again.
        if self._persona_panel is None or self._persona_panel.personas != self.personas:
            self._persona_panel = PersonaPanel(model=self.model, personas=self.personas)
        return self._persona_panel

    def _open_store(self) -> SurveyStore:
        return SurveyStore(self.store if self.store is not None else ":memory:")

    def _settings(self) -> dict[str, Any]:
        settings = self.model.model_dump(include=set(_SETTINGS), exclude_none=True)
        settings["analysis_mode"] = self.analysis_mode or self.model.analysis_mode
        if self.model.persona_id:
            settings["default_persona"] = self.model.persona_id
        return settings

    def _plan(self, seats: Sequence[PanelSeat]) -> SurveyPlan:
        """Every cell in question, variant, persona order, and this run's limits, fixed now.

        Unknown personas fail here, unbilled.
        """
        seats = _checked(seats)
        settings = self._settings()
        variants: list[str | None] = list(self.variants) if self.variants else [None]
        cells = tuple(
            _Cell(cell_key(question, variant, seat.id, settings), question, variant, seat.id, seat.name)
            for question in self.questions
            for variant in variants
            for seat in seats
        )
        return SurveyPlan(
            cells=cells,
            model=self.model,
            max_concurrency=self.max_concurrency,
            requests_per_minute=self.requests_per_minute,
            rate_limit_window=self.rate_limit_window,
            max_credits=self.max_credits,
            remaining_credits=self.remaining_credits,
            analysis_mode=self.analysis_mode,
            retry_failed=self.retry_failed,
            resend_in_doubt=self.resend_in_doubt,
            rate_limit_retries=self.rate_limit_retries,
            progress=self.progress,
        )
