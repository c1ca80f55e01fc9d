"""The ``analysis`` object returned with ``analysis_mode: true``.

Key names beyond ``confidence``, ``emotion.emotional_valence`` and
``biases[].name`` are undocumented; ``arousal``, ``dominance``,
``description`` and ``insights`` are our best reading of the prose.
"""

import re
from typing import Any

from .hashing import Chooser
from .personas import Persona
from .prompt import Prompt
from .voices import Voice

_BIASES: tuple[tuple[str, str], ...] = (
    ("Confirmation bias", "Tends to favour evidence that confirms {p0} matters most."),
    ("Anchoring", "Early information about {focus} is likely to anchor later views."),
    ("Bandwagon effect", "Leans on what peers and trusted voices say about {focus}."),
    ("Loss aversion", "Weighs the downside of {focus} more heavily than the upside."),
    (
        "Status quo bias",
        "Prefers the current approach unless {focus} is clearly better.",
    ),
    ("Availability heuristic", "Recent, vivid examples shape how {focus} is judged."),
    ("Authority bias", "Gives extra weight to expert opinions on {focus}."),
    ("Optimism bias", "May underestimate the effort {focus} really takes."),
)
_INSIGHTS = (
    "{Focus} is judged primarily on {p0}.",
    "Messaging about {focus} should lead with {p1}.",
    "Expect resistance if {focus} ignores {p2}.",
    "Proof points tied to {p3} will build trust.",
)


_FIRST_TO_THIRD = {"i": "they", "me": "them", "my": "their", "mine": "theirs", "i'm": "they're"}


def third_person(phrase: str) -> str:
    """Persona priorities are written as "I"; analysis talks about the persona."""
    return re.sub(
        r"\b(I'm|I|me|my|mine)\b",
        lambda m: _FIRST_TO_THIRD[m.group(1).lower()],
        phrase,
    )


def build_analysis(persona: Persona | None, voice: Voice, prompt: Prompt, chooser: Chooser) -> dict[str, Any]:
    p0, p1, p2, p3 = (third_person(p) for p in voice.priorities)
    slots = {
        "focus": prompt.focus,
        "Focus": prompt.focus[:1].upper() + prompt.focus[1:],
        "p0": p0,
        "p1": p1,
        "p2": p2,
        "p3": p3,
    }
    expert = persona is not None and persona.is_expert
    # Expert personas speak from experience, so they sound surer of themselves.
    low, high = (6, 9) if expert else (5, 8)
    return {
        "confidence": chooser.integer("confidence", low, high),
        "emotion": {
            "emotional_valence": _scale(chooser, "valence", 3.0, 8.5),
            "arousal": _scale(chooser, "arousal", 2.5, 7.5),
            "dominance": _scale(chooser, "dominance", 3.0, 8.0),
        },
        "biases": _biases(chooser, slots),
        "insights": [
            template.format(**slots) for template in _INSIGHTS[: chooser.integer("insight-count", 2, 4)]
        ],
    }


def _scale(chooser: Chooser, label: str, low: float, high: float) -> float:
    return round(low + chooser.fraction(label) * (high - low), 1)


def _biases(chooser: Chooser, slots: dict[str, str]) -> list[dict[str, str]]:
    count = chooser.integer("bias-count", 0, 3)
    start = chooser.integer("bias-start", 0, len(_BIASES) - 1)
    picked = [_BIASES[(start + 3 * i) % len(_BIASES)] for i in range(count)]
    return [{"name": name, "description": description.format(**slots)} for name, description in picked]
