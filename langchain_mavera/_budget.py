"""The one budget rule: a call starts only if it fits, counting every call in flight at its worst.

A budget knows the credits already charged (`spent`), the worst cost seen per kind of call
(`"chat"`, or a REST endpoint such as `/mave/chat`) and the credits reserved by the calls in
flight. A call of a kind whose cost is known is admitted when

    spent + reserved + worst cost of its kind <= limit

and reserves that worst cost until it settles. Until a cost of its kind has been seen, one call
of that kind goes alone (a probe) while spent + reserved < limit. A call that would fit once
calls in flight settle waits for them (they may fail, or cost less); one that cannot fit even
then is refused with `MaveraBudgetExceededError`. So, whatever the concurrency, the server
bills at most the budget plus what one call costs beyond the worst seen before it (the probe, or
a call dearer than every earlier one).

A call of unknown cost (a stream stopped early, a read timeout after the request was sent) is
charged at the worst cost seen for its kind, or 1 credit when none was seen (Mavera bills whole
credits). A call the server refused with an error status is not billed and only frees its
reservation.

Waiting never blocks an event loop: sync callers wait on a `threading.Event`, async callers
await a future that a settling call wakes with `call_soon_threadsafe`. A sync call made on a
thread that runs an event loop cannot wait there (it would stall the calls it waits for), so it
is refused instead. Budgets are shared by `get_mavera_callback(budget=...)` (one per block),
`PersonaSurvey(max_credits=...)` and everything they count; a run with no budget never reaches
this module, so the path without one takes no lock.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Literal
from uuid import UUID

from langchain_mavera._credits import format_credits

UNKNOWN_COST_FLOOR = 1.0
"""What a call of unknown cost is charged when no call of its kind has reported a cost yet."""

_Decision = Literal["admit", "wait", "refuse"]


class Budget:
    """A credit limit and the calls charged and reserved against it (thread- and task-safe)."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.spent: float = 0
        """Credits charged: reported costs plus unknown costs at the worst seen."""
        self.worst: dict[str, float] = {}
        self._reserved: float = 0
        self._in_flight = 0
        self._probing: set[str] = set()
        self._lock = threading.Lock()
        self._waiters: list[Callable[[], None]] = []

    def prime(self, kind: str, spent: float, worst: float | None) -> None:
        """Start from earlier charges (a resumed survey)."""
        with self._lock:
            self.spent += spent
            if worst is not None and worst > 0:
                self.worst[kind] = max(self.worst.get(kind, 0), worst)

    def _decide(self, kind: str) -> _Decision:
        committed = self.spent + self._reserved
        worst = self.worst.get(kind)
        if worst is None:
            if kind in self._probing:
                return "wait"
            if committed < self.limit:
                return "admit"
            return "wait" if self._in_flight and self.spent < self.limit else "refuse"
        if committed + worst <= self.limit:
            return "admit"
        return "wait" if self._in_flight and self.spent + worst <= self.limit else "refuse"

    def would_refuse(self, kind: str) -> bool:
        """True when a call of `kind` cannot fit even after every call in flight settles."""
        with self._lock:
            return self._decide(kind) == "refuse"

    def _try(self, kind: str, wake: Callable[[], None] | None) -> tuple[_Decision, float]:
        """Admit (reserving), or say why not; a waiter is registered under the same lock as the decision."""
        with self._lock:
            decision = self._decide(kind)
            if decision == "admit":
                amount = self.worst.get(kind)
                if amount is None:
                    self._probing.add(kind)
                    amount = 0
                self._reserved += amount
                self._in_flight += 1
                return decision, amount
            if decision == "wait" and wake is not None:
                self._waiters.append(wake)
            return decision, 0

    def settle(self, kind: str, reserved: float | None, cost: float | None, *, billed: bool) -> None:
        """Free a reservation (None: the call was never admitted) and charge what the call cost.

        `cost` None with `billed` is a call of unknown cost, charged at the worst seen.
        """
        with self._lock:
            if reserved is not None:
                self._reserved -= reserved
                self._in_flight -= 1
                self._probing.discard(kind)
            if cost is not None:
                self.spent += cost
                self.worst[kind] = max(self.worst.get(kind, 0), cost)
            elif billed:
                self.spent += self.worst.get(kind, UNKNOWN_COST_FLOOR)
            waiters, self._waiters = self._waiters, []
        for wake in waiters:
            wake()

    def refusal(self, kind: str) -> Exception:
        from langchain_mavera.errors import MaveraBudgetExceededError

        worst = self.worst.get(kind)
        per_call = "" if worst is None else f", a call costs up to {format_credits(worst)}"
        msg = (
            f"Mavera credits budget reached: {format_credits(self.spent)} of {format_credits(self.limit)} "
            f"credits used{per_call}; no further request is sent."
        )
        return MaveraBudgetExceededError(msg, budget=self.limit, credits_used=self.spent)


class Ticket:
    """One call's claim on every budget that applies to it, admitted on all of them or none."""

    def __init__(self, run_id: UUID | None, kind: str) -> None:
        self.run_id = run_id
        self.kind = kind
        self.budgets: list[Budget] = []
        self.reserved: dict[Budget, float] = {}
        self.admitted = False
        self.taken = False
        """A request is being admitted on this ticket (each ticket admits one request)."""
        self.closed = False

    def add(self, budget: Budget) -> None:
        if budget not in self.budgets:
            self.budgets.append(budget)

    def _attempt(self, wake: Callable[[], None] | None) -> Budget | None:
        """Reserve on every budget, or on none: the budget that said wait (None: admitted)."""
        for budget in self.budgets:
            if budget in self.reserved:
                continue
            decision, amount = budget._try(self.kind, wake)  # noqa: SLF001
            if decision == "admit":
                self.reserved[budget] = amount
                continue
            # Hold nothing while waiting or refused: a waiting call never blocks another one.
            self._release()
            if decision == "refuse":
                self.closed = True
                raise budget.refusal(self.kind)
            return budget
        self.admitted = True
        return None

    def _release(self) -> None:
        reserved, self.reserved = self.reserved, {}
        for budget, amount in reserved.items():
            budget.settle(self.kind, amount, None, billed=False)

    def admit(self) -> None:
        """Block until every budget admits the call, or raise `MaveraBudgetExceededError`."""
        while not self.admitted:
            event = threading.Event()
            if self._attempt(event.set) is None:
                return
            if _on_event_loop_thread():
                self.closed = True
                raise self.budgets[0].refusal(self.kind)
            event.wait()

    async def aadmit(self) -> None:
        """Async twin of `admit`: waits without blocking the event loop."""
        loop = asyncio.get_running_loop()
        while not self.admitted:
            future: asyncio.Future[None] = loop.create_future()

            def wake(future: asyncio.Future[None] = future) -> None:
                loop.call_soon_threadsafe(_resolve, future)

            if self._attempt(wake) is None:
                return
            await future

    def settle(self, budget: Budget, cost: float | None, *, billed: bool) -> None:
        """Charge this call on one budget and free its reservation there."""
        self.closed = True
        budget.settle(self.kind, self.reserved.pop(budget, None), cost, billed=billed)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _on_event_loop_thread() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


# -- the calls of this context that still wait for their admission ----------------------------------

# A tuple, replaced and never changed in place: tasks and threads started from this context get
# their own copy of the variable, and a ticket is taken (by the one call that sends it) only once.
_pending: ContextVar[tuple[Ticket, ...]] = ContextVar("mavera_budget_pending", default=())


def claim(run_id: UUID, kind: str) -> Ticket:
    """The ticket of run `run_id` waiting in this context, queued now if it is the first to ask.

    Every handler that counts a run (a tally passed in config and an enclosing block) adds its
    budget to the same ticket, so the call is admitted by all of them at once.
    """
    queue = tuple(ticket for ticket in _pending.get() if not ticket.taken and not ticket.closed)
    for ticket in queue:
        if ticket.run_id == run_id:
            return ticket
    ticket = Ticket(run_id, kind)
    _pending.set((*queue, ticket))
    return ticket


def _take() -> Ticket | None:
    queue = _pending.get()
    for index, ticket in enumerate(queue):
        if not ticket.taken and not ticket.closed:
            ticket.taken = True
            _pending.set(queue[index + 1 :])
            return ticket
    _pending.set(())
    return None


def admit_pending() -> None:
    """Before a request: wait until the budgets of the call being sent admit it (sync)."""
    if _pending.get():
        ticket = _take()
        if ticket is not None:
            ticket.admit()


async def aadmit_pending() -> None:
    """Async twin of `admit_pending`."""
    if _pending.get():
        ticket = _take()
        if ticket is not None:
            await ticket.aadmit()
