"""Credits accounting: a tally of what Mavera calls cost, with an optional budget.

`get_mavera_callback()` counts every `ChatMavera` run inside it, wherever it
happens (chains, batches, panels, tools, agents, threads started by LangChain,
asyncio tasks), the way `get_openai_callback()` counts OpenAI cost. Credits are
read from each finished run's `response_metadata["credits_used"]`; a reply
served from an LLM cache is marked `cached` there and costs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextvars import ContextVar, Token
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

__all__ = ["MaveraCreditsCallbackHandler", "get_mavera_callback"]


class MaveraCreditsCallbackHandler(BaseCallbackHandler):
    """Totals the credits, requests, cache hits and tokens of `ChatMavera` runs.

    Pass it in `config={"callbacks": [handler]}`, or use `get_mavera_callback()`
    to cover every run in a block. Runs of other chat models are ignored.

    With a `budget`, a `ChatMavera` run that starts once `credits_used` has
    reached it raises `MaveraBudgetExceededError` before any request is sent.
    Runs already in flight when the budget is reached still finish (and count),
    so concurrent calls (`batch`, panels) can end a little over the budget.

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
        if budget is not None and budget < 0:
            msg = f"budget must be >= 0, got {budget!r}"
            raise ValueError(msg)
        self.budget = budget
        self.credits_used: float = 0
        """Credits charged by Mavera (cache hits add 0)."""
        self.requests = 0
        """Runs answered by Mavera (not by an LLM cache)."""
        self.cache_hits = 0
        """Runs answered from an LLM cache, at no cost."""
        self.input_tokens = 0
        self.output_tokens = 0
        self.by_persona: dict[str | None, float] = {}
        """Credits per persona id (None for calls without a persona)."""
        self._parent = parent
        self._lock = threading.Lock()
        self._runs: set[UUID] = set()

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __repr__(self) -> str:
        return (
            f"Mavera: {_count(self.requests, 'request')}, {_count(self.cache_hits, 'cache hit')}, "
            f"{_number(self.credits_used)} credit{'' if self.credits_used == 1 else 's'} "
            f"(input {self.input_tokens} tokens, "
            f"output {self.output_tokens} tokens)"
        )

    # -- budget -----------------------------------------------------------------------------------

    def check_budget(self) -> None:
        """Raise `MaveraBudgetExceededError` if this tally (or an enclosing one) reached its budget."""
        if self.budget is not None and self.credits_used >= self.budget:
            from langchain_mavera.errors import MaveraBudgetExceededError

            msg = (
                f"Mavera credits budget reached: {_number(self.credits_used)} of {_number(self.budget)} "
                "credits used; no further request is sent."
            )
            raise MaveraBudgetExceededError(msg, budget=self.budget, credits_used=self.credits_used)
        if self._parent is not None:
            self._parent.check_budget()

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
        if (metadata or {}).get("ls_provider") != "mavera":
            return
        with self._lock:
            self.check_budget()
            self._runs.add(run_id)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            if run_id not in self._runs:
                return
            self._runs.discard(run_id)
        for generation in _chat_generations(response):
            self.record(generation)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            self._runs.discard(run_id)

    def record(self, generation: ChatGeneration) -> None:
        """Count one finished generation (and in the enclosing tally too)."""
        message = generation.message
        metadata = message.response_metadata
        persona_id = metadata.get("persona_id")
        with self._lock:
            if metadata.get("cached"):
                self.cache_hits += 1
                return
            credits = metadata.get("credits_used")
            credits = credits if isinstance(credits, int | float) and not isinstance(credits, bool) else 0
            self.requests += 1
            self.credits_used += credits
            self.by_persona[persona_id] = self.by_persona.get(persona_id, 0) + credits
            usage = getattr(message, "usage_metadata", None) or {}
            self.input_tokens += usage.get("input_tokens", 0)
            self.output_tokens += usage.get("output_tokens", 0)
        if self._parent is not None:
            self._parent.record(generation)


def _chat_generations(response: LLMResult) -> Iterator[ChatGeneration]:
    for generations in response.generations:
        for generation in generations:
            if isinstance(generation, ChatGeneration):
                yield generation


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


_mavera_callback: ContextVar[MaveraCreditsCallbackHandler | None] = ContextVar(
    "mavera_credits_callback", default=None
)
# Every callback manager configured while the variable is set gets the handler, so runs count
# without passing callbacks by hand (LangChain copies the context into its threads and tasks).
register_configure_hook(_mavera_callback, inheritable=True)


class _MaveraCallbackContext:
    """`with` and `async with` both enter it; nested blocks each count their own runs."""

    def __init__(self, budget: float | None) -> None:
        self._handler = MaveraCreditsCallbackHandler(budget, parent=_mavera_callback.get())
        self._token: Token[MaveraCreditsCallbackHandler | None] | None = None

    def __enter__(self) -> MaveraCreditsCallbackHandler:
        self._token = _mavera_callback.set(self._handler)
        return self._handler

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _mavera_callback.reset(self._token)
            self._token = None

    async def __aenter__(self) -> MaveraCreditsCallbackHandler:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__()


def get_mavera_callback(budget: float | None = None) -> _MaveraCallbackContext:
    """Count the credits of every `ChatMavera` run in a `with` (or `async with`) block.

    Args:
        budget: Credits allowed in the block. Once `credits_used` reaches it, the
            next `ChatMavera` call raises `MaveraBudgetExceededError` before its
            request is sent. None (default) means no limit.

    Returns:
        A context manager yielding the block's `MaveraCreditsCallbackHandler`
        (`credits_used`, `requests`, `cache_hits`, `input_tokens`,
        `output_tokens`, `by_persona`). An enclosing block counts the inner
        block's runs too, and its budget applies inside.

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
        ```
    """
    return _MaveraCallbackContext(budget)
