"""`PersonaPanel`: ask several personas the same thing and compare their answers.

A panel is a Runnable: `prompt | panel` works, `invoke`/`ainvoke`/`batch`
return a `PanelResult`, and `stream`/`astream` yield each persona's
`PanelAnswer` as soon as it arrives. Answers are added together the way message
chunks are (`answer + answer -> PanelResult`), so the streamed answers
aggregate to the same result `invoke` returns and traces record it whole.
The result types live in `panel.results`, which needs no model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import as_completed
from typing import Any, cast

from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.runnables import RunnableConfig, RunnableSerializable
from langchain_core.runnables.config import ContextThreadPoolExecutor, patch_config
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from langchain_mavera._persona_resolver import PersonaResolver
from langchain_mavera.chat_models import ChatMavera
from langchain_mavera.chat_models._params import validate_overrides
from langchain_mavera.panel.results import PanelAnswer, PanelResult, PanelSeat, in_seat_order
from langchain_mavera.personas import (
    MaveraPersona,
)

__all__ = ["PersonaPanel"]


def _raise_on_budget_stop(answers: list[PanelAnswer]) -> None:
    """A seat refused by a budget stops the panel: its error propagates.

    An agent must not read "failed" and ask again; the error carries every answer received in
    `.result`, paid ones included.
    """
    from langchain_mavera.errors import MaveraBudgetExceededError

    for answer in answers:
        if isinstance(answer.error, MaveraBudgetExceededError):
            answer.error.result = PanelResult(answers=in_seat_order(answers))
            raise answer.error


class PersonaPanel(RunnableSerializable[LanguageModelInput, PanelResult]):
    """Ask the same input of several personas concurrently and compare the answers.

    Setup:
        ```python
        from langchain_mavera import ChatMavera, PersonaPanel

        panel = PersonaPanel(
            model=ChatMavera(),
            personas=["Gen Z Consumer", "SaaS CMO", "clx3def4g0003abcdef345678"],
            max_concurrency=4,
        )
        ```
        Personas are names (matched case-insensitively, one `GET /personas` for
        the whole panel, cached on the panel) or ids. Analysis mode is on unless
        `analysis_mode=False`.

    Invoke:
        ```python
        result = panel.invoke("Would you pay $4 more for refillable packaging?")
        print(result.to_markdown())
        result.confidence.mean, result.valence.stdev, result.bias_counts, result.total_credits
        ```
        A persona that fails (unknown name, rate limit, ...) gets an answer with
        `.error` set; the others are kept.

    Stream:
        ```python
        for answer in panel.stream("..."):  # in order of arrival
            print(answer.persona_name, answer.text if answer.ok else answer.error)
        ```

    LCEL:
        ```python
        chain = ChatPromptTemplate.from_template("React to: {idea}") | panel
        await chain.ainvoke({"idea": "a subscription for socks"})
        chain.batch([{"idea": "..."}, {"idea": "..."}])
        ```
    """

    # A misspelt setting (`min_credit=...`) is refused, not silently dropped; errors never echo input.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    model: ChatMavera
    """The model every persona answers through; its settings apply to each call."""
    personas: list[str] = Field(min_length=1)
    """Persona names or ids, in the order the result lists them."""
    max_concurrency: int = Field(default=8, ge=1)
    """Most persona calls in flight at once (8: a panel of up to 8 takes about its slowest call)."""
    analysis_mode: bool = True
    """Ask each persona for an analysis (confidence, emotion, biases)."""
    min_credits: float | None = Field(default=None, ge=0)
    """Opt-in pre-flight check: before asking anyone, `GET /usage` must show at least this many
    credits remaining, else `MaveraCreditCheckError` is raised and no persona is asked."""

    _resolver: PersonaResolver = PrivateAttr(default_factory=PersonaResolver)

    @property
    def OutputType(self) -> type[PanelResult]:
        """`PanelResult`: what `invoke` returns."""
        return PanelResult

    # -- persona resolution -------------------------------------------------------------------

    def _pending(self) -> list[str]:
        account = self.model.client_settings.account
        return [spec for spec in dict.fromkeys(self.personas) if self._resolver.found(spec, account) is None]

    def _seated(self, catalogue: list[MaveraPersona] | Exception) -> list[PanelSeat]:
        """Every distinct persona, in order; successes are cached, failures retried next call."""
        seats = [self._seat(spec, catalogue) for spec in dict.fromkeys(self.personas)]
        return [seat.model_copy(update={"index": index}) for index, seat in enumerate(seats)]

    def _seat(self, spec: str, catalogue: list[MaveraPersona] | Exception) -> PanelSeat:
        """Resolve one name or id against the persona list (or the error fetching it)."""
        try:
            persona_id, name = self._resolver.resolve_in(spec, catalogue, self.model.client_settings.account)
        except Exception as exc:  # the lookup error, or the list's own error
            return PanelSeat(id="", name=spec, error=exc)
        list_error = catalogue if isinstance(catalogue, Exception) else None
        return PanelSeat(id=persona_id, name=name, list_error=list_error)

    def _resolve(self) -> list[PanelSeat]:
        catalogue: list[MaveraPersona] | Exception = []
        if self._pending():
            try:
                catalogue = self.model.personas.list(limit=100)
            except Exception as exc:
                catalogue = exc
        return self._seated(catalogue)

    async def _aresolve(self) -> list[PanelSeat]:
        catalogue: list[MaveraPersona] | Exception = []
        if self._pending():
            try:
                catalogue = await self.model.personas.alist(limit=100)
            except Exception as exc:
                catalogue = exc
        return self._seated(catalogue)

    # -- credits pre-flight ---------------------------------------------------------------------

    def _check_credits(self) -> None:
        if self.min_credits is not None:
            from langchain_mavera.usage import require_credits

            require_credits(self.min_credits, model=self.model)

    async def _acheck_credits(self) -> None:
        if self.min_credits is not None:
            from langchain_mavera.usage import arequire_credits

            await arequire_credits(self.min_credits, model=self.model)

    def resolve_personas(self) -> list[PanelSeat]:
        """Each distinct persona as an id and a name (or the error finding it), in panel order."""
        return self._resolve()

    async def aresolve_personas(self) -> list[PanelSeat]:
        """Async twin of `resolve_personas`."""
        return await self._aresolve()

    # -- one persona ---------------------------------------------------------------------------

    def _call_kwargs(self, seat: PanelSeat, kwargs: dict[str, Any]) -> dict[str, Any]:
        extra = {"analysis_mode": True} if self.analysis_mode else {}
        return {**kwargs, **extra, "persona_id": seat.id}

    def _ask(
        self, seat: PanelSeat, prompt: LanguageModelInput, config: RunnableConfig, kwargs: dict[str, Any]
    ) -> PanelAnswer:
        if seat.error is not None:
            return PanelAnswer.failed(seat, seat.error)
        try:
            message = self.model.invoke(
                prompt, _member_config(config, seat), **self._call_kwargs(seat, kwargs)
            )
        except Exception as exc:
            return PanelAnswer.failed(seat, exc)
        return PanelAnswer.answered(seat, message)

    async def _aask(
        self,
        seat: PanelSeat,
        prompt: LanguageModelInput,
        config: RunnableConfig,
        kwargs: dict[str, Any],
        gate: asyncio.Semaphore,
    ) -> PanelAnswer:
        if seat.error is not None:
            return PanelAnswer.failed(seat, seat.error)
        try:
            async with gate:
                message = await self.model.ainvoke(
                    prompt, _member_config(config, seat), **self._call_kwargs(seat, kwargs)
                )
        except Exception as exc:
            return PanelAnswer.failed(seat, exc)
        return PanelAnswer.answered(seat, message)

    # -- the whole panel -----------------------------------------------------------------------

    def _answers(
        self,
        seats: list[PanelSeat],
        prompt: LanguageModelInput,
        config: RunnableConfig,
        kwargs: dict[str, Any],
    ) -> Iterator[PanelAnswer]:
        with ContextThreadPoolExecutor(max_workers=min(self.max_concurrency, len(seats))) as pool:
            futures = [pool.submit(self._ask, seat, prompt, config, kwargs) for seat in seats]
            answered: list[PanelAnswer] = []
            try:
                for future in as_completed(futures):
                    answered.append(future.result())
                    yield answered[-1]
            finally:
                for future in futures:
                    future.cancel()
        _raise_on_budget_stop(answered)

    async def _aanswers(
        self,
        seats: list[PanelSeat],
        prompt: LanguageModelInput,
        config: RunnableConfig,
        kwargs: dict[str, Any],
    ) -> AsyncIterator[PanelAnswer]:
        gate = asyncio.Semaphore(self.max_concurrency)
        tasks = [asyncio.ensure_future(self._aask(seat, prompt, config, kwargs, gate)) for seat in seats]
        answered: list[PanelAnswer] = []
        try:
            for next_done in asyncio.as_completed(tasks):
                answered.append(await next_done)
                yield answered[-1]
        finally:
            for task in tasks:
                task.cancel()
        _raise_on_budget_stop(answered)

    def as_tool(
        self,
        args_schema: type[BaseModel] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        arg_types: dict[str, type] | None = None,
    ) -> BaseTool:
        """This panel as an agent tool (`MaveraPanelTool`, content and `PanelResult` artifact).

        Args:
            args_schema: Not supported: the tool takes one `question` string.
            name: Tool name (default `"ask_panel"`).
            description: Tool description (default: one naming the panel's personas).
            arg_types: Not supported, as `args_schema`.
        """
        if args_schema is not None or arg_types is not None:
            msg = "PersonaPanel.as_tool takes only name and description; the tool's argument is `question`."
            raise TypeError(msg)
        from langchain_mavera.tools.panel import MaveraPanelTool

        settings = {key: value for key, value in (("name", name), ("description", description)) if value}
        return MaveraPanelTool(panel=self, **settings)

    # -- Runnable ------------------------------------------------------------------------------

    def invoke(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> PanelResult:
        """Every persona's answer, in the order `personas` lists them."""
        return self._call_with_config(self._invoke, input, config, **kwargs)

    async def ainvoke(
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> PanelResult:
        """Async twin of `invoke`; persona calls run on the event loop, `max_concurrency` at a time."""
        return await self._acall_with_config(self._ainvoke, input, config, **kwargs)

    def stream(  # type: ignore[override]
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> Iterator[PanelAnswer]:
        """Each persona's `PanelAnswer` as soon as it arrives."""
        yield from self.transform(iter([input]), config, **kwargs)

    async def astream(  # type: ignore[override]
        self, input: LanguageModelInput, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[PanelAnswer]:
        """Async twin of `stream`."""

        async def single() -> AsyncIterator[LanguageModelInput]:
            yield input

        async for answer in self.atransform(single(), config, **kwargs):
            yield answer

    def transform(  # type: ignore[override]
        self, input: Iterator[LanguageModelInput], config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> Iterator[PanelAnswer]:
        """Stream each persona's `PanelAnswer` as it arrives, for each input."""
        # The helper is typed for Output chunks; a panel streams answers that add up to its Output.
        answers = self._transform_stream_with_config(input, cast("Any", self._transform), config, **kwargs)
        yield from cast("Iterator[PanelAnswer]", answers)

    async def atransform(  # type: ignore[override]
        self,
        input: AsyncIterator[LanguageModelInput],
        config: RunnableConfig | None = None,
        **kwargs: Any | None,
    ) -> AsyncIterator[PanelAnswer]:
        """Async twin of `transform`."""
        answers = self._atransform_stream_with_config(input, cast("Any", self._atransform), config, **kwargs)
        async for answer in cast("AsyncIterator[PanelAnswer]", answers):
            yield answer

    def _invoke(
        self,
        input: LanguageModelInput,
        run_manager: CallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> PanelResult:
        _check_call_kwargs(kwargs)
        self._check_credits()
        seats = self._resolve()
        return PanelResult(answers=in_seat_order(list(self._answers(seats, input, config, kwargs))))

    async def _ainvoke(
        self,
        input: LanguageModelInput,
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> PanelResult:
        _check_call_kwargs(kwargs)
        await self._acheck_credits()
        seats = await self._aresolve()
        answers = [answer async for answer in self._aanswers(seats, input, config, kwargs)]
        return PanelResult(answers=in_seat_order(answers))

    def _transform(
        self,
        chunks: Iterator[LanguageModelInput],
        run_manager: CallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> Iterator[PanelAnswer]:
        _check_call_kwargs(kwargs)
        self._check_credits()
        prompt = _whole(list(chunks))
        yield from self._answers(self._resolve(), prompt, config, kwargs)

    async def _atransform(
        self,
        chunks: AsyncIterator[LanguageModelInput],
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
        **kwargs: Any,
    ) -> AsyncIterator[PanelAnswer]:
        _check_call_kwargs(kwargs)
        await self._acheck_credits()
        prompt = _whole([chunk async for chunk in chunks])
        async for answer in self._aanswers(await self._aresolve(), prompt, config, kwargs):
            yield answer


def _check_call_kwargs(kwargs: dict[str, Any]) -> None:
    """Refuse bad call kwargs once, before any request, rather than as every persona's failure."""
    validate_overrides(kwargs)


def _member_config(config: RunnableConfig, seat: PanelSeat) -> RunnableConfig:
    """Each persona's model run is named after it in traces."""
    return patch_config(config, run_name=f"ChatMavera[{seat.name}]")


def _whole(chunks: list[LanguageModelInput]) -> LanguageModelInput:
    """The input a stream of input chunks adds up to (a prompt usually arrives whole)."""
    if not chunks:
        msg = "PersonaPanel received no input."
        raise ValueError(msg)
    whole = chunks[0]
    for chunk in chunks[1:]:
        try:
            whole = whole + chunk  # type: ignore[operator]
        except TypeError:
            whole = chunk
    return whole
