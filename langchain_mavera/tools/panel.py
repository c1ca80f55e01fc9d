"""A whole `PersonaPanel` as one agent tool (`MaveraPanelTool`, also `panel.as_tool()`).

It returns `content_and_artifact`: the model sees every answer with its summary
line and the panel summary; the `ToolMessage.artifact` is the `PanelResult`. The
panel's persona calls run as child runs of the tool.
"""

from __future__ import annotations

from typing import Literal, Self

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, model_validator

from langchain_mavera._credits import format_credits
from langchain_mavera.panel.persona_panel import PersonaPanel
from langchain_mavera.panel.results import PanelResult
from langchain_mavera.tools._common import Question, child_config, summary_line

__all__ = ["MaveraPanelTool"]


class MaveraPanelTool(BaseTool):
    """Ask every persona of a `PersonaPanel` the same question from inside an agent.

    Setup:
        ```python
        from langchain_mavera import ChatMavera, PersonaPanel

        panel = PersonaPanel(model=ChatMavera(), personas=["Gen Z Consumer", "SaaS CMO"])
        tool = panel.as_tool()  # or MaveraPanelTool(panel=panel)
        ```

    Result:
        The content has each persona's answer and summary line, then the panel
        summary (answered/failed, confidence and valence spread, credits, biases);
        the `artifact` is the `PanelResult`.
    """

    # An error never echoes its input: a key passed here by mistake would show in it.
    model_config = ConfigDict(hide_input_in_errors=True)

    name: str = "ask_panel"
    description: str = ""
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    args_schema: type[BaseModel] = Question
    panel: PersonaPanel

    @model_validator(mode="after")
    def _describe(self) -> Self:
        if not self.description:
            self.description = (
                "Ask a panel of audience personas the same question; each answers in its own voice. "
                f"Returns every answer with an analysis summary. Panel: {', '.join(self.panel.personas)}."
            )
        return self

    def _run(
        self, question: str, *, config: RunnableConfig, run_manager: CallbackManagerForToolRun | None = None
    ) -> tuple[str, PanelResult]:
        result = self.panel.invoke(question, child_config(config, run_manager))
        return _panel_content(result), result

    async def _arun(
        self,
        question: str,
        *,
        config: RunnableConfig,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, PanelResult]:
        result = await self.panel.ainvoke(question, child_config(config, run_manager))
        return _panel_content(result), result


def _panel_content(result: PanelResult) -> str:
    blocks = [
        f"{answer.persona_name}: {answer.text}\n{summary_line(answer)}" if answer.ok else summary_line(answer)
        for answer in result.answers
    ]
    parts = [f"Panel: {len(result.succeeded)} answered, {len(result.failed)} failed"]
    if result.confidence:
        parts.append(f"confidence {result.confidence}")
    if result.valence:
        parts.append(f"valence {result.valence}")
    parts.append(f"credits {format_credits(result.total_credits)}")
    return "\n\n".join([*blocks, " · ".join(parts)])
