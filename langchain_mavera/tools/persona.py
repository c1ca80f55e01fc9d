"""Personas as agent tools: ask one persona (`MaveraPersonaTool`); a whole panel is `tools.panel`.

It returns `content_and_artifact`: the model reading the tool result sees the
answer text and a one-line analysis summary; the `ToolMessage.artifact` keeps
the full typed `PanelAnswer` (analysis, credits, persona, the raw message) for
the application. The persona call runs as a child run of the tool, so tracing
and credit callbacks see it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Self

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, create_model, model_validator

from langchain_mavera._credits import charge
from langchain_mavera._persona_resolver import PersonaResolver
from langchain_mavera._tool_errors import tool_errors
from langchain_mavera.analysis import get_analysis
from langchain_mavera.chat_models import ChatMavera
from langchain_mavera.panel.results import PanelAnswer
from langchain_mavera.tools._common import Question, child_config, summary_line

__all__ = ["MaveraPersonaTool"]


def _choice_schema(choices: list[str]) -> type[BaseModel]:
    """`question` plus a `persona` argument limited to the allowed names or ids."""
    allowed: Any = Literal[tuple(choices)]
    return create_model(
        "PersonaQuestion",
        question=(str, Field(description="What to ask, phrased as you would ask a person.")),
        persona=(allowed, Field(description="Which persona answers.")),
    )


class MaveraPersonaTool(BaseTool):
    """Ask a Mavera persona a question from inside an agent.

    Setup:
        ```python
        from langchain.agents import create_agent
        from langchain_mavera import ChatMavera, MaveraPersonaTool

        ask = MaveraPersonaTool(model=ChatMavera(), personas=["Gen Z Consumer"])  # one persona
        # the agent picks one of several:
        ask_any = MaveraPersonaTool(model=ChatMavera(), personas=["Gen Z Consumer", "SaaS CMO"])
        agent = create_agent(planner_model, tools=[ask_any])
        ```
        With one persona (or none, when `model.persona_id` is set) the tool takes
        `question`; with several it also takes `persona`, one of the given names
        or ids. Names are looked up once (`GET /personas`) and cached.

    Result:
        The `ToolMessage` content is the answer plus a summary line such as
        `[Gen Z Consumer · confidence 6/10 · valence 3.8 · biases: Status quo bias · credits 3]`;
        its `artifact` is a `PanelAnswer` (typed `analysis`, `credits`,
        `persona_id`, `persona_name`, the raw `message`).
    """

    # An error never echoes its input: a key passed here by mistake would show in it.
    model_config = ConfigDict(hide_input_in_errors=True)

    name: str = "ask_persona"
    description: str = ""
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    handle_tool_error: bool | str | Callable[[ToolException], str] | None = True
    """A persona the server refuses (400) or cannot find comes back as the tool's output."""
    model: ChatMavera
    """The model the persona answers through; its settings apply to each call."""
    personas: list[str] = Field(default_factory=list)
    """Persona names or ids the agent may ask; empty means `model.persona_id`."""
    analysis_mode: bool = True
    """Ask for an analysis (confidence, emotion, biases) with every answer."""

    _resolver: PersonaResolver = PrivateAttr(default_factory=PersonaResolver)

    @model_validator(mode="after")
    def _check_personas(self) -> Self:
        if not self.personas and self.model.persona_id is None:
            msg = "MaveraPersonaTool needs personas=[name or id, ...] or a model with persona_id set."
            raise ValueError(msg)
        blank = [spec for spec in self.personas if not isinstance(spec, str) or not spec.strip()]
        if blank or len(set(self.personas)) != len(self.personas):
            msg = f"personas must be distinct, non-blank persona names or ids; got {self.personas!r}."
            raise ValueError(msg)
        self.args_schema = _choice_schema(self.personas) if len(self.personas) > 1 else Question
        if not self.description:
            self.description = self._describe()
        return self

    def _describe(self) -> str:
        if len(self.personas) > 1:
            listed = ", ".join(self.personas)
            return (
                "Ask an audience persona a question; it answers in its own voice, with an analysis "
                f"summary (confidence, emotion, biases). Choose the persona by name: {listed}."
            )
        who = self.personas[0] if self.personas else "the configured"
        return (
            f"Ask the {who} audience persona a question; it answers in its own voice, "
            "with an analysis summary (confidence, emotion, biases)."
        )

    def _spec(self, persona: str | None) -> str:
        if persona is not None:
            return persona
        return self.personas[0] if self.personas else str(self.model.persona_id)

    def _call_kwargs(self, persona_id: str) -> dict[str, Any]:
        extra = {"analysis_mode": True} if self.analysis_mode else {}
        return {**extra, "persona_id": persona_id}

    def _result(self, spec: str, persona_id: str, message: Any) -> tuple[str, PanelAnswer]:
        credits = message.response_metadata.get("credits_used")
        answer = PanelAnswer(
            persona_id=persona_id,
            persona_name=spec,
            message=message,
            analysis=get_analysis(message),
            credits=charge(credits),
        )
        return f"{answer.text}\n\n{summary_line(answer)}", answer

    def _run(
        self,
        question: str,
        persona: str | None = None,
        *,
        config: RunnableConfig,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> tuple[str, PanelAnswer]:
        spec = self._spec(persona)
        with tool_errors():
            persona_id = self._id(spec)
            message = self.model.invoke(
                question, child_config(config, run_manager), **self._call_kwargs(persona_id)
            )
        return self._result(spec, persona_id, message)

    async def _arun(
        self,
        question: str,
        persona: str | None = None,
        *,
        config: RunnableConfig,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, PanelAnswer]:
        spec = self._spec(persona)
        with tool_errors():
            persona_id = await self._aid(spec)
            message = await self.model.ainvoke(
                question, child_config(config, run_manager), **self._call_kwargs(persona_id)
            )
        return self._result(spec, persona_id, message)

    def _id(self, spec: str) -> str:
        return self._resolver.resolve(spec, self.model)

    async def _aid(self, spec: str) -> str:
        return await self._resolver.aresolve(spec, self.model)
