"""LangChain integration for Mavera's persona-intelligence API.

Names are imported on first use, so `import langchain_mavera` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from langchain_mavera._version import __version__

if TYPE_CHECKING:
    from langchain_mavera._messages import UnsupportedContentError
    from langchain_mavera.analysis import Analysis, Bias, Emotion, get_analysis
    from langchain_mavera.chat_models import ChatMavera
    from langchain_mavera.errors import (
        MaveraAPIError,
        MaveraAuthenticationError,
        MaveraConnectionError,
        MaveraError,
        MaveraInsufficientCreditsError,
        MaveraInvalidRequestError,
        MaveraNotFoundError,
        MaveraPermissionDeniedError,
        MaveraPersonaNotFoundError,
        MaveraRateLimitError,
        MaveraServerError,
        MaveraStreamInterruptedError,
        MaveraTimeoutError,
    )
    from langchain_mavera.panel import PanelAnswer, PanelResult, PersonaPanel, Spread
    from langchain_mavera.personas import MaveraPersonaLookupError, MaveraPersonas, Persona
    from langchain_mavera.survey import PersonaSurvey, SurveyAnswer, SurveyResult

_EXPORTS: dict[str, str] = {
    "ChatMavera": "langchain_mavera.chat_models",
    "Analysis": "langchain_mavera.analysis",
    "Bias": "langchain_mavera.analysis",
    "Emotion": "langchain_mavera.analysis",
    "get_analysis": "langchain_mavera.analysis",
    "UnsupportedContentError": "langchain_mavera._messages",
    **dict.fromkeys(["MaveraPersonaLookupError", "MaveraPersonas", "Persona"], "langchain_mavera.personas"),
    **dict.fromkeys(["PanelAnswer", "PanelResult", "PersonaPanel", "Spread"], "langchain_mavera.panel"),
    **dict.fromkeys(["PersonaSurvey", "SurveyAnswer", "SurveyResult"], "langchain_mavera.survey"),
    **dict.fromkeys(
        [
            "MaveraAPIError",
            "MaveraAuthenticationError",
            "MaveraConnectionError",
            "MaveraError",
            "MaveraInsufficientCreditsError",
            "MaveraInvalidRequestError",
            "MaveraNotFoundError",
            "MaveraPermissionDeniedError",
            "MaveraPersonaNotFoundError",
            "MaveraRateLimitError",
            "MaveraServerError",
            "MaveraStreamInterruptedError",
            "MaveraTimeoutError",
        ],
        "langchain_mavera.errors",
    ),
}

__all__ = [
    "Analysis",
    "Bias",
    "ChatMavera",
    "Emotion",
    "MaveraAPIError",
    "MaveraAuthenticationError",
    "MaveraConnectionError",
    "MaveraError",
    "MaveraInsufficientCreditsError",
    "MaveraInvalidRequestError",
    "MaveraNotFoundError",
    "MaveraPermissionDeniedError",
    "MaveraPersonaLookupError",
    "MaveraPersonaNotFoundError",
    "MaveraPersonas",
    "MaveraRateLimitError",
    "MaveraServerError",
    "MaveraStreamInterruptedError",
    "MaveraTimeoutError",
    "PanelAnswer",
    "PanelResult",
    "Persona",
    "PersonaPanel",
    "PersonaSurvey",
    "Spread",
    "SurveyAnswer",
    "SurveyResult",
    "UnsupportedContentError",
    "__version__",
    "get_analysis",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        msg = f"module 'langchain_mavera' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
