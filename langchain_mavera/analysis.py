"""A typed view of Mavera's `analysis` object.

The docs name only some keys (confidence, emotion.emotional_valence,
biases[].name) and describe the rest in prose, so every field is optional,
alternative spellings are accepted, and unknown keys are kept, never dropped.
The raw object stays in `response_metadata["analysis"]` exactly as sent.
"""

from __future__ import annotations

import warnings
from typing import Any

from langchain_core.messages import BaseMessage
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

__all__ = ["Bias", "Emotion", "MaveraAnalysis", "get_analysis"]


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class Emotion(_Tolerant):
    """Valence, arousal and dominance of the answer (the docs print them out of 10)."""

    emotional_valence: float | None = Field(
        default=None, validation_alias=AliasChoices("emotional_valence", "valence")
    )
    arousal: float | None = Field(default=None, validation_alias=AliasChoices("arousal", "emotional_arousal"))
    dominance: float | None = Field(
        default=None, validation_alias=AliasChoices("dominance", "emotional_dominance")
    )


class Bias(_Tolerant):
    """A cognitive bias that may affect the answer."""

    name: str | None = None
    description: str | None = None


class MaveraAnalysis(_Tolerant):
    """Mavera's structured analysis of an answer; every field may be absent."""

    confidence: int | float | None = None
    """Confidence score, 1 to 10."""
    emotion: Emotion | None = None
    biases: list[Bias] = Field(default_factory=list)
    insights: list[Any] = Field(
        default_factory=list, validation_alias=AliasChoices("insights", "key_insights")
    )
    """Key takeaways; usually strings, kept as sent when they are objects."""


def get_analysis(message: BaseMessage) -> MaveraAnalysis | None:
    """The typed analysis of a Mavera answer, or None when it carries none.

    Works on invoke results and on aggregated stream chunks alike. An analysis
    of an unexpected shape gives a warning and None; the raw value stays in
    `message.response_metadata["analysis"]`.
    """
    raw = message.response_metadata.get("analysis")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        warnings.warn(
            f"Mavera analysis is a {type(raw).__name__}, not an object; "
            "its raw value is kept in response_metadata['analysis'].",
            UserWarning,
            stacklevel=2,
        )
        return None
    try:
        return MaveraAnalysis.model_validate(raw)
    except ValidationError as exc:
        warnings.warn(
            f"Mavera analysis did not match the documented shape ({exc.error_count()} problems); "
            "its raw value is kept in response_metadata['analysis'].",
            UserWarning,
            stacklevel=2,
        )
        return None
