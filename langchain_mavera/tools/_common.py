"""What the persona tools share: the question argument, the child-run config and the summary line."""

from __future__ import annotations

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import patch_config
from pydantic import BaseModel, Field

from langchain_mavera._credits import format_credits
from langchain_mavera.panel.results import PanelAnswer

__all__ = ["Question", "child_config", "summary_line"]


def _score(value: float) -> str:
    return f"{value:g}"


def summary_line(answer: PanelAnswer) -> str:
    """One line of analysis for an agent to read: persona, confidence, valence, biases, credits."""
    if answer.error is not None:
        return f"[{answer.persona_name}: failed, {type(answer.error).__name__}: {answer.error}]"
    parts = [answer.persona_name]
    analysis = answer.analysis
    if analysis is not None:
        if analysis.confidence is not None:
            parts.append(f"confidence {_score(analysis.confidence)}/10")
        if analysis.emotion is not None and analysis.emotion.emotional_valence is not None:
            parts.append(f"valence {_score(analysis.emotion.emotional_valence)}")
        biases = [bias.name for bias in analysis.biases if bias.name]
        if biases:
            parts.append("biases: " + ", ".join(dict.fromkeys(biases)))
    if answer.credits is not None:
        parts.append(f"credits {format_credits(answer.credits)}")
    return "[" + " · ".join(parts) + "]"


class Question(BaseModel):
    question: str = Field(description="What to ask, phrased as you would ask a person.")


def child_config(
    config: RunnableConfig, run_manager: CallbackManagerForToolRun | AsyncCallbackManagerForToolRun | None
) -> RunnableConfig:
    """The tool's config with its run as the parent, so callbacks see the persona call."""
    if run_manager is None:
        return config
    return patch_config(config, callbacks=run_manager.get_child())
