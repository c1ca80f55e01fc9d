"""Credits accounting: a tally of what Mavera calls cost, with an optional budget.

`get_mavera_callback()` counts every `ChatMavera` run inside it, wherever it
happens (chains, batches, panels, tools, agents, threads started by LangChain,
asyncio tasks), the way `get_openai_callback()` counts OpenAI cost. Credits are
read from each finished run's `response_metadata["credits_used"]`; a reply
served from an LLM cache is marked `cached` there and costs nothing.

Paid calls that are not chat-model runs (Mave research, story analysis, story
chat) report through two custom callback events, so the tally, and any other
handler, sees them too: `mavera_request_start` before the request is sent
(data `{"endpoint": ...}`; the budget is checked there) and `mavera_credits`
after the reply (data `{"endpoint", "credits_used", "persona_id",
"input_tokens", "output_tokens"}`). What a `credits_used` figure charges is
`_credits.charge`: a reply without a valid figure is a request of unknown cost.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    AsyncCallbackManagerForToolRun,
    BaseCallbackHandler,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
)
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from langchain_mavera._budget import Budget, Ticket, aadmit_pending, admit_pending, claim
from langchain_mavera._credits import charge, format_credits
from langchain_mavera._renames import refuse_extra_arguments

if TYPE_CHECKING:
    from langchain_mavera.chat_models import ChatMavera
    from langchain_mavera.usage import MaveraUsage

__all__ = [
    "CREDITS_EVENT",
    "REQUEST_START_EVENT",
    "MaveraCreditsCallbackHandler",
    "get_mavera_callback",
]

REQUEST_START_EVENT = "mavera_request_start"
"""Custom event a paid non-chat call dispatches before its request (the budget is checked there)."""
CREDITS_EVENT = "mavera_credits"
"""Custom event a paid non-chat call dispatches with the credits its reply reports."""


class MaveraCreditsCallbackHandler(BaseCallbackHandler):
    """Totals the credits, requests, cache hits and tokens of Mavera calls.

    Pass it in `config={"callbacks": [handler]}`, or use `get_mavera_callback()`
    to cover every run in a block. It counts `ChatMavera` runs and the paid
    non-chat tools and retrievers (research, story analysis, story chat), which
    report through `CREDITS_EVENT`; runs of other chat models are ignored.

    With a `budget`, a Mavera call that cannot fit it raises
    `MaveraBudgetExceededError` before any request is sent: the worst cost seen
    is reserved for every call in flight, and one call probes the price first
    (the rule is in `langchain_mavera._budget`), so whatever the concurrency the
    server bills at most one call's cost beyond the budget.

    Example:
        ```python
        from langchain_mavera import ChatMavera, get_mavera_callback

        with get_mavera_callback() as cb:
            ChatMavera(persona_id="clx1abc2d0001abcdef123456").invoke("Hi")
        print(cb)
        ```
        ```txt
        Mavera: 1 request, 0 cache hits, 1 credit (input 125 tokens, output 27 tokens)
        ```
    """

    raise_error: bool = True
    """The budget check must stop the run, so errors raised here are not swallowed."""
    run_inline: bool = True
    """Counting is cheap and locked; no executor hop for async runs."""

    def __init__(self, budget: float | None = None, *, parent: MaveraCreditsCallbackHandler | None = None):
        super().__init__()
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float)):
            msg = f"budget must be a number of credits or None, got {budget!r}"
            raise TypeError(msg)
        if budget is not None and not budget >= 0:  # `not >=` refuses NaN too: it would never be reached
            msg = f"budget must be >= 0, got {budget!r}"
            raise ValueError(msg)
        self.budget = budget
        self.credits_used: float = 0
        """Credits charged by Mavera, as its replies report them (cache hits add 0)."""
        self.requests = 0
        """Requests sent to Mavera (not answered by an LLM cache), including those of unknown cost."""
        self.unknown_cost_requests = 0
        """Requests sent whose cost never arrived (a stream stopped early, a timeout after sending)."""
        self.cache_hits = 0
        """Runs answered from an LLM cache, at no cost."""
        self.input_tokens = 0
        self.output_tokens = 0
        self.by_persona: dict[str | None, float] = {}
        """Credits per persona id (None for calls without a persona)."""
        self.usage: MaveraUsage | None = None
        """The `GET /usage` reply the budget was read from, with `budget="remaining"`."""
        self._parent = parent
        self._lock = threading.Lock()
        self._budget = Budget(budget) if budget is not None else None
        self._runs: dict[UUID, Ticket | None] = {}

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def __repr__(self) -> str:
        unknown = f" ({self.unknown_cost_requests} of unknown cost)" if self.unknown_cost_requests else ""
        return (
            f"Mavera: {_count(self.requests, 'request')}{unknown}, {_count(self.cache_hits, 'cache hit')}, "
            f"{format_credits(self.credits_used)} credit{'' if self.credits_used == 1 else 's'} "
            f"(input {self.input_tokens} tokens, "
            f"output {self.output_tokens} tokens)"
        )

    def _chain(self) -> Iterator[MaveraCreditsCallbackHandler]:
        handler: MaveraCreditsCallbackHandler | None = self
        while handler is not None:
            yield handler
            handler = handler._parent  # noqa: SLF001

    # -- budget -----------------------------------------------------------------------------------

    def check_budget(self, kind: str = "chat") -> None:
        """Raise `MaveraBudgetExceededError` if a call of `kind` can no longer fit a budget.

        This tally's budget and every enclosing one's count, even once the calls in flight settle.
        """
        for handler in self._chain():
            budget = handler._budget  # noqa: SLF001
            if budget is not None and budget.would_refuse(kind):
                raise budget.refusal(kind)

    def _claim(self, run_id: UUID, kind: str) -> None:
        """Note a run starting, here and in enclosing tallies, once each however many paths reach it.

        A run under a budget queues a ticket that the request path admits before sending
        (`_budget.admit_pending`), waiting for calls in flight when it does not fit yet.
        """
        self.check_budget(kind)
        ticket: Ticket | None = None
        for handler in self._chain():
            with handler._lock:  # noqa: SLF001
                if run_id in handler._runs:  # noqa: SLF001
                    continue
                budget = handler._budget  # noqa: SLF001
                if budget is not None:
                    ticket = ticket or claim(run_id, kind)
                    ticket.add(budget)
                handler._runs[run_id] = ticket if budget is not None else None  # noqa: SLF001

    def _settle(
        self,
        run_id: UUID,
        cost: float | None,
        *,
        billed: bool,
        cached: bool = False,
        persona_id: str | None = None,
        tokens: tuple[int, int] = (0, 0),
    ) -> None:
        """Count a run's outcome once in this tally and each enclosing one that saw it start."""
        for handler in self._chain():
            with handler._lock:  # noqa: SLF001
                if run_id not in handler._runs:  # noqa: SLF001
                    continue
                ticket = handler._runs.pop(run_id)  # noqa: SLF001
                handler._count(cost, billed=billed, cached=cached, persona_id=persona_id, tokens=tokens)  # noqa: SLF001
            if ticket is not None and handler._budget is not None:  # noqa: SLF001
                ticket.settle(handler._budget, cost, billed=billed and not cached)  # noqa: SLF001

    def _count(
        self,
        cost: float | None,
        *,
        billed: bool,
        cached: bool,
        persona_id: str | None,
        tokens: tuple[int, int],
    ) -> None:
        if cached:
            self.cache_hits += 1
            return
        if not billed:
            return
        self.requests += 1
        self.input_tokens += tokens[0]
        self.output_tokens += tokens[1]
        if cost is None:
            self.unknown_cost_requests += 1
            return
        self.credits_used += cost
        self.by_persona[persona_id] = self.by_persona.get(persona_id, 0) + cost

    # -- callbacks --------------------------------------------------------------------------------

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Note a Mavera chat run starting; when it cannot fit the budget, refuse it before its request."""
        if (metadata or {}).get("ls_provider") != "mavera":
            return
        self._claim(run_id, CHAT)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """Add the finished reply's credits and tokens to the tally."""
        if run_id not in self._runs:
            return
        for generation in _chat_generations(response):
            self._settle_generation(run_id, generation)
            return
        self._settle(run_id, None, billed=True)

    def _settle_generation(self, run_id: UUID, generation: ChatGeneration) -> None:
        message = generation.message
        metadata = message.response_metadata
        if metadata.get("cached"):
            self._settle(run_id, 0, billed=False, cached=True)
            return
        usage = getattr(message, "usage_metadata", None) or {}
        self._settle(
            run_id,
            charge(metadata.get("credits_used")),
            billed=True,
            persona_id=metadata.get("persona_id"),
            tokens=(usage.get("input_tokens", 0), usage.get("output_tokens", 0)),
        )

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """A failed run: counted when its request may have been billed (at the cost it reported, if any)."""
        if run_id not in self._runs:
            return
        response = kwargs.get("response")
        if isinstance(response, LLMResult) and may_be_billed(error):
            for generation in _chat_generations(response):
                if "credits_used" in generation.message.response_metadata:
                    self._settle_generation(run_id, generation)
                    return
        self._settle(run_id, None, billed=may_be_billed(error))

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """Research, story analysis and story chat report here (see `REQUEST_START_EVENT`)."""
        if name == REQUEST_START_EVENT:
            endpoint = data.get("endpoint") if isinstance(data, dict) else None
            self._claim(run_id, endpoint if isinstance(endpoint, str) else "rest")
        elif name == CREDITS_EVENT and isinstance(data, dict):
            for handler in self._chain():  # a charge reported without a start event counts too
                with handler._lock:  # noqa: SLF001
                    handler._runs.setdefault(run_id, None)  # noqa: SLF001
            self._settle(
                run_id,
                charge(data.get("credits_used")),
                billed=True,
                persona_id=data.get("persona_id"),
                tokens=(_tokens(data.get("input_tokens")), _tokens(data.get("output_tokens"))),
            )

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """A paid tool whose request failed after it started: counted when it may have been billed."""
        if run_id in self._runs:
            self._settle(run_id, None, billed=may_be_billed(error))

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """As `on_tool_error`, for the research retriever."""
        if run_id in self._runs:
            self._settle(run_id, None, billed=may_be_billed(error))

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """A paid tool that ended without reporting its charge counts at unknown cost.

        It turned an error into its output after its request was sent; this frees its reservation.
        """
        if run_id in self._runs:
            self._settle(run_id, None, billed=True)

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """As `on_tool_end`, for the research retriever."""
        if run_id in self._runs:
            self._settle(run_id, None, billed=True)


CHAT = "chat"
"""The kind of call a chat-model run is, for the worst cost a budget reserves."""


def may_be_billed(error: BaseException) -> bool:
    """Whether a request that ended in `error` may still have been billed.

    A server refusal with an error status was not; nor was a call refused before sending. A
    timeout, a dropped connection, a cut stream or a caller that stopped reading may have been.
    """
    import openai

    from langchain_mavera.errors import (
        MaveraBudgetExceededError,
        MaveraCreditCheckError,
        MaveraStreamInterruptedError,
    )

    if isinstance(error, MaveraStreamInterruptedError):
        return True
    if isinstance(error, openai.APIStatusError | MaveraBudgetExceededError | MaveraCreditCheckError):
        return False
    return isinstance(
        error, openai.APIError | GeneratorExit | asyncio.CancelledError | KeyboardInterrupt | TimeoutError
    )


def _tokens(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# -- paid calls that are not chat-model runs ------------------------------------------------------

_SyncRun = CallbackManagerForToolRun | CallbackManagerForRetrieverRun
_AsyncRun = AsyncCallbackManagerForToolRun | AsyncCallbackManagerForRetrieverRun


def _credits_data(
    endpoint: str, credits_used: object, persona_id: str | None, usage: dict[str, Any] | None
) -> dict[str, Any]:
    usage = usage or {}
    return {
        "endpoint": endpoint,
        "credits_used": charge(credits_used),
        "persona_id": persona_id,
        "input_tokens": _tokens(usage.get("input_tokens")),
        "output_tokens": _tokens(usage.get("output_tokens")),
    }


def request_starting(run_manager: _SyncRun | None, endpoint: str) -> None:
    """Dispatch `REQUEST_START_EVENT`, then wait until every budget admits the request.

    Raises `MaveraBudgetExceededError` when the request cannot fit a budget.
    """
    if run_manager is not None:
        run_manager.get_child().on_custom_event(
            REQUEST_START_EVENT, {"endpoint": endpoint}, run_id=run_manager.run_id
        )
        admit_pending()


async def arequest_starting(run_manager: _AsyncRun | None, endpoint: str) -> None:
    """Async twin of `request_starting`."""
    if run_manager is not None:
        await run_manager.get_child().on_custom_event(
            REQUEST_START_EVENT, {"endpoint": endpoint}, run_id=run_manager.run_id
        )
        await aadmit_pending()


def credits_charged(
    run_manager: _SyncRun | None,
    endpoint: str,
    credits_used: object,
    *,
    persona_id: str | None = None,
    usage: dict[str, Any] | None = None,
) -> None:
    """Dispatch `CREDITS_EVENT` for a reply (`usage`: `input_tokens`/`output_tokens`, when sent)."""
    if run_manager is not None:
        data = _credits_data(endpoint, credits_used, persona_id, usage)
        run_manager.get_child().on_custom_event(CREDITS_EVENT, data, run_id=run_manager.run_id)


async def acredits_charged(
    run_manager: _AsyncRun | None,
    endpoint: str,
    credits_used: object,
    *,
    persona_id: str | None = None,
    usage: dict[str, Any] | None = None,
) -> None:
    """Async twin of `credits_charged`."""
    if run_manager is not None:
        data = _credits_data(endpoint, credits_used, persona_id, usage)
        await run_manager.get_child().on_custom_event(CREDITS_EVENT, data, run_id=run_manager.run_id)


def _chat_generations(response: LLMResult) -> Iterator[ChatGeneration]:
    for generations in response.generations:
        for generation in generations:
            if isinstance(generation, ChatGeneration):
                yield generation


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


_mavera_callback: ContextVar[MaveraCreditsCallbackHandler | None] = ContextVar(
    "mavera_credits_callback", default=None
)
# Every callback manager configured while the variable is set gets the handler, so runs count
# without passing callbacks by hand (LangChain copies the context into its threads and tasks).
register_configure_hook(_mavera_callback, inheritable=True)


REMAINING = "remaining"
"""`get_mavera_callback(budget="remaining")`: the credits `GET /usage` shows left this billing period."""


def _remaining_budget(usage: MaveraUsage) -> float | None:
    """The credits left as a budget: none left (an overdrawn account too) is 0; NaN is no figure."""
    remaining = usage.credits_remaining
    if remaining is None or remaining != remaining:
        return None
    return max(remaining, 0)


class _MaveraCallbackContext:
    """`with` and `async with` both enter it; nested blocks each count their own runs."""

    def __init__(self, budget: float | Literal["remaining"] | None, model: ChatMavera | None) -> None:
        if isinstance(budget, str) and budget != REMAINING:
            msg = f'budget must be a number of credits, "remaining" or None, got {budget!r}'
            raise TypeError(msg)
        if model is not None and budget != REMAINING:
            msg = 'model is only used with budget="remaining" (to read GET /usage); pass one or the other.'
            raise TypeError(msg)
        # Checked now, before any request; the handler itself is built on entry.
        MaveraCreditsCallbackHandler(None if budget == REMAINING else budget)  # type: ignore[arg-type]
        self._budget = budget
        self._model = model
        self._handler: MaveraCreditsCallbackHandler | None = None
        self._token: Token[MaveraCreditsCallbackHandler | None] | None = None

    def _enter(self, usage: MaveraUsage | None) -> MaveraCreditsCallbackHandler:
        budget = _remaining_budget(usage) if usage is not None else self._budget
        handler = MaveraCreditsCallbackHandler(budget, parent=_mavera_callback.get())  # type: ignore[arg-type]
        handler.usage = usage
        self._handler = handler
        self._token = _mavera_callback.set(handler)
        return handler

    def __enter__(self) -> MaveraCreditsCallbackHandler:
        if self._budget != REMAINING:
            return self._enter(None)
        from langchain_mavera.usage import fetch_usage

        return self._enter(fetch_usage(model=self._model))

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _mavera_callback.reset(self._token)
            self._token = None

    async def __aenter__(self) -> MaveraCreditsCallbackHandler:
        if self._budget != REMAINING:
            return self._enter(None)
        from langchain_mavera.usage import afetch_usage

        return self._enter(await afetch_usage(model=self._model))

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__()


def get_mavera_callback(
    budget: float | Literal["remaining"] | None = None,
    *,
    model: ChatMavera | None = None,
    **renamed: object,
) -> _MaveraCallbackContext:
    """Count the credits of every Mavera call in a `with` (or `async with`) block.

    Chat-model runs count (invoke, stream, batch, panels, persona tools, agents),
    and so do Mave research, story analysis and story chat run as tools or
    retrievers (they report through `CREDITS_EVENT`).

    Args:
        budget: Credits allowed in the block. A Mavera call that cannot fit it
            (with the worst cost seen reserved for every call in flight) raises
            `MaveraBudgetExceededError` before its request is sent.
            `"remaining"` reads `GET /usage` on entering the block (with
            `await` under `async with`) and uses the credits left this billing
            period; when the reply gives no figure there is no limit (the
            server still refuses with 402). None (default) means no limit.
        model: With `budget="remaining"`, the `ChatMavera` whose key and URL
            `GET /usage` uses; default `MAVERA_API_KEY` / `MAVERA_BASE_URL`.
        **renamed: Refused, naming the new spelling of an old keyword (`source=` is `model=`).

    Returns:
        A context manager yielding the block's `MaveraCreditsCallbackHandler`
        (`credits_used`, `requests`, `cache_hits`, `input_tokens`,
        `output_tokens`, `by_persona`; `budget`, and `usage` with `"remaining"`).
        An enclosing block counts the inner block's runs too, and its budget
        applies inside.

    Example:
        ```python
        from langchain_mavera import MaveraBudgetExceededError, get_mavera_callback

        with get_mavera_callback(budget=10) as cb:
            try:
                for idea in ideas:
                    model.invoke(f"React to: {idea}")
            except MaveraBudgetExceededError:
                pass
        cb.credits_used, cb.by_persona

        with get_mavera_callback(budget="remaining", model=model) as cb:
            cb.budget  # 2500: what GET /usage shows left this billing period
        ```
    """
    refuse_extra_arguments("get_mavera_callback", renamed)
    return _MaveraCallbackContext(budget, model)
