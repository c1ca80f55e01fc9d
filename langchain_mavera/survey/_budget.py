"""`PersonaSurvey(max_credits=...)` on the one budget rule of `_budget`, one ticket per cell attempt.

The attempt being sent is kept in a context variable: each cell runs in its own thread (a
`ContextThreadPoolExecutor` task) or asyncio task, so admission and settlement of one attempt
meet in the same context without threading a ticket through the survey's code.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from langchain_core.messages import BaseMessage

from langchain_mavera._budget import Budget, Ticket
from langchain_mavera._credits import charge, format_credits
from langchain_mavera.callbacks import CHAT, may_be_billed
from langchain_mavera.errors import MaveraBudgetExceededError

if TYPE_CHECKING:
    from collections.abc import Callable

_OWN_LIMIT = "credit budget"
"""`stopped` while the run winds down after `max_credits` refused a cell; described at the end."""

_attempt: ContextVar[Ticket | None] = ContextVar("mavera_survey_attempt", default=None)


class SurveyBudget:
    """A survey's `max_credits` (None: no limit of its own), starting from what earlier runs spent."""

    def __init__(self, limit: float | None, spent: float, worst: float) -> None:
        self._budget: Budget | None = None
        if limit is not None:
            self._budget = Budget(limit)
            self._budget.prime(CHAT, spent, worst or None)

    def _ticket(self) -> Ticket | None:
        if self._budget is None:
            return None
        ticket = Ticket(None, CHAT)
        ticket.add(self._budget)
        return ticket

    def admit(self, stop: Callable[[str], None]) -> bool:
        """Wait until a cell fits; False (and the run stopped) when it never will."""
        ticket = self._ticket()
        if ticket is None:
            return True
        try:
            ticket.admit()
        except MaveraBudgetExceededError:
            stop(_OWN_LIMIT)
            return False
        _attempt.set(ticket)
        return True

    async def aadmit(self, stop: Callable[[str], None]) -> bool:
        """Async twin of `admit`: waits without blocking the event loop."""
        ticket = self._ticket()
        if ticket is None:
            return True
        try:
            await ticket.aadmit()
        except MaveraBudgetExceededError:
            stop(_OWN_LIMIT)
            return False
        _attempt.set(ticket)
        return True

    def settle(self, outcome: BaseMessage | BaseException) -> None:
        """Charge the attempt just made: its reported cost, or the worst seen when it may have been billed."""
        ticket = _attempt.get()
        if ticket is None or self._budget is None:
            return
        _attempt.set(None)
        if isinstance(outcome, BaseMessage):
            cost = charge(outcome.response_metadata.get("credits_used"))
            ticket.settle(self._budget, None if cost is None else float(cost), billed=True)
        else:
            ticket.settle(self._budget, None, billed=may_be_billed(outcome))

    @staticmethod
    def reason(outcome: BaseException) -> str:
        return f"{_OWN_LIMIT}: {outcome}"

    def describe(self, stopped: str | None) -> str | None:
        """`stopped` with the figures of the end of the run (calls in flight at the stop included)."""
        if stopped != _OWN_LIMIT or self._budget is None:
            return stopped
        budget = self._budget
        worst = budget.worst.get(CHAT, 0)
        return (
            f"{_OWN_LIMIT}: {format_credits(budget.spent)} of {format_credits(budget.limit)} spent, "
            f"a cell costs up to {format_credits(worst)}"
        )
