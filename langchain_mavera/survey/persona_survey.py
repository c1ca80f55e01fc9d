"""`PersonaSurvey`: many questions (and variants) asked of many personas, paced, stored and resumable.

Each cell (question x variant x persona) is one call. Every answer is written to
an SQLite store as it arrives, so re-running the same survey on the same store
sends only the cells still missing: a crash or Ctrl-C costs at most the calls
that were in flight. Sends are paced at the key's rate limit, learnt from the
`X-RateLimit-*` headers, and a credit budget stops the run before it is exceeded.

Run `python -m langchain_mavera.survey --help` (or `mavera-survey`) for the command line.
"""

from __future__ import annotations

import asyncio
import csv
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import BaseMessage
from langchain_core.runnables.config import ContextThreadPoolExecutor
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from langchain_mavera import _extras
from langchain_mavera.analysis import Analysis
from langchain_mavera.chat_models import ChatMavera
from langchain_mavera.errors import (
    MaveraBudgetExceededError,
    MaveraConnectionError,
    MaveraInsufficientCreditsError,
    MaveraPersonaLookupError,
    MaveraRateLimitError,
    MaveraServerError,
    MaveraTimeoutError,
)
from langchain_mavera.panel.persona_panel import PersonaPanel
from langchain_mavera.survey._budget import SurveyBudget
from langchain_mavera.survey._csv_safety import neutralised
from langchain_mavera.survey._pacing import Pacer
from langchain_mavera.survey._store import StoredCell, SurveyStore, cell_key
from langchain_mavera.survey._unsaved import store_write_error

__all__ = ["PersonaSurvey", "SurveyAnswer", "SurveyResult"]

CellStatus = Literal["done", "failed", "in_doubt", "pending"]

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
    analysis: Analysis | None = None
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
        cells = self._cells(panel.resolve_personas())
        store = self._open_store()
        try:
            run = _Run(self, store, cells)
            run.execute()
            return run.result()
        finally:
            store.close()

    async def arun(self) -> SurveyResult:
        """Async twin of `run`: calls run on the event loop, `max_concurrency` at a time."""
        panel = self._panel()
        cells = self._cells(await panel.aresolve_personas())
        store = self._open_store()
        try:
            run = _Run(self, store, cells)
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

    def _cells(self, seats: Sequence[Any]) -> list[_Cell]:
        """Every cell in question, variant, persona order; unknown personas fail here, unbilled."""
        seats = _checked(seats)
        settings = self._settings()
        variants: list[str | None] = list(self.variants) if self.variants else [None]
        return [
            _Cell(cell_key(question, variant, seat.id, settings), question, variant, seat.id, seat.name)
            for question in self.questions
            for variant in variants
            for seat in seats
        ]


_NOT_LISTED = "No persona with id {!r} among the personas this API key can list."


def _checked(seats: Sequence[Any]) -> list[Any]:
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


def _lookup_error(failures: list[Any]) -> Exception:
    if len(failures) == 1:
        return failures[0].error  # type: ignore[no-any-return]
    message = "Some personas could not be found: " + " ".join(str(seat.error) for seat in failures)
    return MaveraPersonaLookupError(", ".join(seat.name for seat in failures), message, [])


class _Run:
    """One execution of a survey: which cells to ask, the budget, the pacer and the progress bar."""

    _CHECK_REMAINING_EVERY = 25

    def __init__(self, survey: PersonaSurvey, store: SurveyStore, cells: list[_Cell]) -> None:
        self.survey = survey
        self.store = store
        self.cells = cells
        stored = store.cells()
        self.todo = [cell for cell in cells if self._should_ask(stored.get(cell.key))]
        self.spent = sum((stored[c.key].credits or 0.0) for c in cells if c.key in stored)
        self.cost = max((stored[c.key].credits or 0.0 for c in cells if c.key in stored), default=0.0)
        self.pacer = Pacer(survey.requests_per_minute, window=survey.rate_limit_window)
        self.stopped: str | None = None
        self._lock = threading.Lock()
        self._in_flight = 0
        self._answered = 0
        self._asked = 0
        self._spent_before = self.spent
        self._remaining: float | None = None
        self._checked_at: int | None = None
        self._progress = _progress_bar(survey.progress, total=len(cells), done=len(cells) - len(self.todo))
        # Retries are the survey's, so each one is paced, pauses every worker on a 429 and is counted.
        self.model = survey.model.model_copy(update={"max_retries": 0})
        self._retries = survey.model.max_retries
        self._transient: Counter[str] = Counter()
        # Set on Ctrl-C or a store failure: wakes every waiting worker, and none sends after it.
        self._halt = threading.Event()
        self._store_error: BaseException | None = None
        self._unsaved: list[dict[str, Any]] = []
        self.budget = SurveyBudget(survey.max_credits, self.spent, self.cost)

    def _should_ask(self, stored: StoredCell | None) -> bool:
        if stored is None:
            return True
        if stored.status == "failed":
            return self.survey.retry_failed
        if stored.status == "sending":
            return self.survey.resend_in_doubt
        return False

    # -- admission: budget and pacing ----------------------------------------------------------

    def _needs_probe(self) -> bool:
        """Ask one cell alone first while the limit or the cost of a cell is unknown."""
        budgeted = self.survey.max_credits is not None or self.survey.remaining_credits is not None
        return not self.pacer.knows_limit or (budgeted and self.cost == 0.0)

    def _admit(self) -> bool:
        """Claim a place for one more call, unless it could break the budget."""
        with self._lock:
            if self.stopped is not None:
                return False
            due = self._checked_at is None or self._answered >= self._checked_at + self._CHECK_REMAINING_EVERY
            if due and self.survey.remaining_credits is not None:
                self._remaining = self.survey.remaining_credits()
                self._checked_at = self._answered
            worst = (self._in_flight + 1) * self.cost
            if self._remaining is not None and worst > self._remaining:
                self.stopped = (
                    f"remaining credits: {self._remaining:g} left, a cell costs up to {self.cost:g}"
                )
                return False
            self._in_flight += 1
            return True

    def _count_asked(self) -> None:
        with self._lock:
            self._asked += 1

    def _release(self, credits: float | None) -> None:
        with self._lock:
            self._in_flight -= 1
            if credits is not None:
                self.spent += credits
                self.cost = max(self.cost, credits)
                if self._remaining is not None:
                    self._remaining -= credits

    # -- one cell ------------------------------------------------------------------------------

    def _kwargs(self, cell: _Cell) -> dict[str, Any]:
        extra = {"analysis_mode": True} if self.survey.analysis_mode else {}
        return {**extra, "persona_id": cell.persona_id}

    def _config(self, cell: _Cell) -> Any:
        return {"run_name": f"ChatMavera[{cell.persona_name}]", "metadata": {"survey_cell": cell.key}}

    def _settle(self, cell: _Cell, outcome: BaseMessage | BaseException, tries: int) -> bool:
        """Store the outcome of one attempt; True when the cell should be asked again (a 429)."""
        self.budget.settle(outcome)
        if isinstance(outcome, MaveraBudgetExceededError):  # a budget around the survey refused it
            self.store.mark_not_sent(cell.key)
            self._halt_now(self.budget.reason(outcome))
            self._release(None)
            return False
        if isinstance(outcome, BaseMessage):
            metadata = outcome.response_metadata
            credits = metadata.get("credits_used")
            # A charge is a number >= 0; NaN or a negative figure is no figure (it would lift the budget).
            if isinstance(credits, bool) or not isinstance(credits, int | float) or not credits >= 0:
                credits = None
            credits = float(credits) if credits is not None else None
            self.pacer.observe(metadata.get("rate_limit"))
            try:
                self.store.mark_done(cell.key, outcome.text, metadata.get("analysis"), credits)
            except sqlite3.Error as exc:
                self._keep_unsaved(cell, outcome, credits, exc)
            self._finish(credits)
            return False
        retry = isinstance(outcome, _TRANSIENT) and self._transient_retry(cell)
        if isinstance(outcome, MaveraRateLimitError) and tries <= self.survey.rate_limit_retries:
            self.pacer.back_off(outcome.retry_after)  # every worker waits, not only this one
            retry = True
        if not self._store_write(self.store.mark_failed, cell.key, _describe(outcome)) or retry:
            self._release(None)
            return retry and self._store_error is None
        if isinstance(outcome, MaveraInsufficientCreditsError):
            with self._lock:
                self.stopped = f"out of credits: {outcome}"
        self._finish(None)
        return False

    def _transient_retry(self, cell: _Cell) -> bool:
        """Whether a 5xx, timeout or lost connection is retried: as often as the model's `max_retries`."""
        with self._lock:
            self._transient[cell.key] += 1
            return self._transient[cell.key] <= self._retries

    def _finish(self, credits: float | None) -> None:
        self._release(credits)
        with self._lock:
            self._answered += 1
            spent = self.spent
        self._progress.update(1, spent)

    def _store_write(self, write: Callable[..., None], *args: Any) -> bool:
        """Run one store write; on failure stop the run at once (nothing more is sent) and say False."""
        try:
            write(*args)
        except sqlite3.Error as exc:
            self._halt_now(f"store write failed: {exc}", store_error=exc)
            return False
        return True

    def _keep_unsaved(self, cell: _Cell, outcome: BaseMessage, credits: float | None, exc: Exception) -> None:
        """A paid answer the store refused: kept for the typed error, and the run stops."""
        with self._lock:
            self._unsaved.append(
                {
                    "question": cell.question,
                    "variant": cell.variant,
                    "persona_id": cell.persona_id,
                    "persona_name": cell.persona_name,
                    "answer": outcome.text,
                    "analysis": outcome.response_metadata.get("analysis"),
                    "credits": credits,
                    "key": cell.key,
                }
            )
        self._halt_now(f"store write failed: {exc}", store_error=exc)

    def _halt_now(self, reason: str, *, store_error: BaseException | None = None) -> None:
        with self._lock:
            self.stopped = self.stopped or reason
            if store_error is not None and self._store_error is None:
                self._store_error = store_error
        self._halt.set()

    def _may_send(self, cell: _Cell) -> bool:
        """Mark the cell `sending` unless the run was halted while it waited for its slot."""
        if self._halt.is_set() or not self._store_write(
            self.store.mark_sending,
            cell.key,
            cell.question,
            cell.variant,
            (cell.persona_id, cell.persona_name),
        ):
            self._release(None)
            return False
        return True

    def _ask(self, cell: _Cell) -> None:
        tries = 0
        while self._admit():
            if not self.budget.admit(self._halt_now):
                self._release(None)
                return
            tries += 1
            if tries == 1:
                self._count_asked()
            delay = self.pacer.reserve()
            # An Event, not time.sleep: Ctrl-C or a store failure ends the wait at once.
            while delay > 0 and not self._halt.wait(delay):
                delay = self.pacer.held()
            if not self._may_send(cell):
                return
            try:
                outcome: BaseMessage | BaseException = self.model.invoke(
                    cell.prompt, self._config(cell), **self._kwargs(cell)
                )
            except Exception as exc:
                outcome = exc
            if not self._settle(cell, outcome, tries):
                return

    async def _aask(self, cell: _Cell, gate: asyncio.Semaphore) -> None:
        async with gate:
            tries = 0
            while self._admit():
                if not await self.budget.aadmit(self._halt_now):
                    self._release(None)
                    return
                tries += 1
                if tries == 1:
                    self._count_asked()
                delay = self.pacer.reserve()
                while delay > 0 and not self._halt.is_set():
                    await asyncio.sleep(delay)
                    delay = self.pacer.held()
                if not self._may_send(cell):
                    return
                try:
                    outcome: BaseMessage | BaseException = await self.model.ainvoke(
                        cell.prompt, self._config(cell), **self._kwargs(cell)
                    )
                except Exception as exc:
                    outcome = exc
                if not self._settle(cell, outcome, tries):
                    return

    # -- the whole run -------------------------------------------------------------------------

    def execute(self) -> None:
        todo = list(self.todo)
        # The context carries a tally or budget around the survey into every worker.
        pool = ContextThreadPoolExecutor(max_workers=self.survey.max_concurrency)
        futures: list[Any] = []
        try:
            if todo and self._needs_probe():
                self._ask(todo.pop(0))
            futures = [pool.submit(self._ask, cell) for cell in todo]
            for future in futures:
                future.result()
        except BaseException:
            # Ctrl-C: nothing more is sent (waiting workers wake and leave); calls in flight
            # get a moment to land in the store, and any still out stay `sending` (in doubt).
            self._halt_now("interrupted")
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            # A cancelled future never counts as done for `wait`: only the ones that ran are waited for.
            wait_for([future for future in futures if not future.cancelled()], timeout=_INTERRUPT_GRACE)
            self._progress.close()
        self._raise_if_store_failed()

    def _raise_if_store_failed(self) -> None:
        if self._store_error is not None:
            raise store_write_error(self.store.path, self._store_error, self._unsaved) from self._store_error

    async def aexecute(self) -> None:
        todo = list(self.todo)
        gate = asyncio.Semaphore(self.survey.max_concurrency)
        try:
            if todo and self._needs_probe():
                await self._aask(todo.pop(0), gate)
            tasks = [asyncio.ensure_future(self._aask(cell, gate)) for cell in todo]
            try:
                await asyncio.gather(*tasks)
            except BaseException:
                self._halt_now("interrupted")
                for task in tasks:
                    task.cancel()
                raise
        finally:
            self._progress.close()
        self._raise_if_store_failed()

    def result(self) -> SurveyResult:
        stored = self.store.cells()
        return SurveyResult(
            answers=[_answer(cell, stored.get(cell.key)) for cell in self.cells],
            stopped=self.budget.describe(self.stopped),
            asked=self._asked,
            credits_this_run=self.spent - self._spent_before,
        )


def _answer(cell: _Cell, stored: StoredCell | None) -> SurveyAnswer:
    base = {
        "question": cell.question,
        "variant": cell.variant,
        "persona_id": cell.persona_id,
        "persona_name": cell.persona_name,
    }
    if stored is None:
        return SurveyAnswer(**base, status="pending")
    status: CellStatus = "in_doubt" if stored.status == "sending" else stored.status
    analysis = Analysis.model_validate(stored.analysis) if stored.analysis is not None else None
    return SurveyAnswer(
        **base,
        status=status,
        answer=stored.answer if status == "done" else None,
        analysis=analysis if status == "done" else None,
        credits=stored.credits,
        error=stored.error if status != "done" else None,
        attempts=stored.attempts,
        note=stored.error if status == "done" else None,
    )


_TRANSIENT = (MaveraServerError, MaveraTimeoutError, MaveraConnectionError)
"""Failures the SDK would have retried (up to the model's `max_retries`); the survey retries them."""

_INTERRUPT_GRACE = 1.0
"""Seconds a Ctrl-C'd run waits for calls in flight to land in the store before it raises."""


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class _Progress:
    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def update(self, cells: int, credits: float) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"credits={credits:g}", refresh=False)
            self._bar.update(cells)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _progress_bar(enabled: bool | None, *, total: int, done: int) -> _Progress:
    """A tqdm bar (terminal or notebook) of cells done, credits, rate and ETA; silent when disabled."""
    if enabled is False or (enabled is None and not _extras.available("tqdm")):
        return _Progress(None)
    tqdm = _extras.require("tqdm.auto", "The survey progress bar").tqdm
    return _Progress(tqdm(total=total, initial=done, unit="cell", desc="survey", dynamic_ncols=True))
