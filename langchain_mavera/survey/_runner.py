"""One survey run: cells sent in order under the rate limit and the budget, each answer saved as it lands."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import wait as wait_for
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.runnables.config import ContextThreadPoolExecutor

from langchain_mavera import _extras
from langchain_mavera._credits import charge, format_credits
from langchain_mavera.analysis import MaveraAnalysis
from langchain_mavera.errors import (
    MaveraBudgetExceededError,
    MaveraConnectionError,
    MaveraInsufficientCreditsError,
    MaveraRateLimitError,
    MaveraServerError,
    MaveraTimeoutError,
)
from langchain_mavera.survey._budget import SurveyBudget
from langchain_mavera.survey._pacing import Pacer
from langchain_mavera.survey._plan import SurveyPlan, _Cell
from langchain_mavera.survey._store import StoredCell, SurveyStore
from langchain_mavera.survey._unsaved import store_write_error
from langchain_mavera.survey.results import CellStatus, SurveyAnswer, SurveyResult


class _Run:
    """One execution of a survey: which cells to ask, the budget, the pacer and the progress bar."""

    _CHECK_REMAINING_EVERY = 25

    def __init__(self, plan: SurveyPlan, store: SurveyStore) -> None:
        self.plan = plan
        self.store = store
        cells = plan.cells
        stored = store.cells()
        self.todo = [cell for cell in cells if self._should_ask(stored.get(cell.key))]
        self.spent = sum((stored[c.key].credits or 0.0) for c in cells if c.key in stored)
        self.cost = max((stored[c.key].credits or 0.0 for c in cells if c.key in stored), default=0.0)
        self.pacer = Pacer(plan.requests_per_minute, window=plan.rate_limit_window)
        self.stopped: str | None = None
        self._lock = threading.Lock()
        self._in_flight = 0
        self._answered = 0
        self._asked = 0
        self._spent_before = self.spent
        self._remaining: float | None = None
        self._checked_at: int | None = None
        self._progress = _progress_bar(plan.progress, total=len(cells), done=len(cells) - len(self.todo))
        # Retries are the survey's, so each one is paced, pauses every worker on a 429 and is counted.
        self.model = plan.model.model_copy(update={"max_retries": 0})
        self._retries = plan.model.max_retries
        self._transient: Counter[str] = Counter()
        # Set on Ctrl-C or a store failure: wakes every waiting worker, and none sends after it.
        self._halt = threading.Event()
        self._store_error: BaseException | None = None
        self._unsaved: list[dict[str, Any]] = []
        self.budget = SurveyBudget(plan.max_credits, self.spent, self.cost)

    def _should_ask(self, stored: StoredCell | None) -> bool:
        if stored is None:
            return True
        if stored.status == "failed":
            return self.plan.retry_failed
        if stored.status == "sending":
            return self.plan.resend_in_doubt
        return False

    # -- admission: budget and pacing ----------------------------------------------------------

    def _needs_probe(self) -> bool:
        """Ask one cell alone first while the limit or the cost of a cell is unknown."""
        budgeted = self.plan.max_credits is not None or self.plan.remaining_credits is not None
        return not self.pacer.knows_limit or (budgeted and self.cost == 0.0)

    def _admit(self) -> bool:
        """Claim a place for one more call, unless it could break the budget."""
        with self._lock:
            if self.stopped is not None:
                return False
            due = self._checked_at is None or self._answered >= self._checked_at + self._CHECK_REMAINING_EVERY
            if due and self.plan.remaining_credits is not None:
                self._remaining = self.plan.remaining_credits()
                self._checked_at = self._answered
            worst = (self._in_flight + 1) * self.cost
            if self._remaining is not None and worst > self._remaining:
                left, cost = format_credits(self._remaining), format_credits(self.cost)
                self.stopped = f"remaining credits: {left} left, a cell costs up to {cost}"
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
        extra = {"analysis_mode": True} if self.plan.analysis_mode else {}
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
            cost = charge(metadata.get("credits_used"))
            credits = None if cost is None else float(cost)
            self.pacer.observe(metadata.get("rate_limit"))
            try:
                self.store.mark_done(cell.key, outcome.text, metadata.get("analysis"), credits)
            except sqlite3.Error as exc:
                self._keep_unsaved(cell, outcome, credits, exc)
            self._finish(credits)
            return False
        retry = isinstance(outcome, _TRANSIENT) and self._transient_retry(cell)
        if isinstance(outcome, MaveraRateLimitError) and tries <= self.plan.rate_limit_retries:
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
        pool = ContextThreadPoolExecutor(max_workers=self.plan.max_concurrency)
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
        gate = asyncio.Semaphore(self.plan.max_concurrency)
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
            answers=[_answer(cell, stored.get(cell.key)) for cell in self.plan.cells],
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
    analysis = MaveraAnalysis.model_validate(stored.analysis) if stored.analysis is not None else None
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
            self._bar.set_postfix_str(f"credits={format_credits(credits)}", refresh=False)
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
