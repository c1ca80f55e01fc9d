"""LangChain integration for Mavera's persona-intelligence API.

Names are imported on first use, so `import langchain_mavera` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from langchain_mavera._version import __version__

if TYPE_CHECKING:
    from langchain_mavera.analysis import Bias, Emotion, MaveraAnalysis, get_analysis
    from langchain_mavera.callbacks import MaveraCreditsCallbackHandler, get_mavera_callback
    from langchain_mavera.chat_models import ChatMavera
    from langchain_mavera.chat_models._analysis_parser import AnalysisOutputParser
    from langchain_mavera.custom_personas import CustomPersona, CustomPersonaFields, CustomPersonaSpec
    from langchain_mavera.errors import (
        MaveraAPIError,
        MaveraAuthenticationError,
        MaveraBudgetExceededError,
        MaveraConnectionError,
        MaveraCreditCheckError,
        MaveraError,
        MaveraInsufficientCreditsError,
        MaveraInvalidRequestError,
        MaveraNotFoundError,
        MaveraPermissionDeniedError,
        MaveraPersonaLookupError,
        MaveraPersonaNotFoundError,
        MaveraRateLimitError,
        MaveraServerError,
        MaveraStreamInterruptedError,
        MaveraSurveyStoreBusyError,
        MaveraSurveyStoreWriteError,
        MaveraTimeoutError,
        UnsupportedContentError,
    )
    from langchain_mavera.middleware.persona import MaveraPersonaMiddleware
    from langchain_mavera.news import (
        MaveraNews,
        NewsStory,
        PersonaPerception,
        StoryAnalysis,
        StoryChatReply,
        StoryDetails,
        StoryKeyPoint,
    )
    from langchain_mavera.panel.persona_panel import PersonaPanel
    from langchain_mavera.panel.results import PanelAnswer, PanelResult, PanelSeat, Spread
    from langchain_mavera.personas import MaveraPersona, MaveraPersonas
    from langchain_mavera.research import MaveValidation, ResearchPersona, ResearchResult, ResearchSource
    from langchain_mavera.retrievers.news import MaveraNewsRetriever
    from langchain_mavera.retrievers.persona import MaveraPersonaRetriever
    from langchain_mavera.retrievers.research import MaveraResearchRetriever
    from langchain_mavera.survey.persona_survey import PersonaSurvey
    from langchain_mavera.survey.results import SurveyAnswer, SurveyResult
    from langchain_mavera.tools.news import MaveraStoryAnalysisTool, MaveraStoryChatTool
    from langchain_mavera.tools.panel import MaveraPanelTool
    from langchain_mavera.tools.persona import MaveraPersonaTool
    from langchain_mavera.tools.research import MaveraResearchTool
    from langchain_mavera.usage import (
        BillingPeriod,
        CreditUsage,
        MaveraUsage,
        RateLimit,
        afetch_usage,
        arequire_credits,
        fetch_usage,
        require_credits,
    )

_EXPORTS: dict[str, str] = {
    "ChatMavera": "langchain_mavera.chat_models",
    **dict.fromkeys(["MaveraAnalysis", "Bias", "Emotion", "get_analysis"], "langchain_mavera.analysis"),
    "AnalysisOutputParser": "langchain_mavera.chat_models._analysis_parser",
    **dict.fromkeys(["MaveraCreditsCallbackHandler", "get_mavera_callback"], "langchain_mavera.callbacks"),
    "MaveraPersonaMiddleware": "langchain_mavera.middleware.persona",
    **dict.fromkeys(["MaveraPersonas", "MaveraPersona"], "langchain_mavera.personas"),
    "PersonaPanel": "langchain_mavera.panel.persona_panel",
    **dict.fromkeys(["PanelAnswer", "PanelResult", "PanelSeat", "Spread"], "langchain_mavera.panel.results"),
    "MaveraPanelTool": "langchain_mavera.tools.panel",
    "MaveraPersonaTool": "langchain_mavera.tools.persona",
    "MaveraPersonaRetriever": "langchain_mavera.retrievers.persona",
    **dict.fromkeys(
        ["CustomPersona", "CustomPersonaFields", "CustomPersonaSpec"], "langchain_mavera.custom_personas"
    ),
    **dict.fromkeys(
        ["MaveValidation", "ResearchPersona", "ResearchResult", "ResearchSource"], "langchain_mavera.research"
    ),
    "MaveraResearchRetriever": "langchain_mavera.retrievers.research",
    "MaveraResearchTool": "langchain_mavera.tools.research",
    **dict.fromkeys(
        [
            "MaveraNews",
            "NewsStory",
            "PersonaPerception",
            "StoryAnalysis",
            "StoryChatReply",
            "StoryDetails",
            "StoryKeyPoint",
        ],
        "langchain_mavera.news",
    ),
    "MaveraNewsRetriever": "langchain_mavera.retrievers.news",
    **dict.fromkeys(["MaveraStoryAnalysisTool", "MaveraStoryChatTool"], "langchain_mavera.tools.news"),
    **dict.fromkeys(
        [
            "BillingPeriod",
            "CreditUsage",
            "MaveraUsage",
            "RateLimit",
            "afetch_usage",
            "arequire_credits",
            "fetch_usage",
            "require_credits",
        ],
        "langchain_mavera.usage",
    ),
    "PersonaSurvey": "langchain_mavera.survey.persona_survey",
    **dict.fromkeys(["SurveyAnswer", "SurveyResult"], "langchain_mavera.survey.results"),
    **dict.fromkeys(
        [
            "MaveraAPIError",
            "MaveraAuthenticationError",
            "MaveraBudgetExceededError",
            "MaveraConnectionError",
            "MaveraCreditCheckError",
            "MaveraError",
            "MaveraInsufficientCreditsError",
            "MaveraInvalidRequestError",
            "MaveraNotFoundError",
            "MaveraPermissionDeniedError",
            "MaveraPersonaLookupError",
            "MaveraPersonaNotFoundError",
            "MaveraRateLimitError",
            "MaveraServerError",
            "MaveraStreamInterruptedError",
            "MaveraSurveyStoreBusyError",
            "MaveraSurveyStoreWriteError",
            "MaveraTimeoutError",
            "UnsupportedContentError",
        ],
        "langchain_mavera.errors",
    ),
}

__all__ = [
    "AnalysisOutputParser",
    "Bias",
    "BillingPeriod",
    "ChatMavera",
    "CreditUsage",
    "CustomPersona",
    "CustomPersonaFields",
    "CustomPersonaSpec",
    "Emotion",
    "MaveValidation",
    "MaveraAPIError",
    "MaveraAnalysis",
    "MaveraAuthenticationError",
    "MaveraBudgetExceededError",
    "MaveraConnectionError",
    "MaveraCreditCheckError",
    "MaveraCreditsCallbackHandler",
    "MaveraError",
    "MaveraInsufficientCreditsError",
    "MaveraInvalidRequestError",
    "MaveraNews",
    "MaveraNewsRetriever",
    "MaveraNotFoundError",
    "MaveraPanelTool",
    "MaveraPermissionDeniedError",
    "MaveraPersona",
    "MaveraPersonaLookupError",
    "MaveraPersonaMiddleware",
    "MaveraPersonaNotFoundError",
    "MaveraPersonaRetriever",
    "MaveraPersonaTool",
    "MaveraPersonas",
    "MaveraRateLimitError",
    "MaveraResearchRetriever",
    "MaveraResearchTool",
    "MaveraServerError",
    "MaveraStoryAnalysisTool",
    "MaveraStoryChatTool",
    "MaveraStreamInterruptedError",
    "MaveraSurveyStoreBusyError",
    "MaveraSurveyStoreWriteError",
    "MaveraTimeoutError",
    "MaveraUsage",
    "NewsStory",
    "PanelAnswer",
    "PanelResult",
    "PanelSeat",
    "PersonaPanel",
    "PersonaPerception",
    "PersonaSurvey",
    "RateLimit",
    "ResearchPersona",
    "ResearchResult",
    "ResearchSource",
    "Spread",
    "StoryAnalysis",
    "StoryChatReply",
    "StoryDetails",
    "StoryKeyPoint",
    "SurveyAnswer",
    "SurveyResult",
    "UnsupportedContentError",
    "__version__",
    "afetch_usage",
    "arequire_credits",
    "fetch_usage",
    "get_analysis",
    "get_mavera_callback",
    "require_credits",
]


def __getattr__(name: str) -> Any:
    """Load an export on first use.

    A name renamed before the first release raises ImportError naming the new one (so
    `hasattr(langchain_mavera, "PersonaTool")` raises too): `from langchain_mavera import Old`
    would replace an AttributeError's message with a generic one that hides the new name.
    """
    module_name = _EXPORTS.get(name)
    if module_name is None:
        from langchain_mavera._renames import renamed_class_error

        renamed = renamed_class_error(name)
        if renamed is not None:
            raise renamed
        msg = f"module 'langchain_mavera' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
