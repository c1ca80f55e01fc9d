"""The ``analysis`` object returned with ``analysis_mode: true``.

Key names beyond ``confidence``, ``emotion.emotional_valence`` and
``biases[].name`` are undocumented; ``arousal``, ``dominance``,
``description`` and ``insights`` are our best reading of the prose. Every
number comes from a hash of the persona and the question.
"""

from typing import Any

from .hashing import Chooser
from .personas import Persona
from .prompt import Prompt

_BIASES = (
    "Confirmation bias",
    "Anchoring",
    "Bandwagon effect",
    "Loss aversion",
    "Status quo bias",
    "Availability heuristic",
    "Authority bias",
    "Optimism bias",
)
_BIAS = "{name} shapes how {who} sees {focus}."
_INSIGHTS = (
    "{who} judges {focus} mainly on value for money.",
    "Messaging about {focus} should lead with proof.",
    "{who} expects honesty about {focus}.",
    "Peers shape how {who} sees {focus}.",
)


def build_analysis(persona: Persona | None, prompt: Prompt, chooser: Chooser) -> dict[str, Any]:
    who = persona.name if persona else "the audience"
    # Expert personas speak from experience, so they sound surer of themselves.
    low, high = (6, 9) if persona is not None and persona.is_expert else (5, 8)
    count = chooser.integer("bias-count", 0, 3)
    start = chooser.integer("bias-start", 0, len(_BIASES) - 1)
    biases = [_BIASES[(start + 3 * i) % len(_BIASES)] for i in range(count)]
    about = {"who": who, "focus": prompt.focus}
    insights = _INSIGHTS[: chooser.integer("insight-count", 2, 4)]
    return {
        "confidence": chooser.integer("confidence", low, high),
        "emotion": {
            "emotional_valence": _scale(chooser, "valence", 3.0, 8.5),
            "arousal": _scale(chooser, "arousal", 2.5, 7.5),
            "dominance": _scale(chooser, "dominance", 3.0, 8.0),
        },
        "biases": [{"name": name, "description": _BIAS.format(name=name, **about)} for name in biases],
        "insights": [_capitalize(template.format(**about)) for template in insights],
    }


def _scale(chooser: Chooser, label: str, low: float, high: float) -> float:
    return round(low + chooser.fraction(label) * (high - low), 1)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
