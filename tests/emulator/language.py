"""Reading the conversation and writing the reply, from the one template in ``data/replies.json``.

Reading is keyword matching, not understanding: good enough for replies to echo the right
topic and for synthesized arguments to pick up the numbers and quoted names a test put in its
prompt. Every reply names who answers (the persona's name and category) and echoes the
question's topic, so a test can tell which persona answered what. Nothing varies but what the
request carries: verbosity adds sentences, high reasoning effort and shared images add one
each, a "one word" system instruction shortens the reply to one word. The ``analysis`` object
(``analysis_mode: true``) has keys beyond ``confidence``, ``emotion.emotional_valence`` and
``biases[].name`` that are our best reading of the docs' prose; its numbers are hashed from
the persona and the question.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from .chat_request import ChatRequest, Message
from .personas import Persona
from .wire import Chooser, load

TEMPLATE: dict[str, Any] = load("replies")
WORDS: dict[str, list[str]] = load("words")
_STOPWORDS = frozenset(WORDS["stopwords"])
_ARTICLES = frozenset(("a", "an", "the"))
_SENTENCES = {"low": 1, "medium": 2, "high": 4}
_ONE_WORD = re.compile(r"\b(one|single|1)[- ]word\b", re.IGNORECASE)
_ABOUT = re.compile(
    r"\b(?:about|regarding|on the topic of)\s+(.+?)(?=[.?!,;:()]|\s+(?:and|but|so|because|for|with|in)\s|$)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
# A quote must open after whitespace or punctuation so apostrophes in words like "don't" are
# not mistaken for quotes.
_QUOTED = re.compile(
    r"""(?<![^\s(\[:,=])"""
    "(?:'([^'\n]+)'|\"([^\"\n]+)\"|\u201c([^\u201d\n]+)\u201d|\u2018([^\u2019\n]+)\u2019|\u300c([^\u300d\n]+)\u300d)"
    r"""(?!\w)"""
)
_WORD = re.compile(r"[\w$%&+'-]+")


@dataclass(frozen=True)
class Prompt:
    text: str
    focus: str  # a short phrase naming the topic, safe to splice into a sentence
    yes_no: bool  # a question such as "Would you pay more?"
    numbers: tuple[int | float, ...]
    quotes: tuple[str, ...]


def read_prompt(text: str) -> Prompt:
    cleaned = " ".join(text.split())
    words = cleaned.lower().split()
    return Prompt(
        text=cleaned,
        focus=_focus(cleaned),
        yes_no=bool(words) and words[0] in WORDS["auxiliaries"] and cleaned.endswith("?"),
        numbers=tuple(float(m) if "." in m else int(m) for m in _NUMBER.findall(cleaned)),
        quotes=tuple(next(g for g in m if g) for m in _QUOTED.findall(cleaned)),
    )


def _focus(text: str) -> str:
    sentences = [s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    sentence = next((s for s in sentences if s.endswith("?")), sentences[0] if sentences else text)
    about = _ABOUT.search(sentence)
    if about:
        return " ".join(about.group(1).split()[:6]).strip(" '\"")
    runs: list[list[str]] = [[]]
    previous = ""
    for word in _WORD.findall(sentence):
        bare = word.strip("'-")
        lowered = bare.lower()
        # Acronyms (AI, CRM, B2B) count; so do words of three letters or more.
        if (
            bare
            and lowered not in _STOPWORDS
            and ((bare.isupper() and len(bare) >= 2) or (len(bare) >= 3 and not bare.isdigit()))
        ):
            # Keep the article so "launch a loyalty program" reads naturally.
            if not runs[-1] and previous.lower() in _ARTICLES:
                runs[-1].append(previous)
            runs[-1].append(bare)
        elif runs[-1]:
            runs.append([])
        previous = bare
    runs = [run for run in runs if run]
    if not runs:
        return "this"
    # The longest run is usually the noun phrase; ties go to the later one, which in
    # questions tends to be the object rather than the subject.
    best = max(reversed(runs), key=lambda run: len(" ".join(run)))
    return " ".join([best[0], *best[1:][-3:]] if best[0].lower() in _ARTICLES else best[-4:])


def say(key: str, **values: Any) -> str:
    """One sentence of the reply template, filled in."""
    return str(TEMPLATE[key]).format(**values)


def speaker(persona: Persona | None) -> str:
    """Who answers, as a sentence opener: "As Gen Z Consumer (Generational)"."""
    return f"As {persona.name} ({persona.category})" if persona else "In general"


def question_of(req: ChatRequest) -> Message:
    """The message being answered: the last user turn, else the last message."""
    return next((m for m in reversed(req.messages) if m.role == "user"), req.last)


def chooser_for(req: ChatRequest, prompt: Prompt) -> Chooser:
    return Chooser(f"{req.persona.id if req.persona else 'generic'}\n{prompt.text}")


def compose_reply(req: ChatRequest) -> str:
    """The assistant text for a request that is answered in prose."""
    if req.last.role == "tool":
        return _tool_result_reply(req)
    question = question_of(req)
    prompt = read_prompt(question.text)
    if any(_ONE_WORD.search(m.text) for m in req.messages if m.role in ("system", "developer")):
        if prompt.yes_no:
            return "Yes." if Chooser(prompt.text).integer("one-word", 0, 1) else "No."
        last = prompt.focus.split()[-1]
        return last[:1].upper() + last[1:] + "."
    sentences = [say("opening", speaker=speaker(req.persona), focus=prompt.focus)]
    if any(m.role == "assistant" for m in req.messages[:-1]):
        sentences.insert(0, TEMPLATE["follow_up"])
    if question.image_count:
        sentences.append(TEMPLATE["image"])
    if req.reasoning_effort == "high":
        sentences.append(TEMPLATE["careful"])
    details = TEMPLATE["details"][: _SENTENCES[req.verbosity or "medium"]]
    return " ".join(sentences + [detail.format(focus=prompt.focus) for detail in details])


def _tool_result_reply(req: ChatRequest) -> str:
    names = {call.id: call.name for m in req.messages for call in m.tool_calls}
    results: list[Message] = []
    for message in reversed(req.messages):
        if message.role != "tool":
            break
        results.insert(0, message)
    sentences = [_tool_sentence(names.get(m.tool_call_id or "", "the tool"), m.text.strip()) for m in results]
    if req.persona:
        sentences.append(say("tool_closing", speaker=speaker(req.persona)))
    return " ".join(sentences)


def _tool_sentence(name: str, content: str) -> str:
    if content.lower().startswith("error"):
        return say("tool_failed", name=name, error=content.rstrip("."))
    value = _scalar(content)
    if value is not None:
        return say("tool_value", name=name, value=value)
    # A tool's first paragraph is its answer; later ones (a persona tool's summary) are notes.
    returned = content.split("\n\n", 1)[0].strip()
    if len(returned) > 200:
        returned = returned[:200].rsplit(" ", 1)[0] + " ..."
    elif not returned.endswith((".", "!", "?")):
        returned += "."
    return say("tool_returned", name=name, returned=returned)


def _scalar(content: str) -> str | None:
    """The single value inside a tool result, if it has just one."""
    try:
        parsed = json.loads(content)
    except ValueError:
        return None
    if isinstance(parsed, dict) and len(parsed) == 1:
        parsed = next(iter(parsed.values()))
    if isinstance(parsed, bool) or parsed is None:
        return json.dumps(parsed)
    return str(parsed) if isinstance(parsed, int | float | str) else None


def build_analysis(persona: Persona | None, prompt: Prompt, chooser: Chooser) -> dict[str, Any]:
    who = persona.name if persona else "the audience"
    # Expert personas speak from experience, so they sound surer of themselves.
    low, high = (6, 9) if persona is not None and persona.is_expert else (5, 8)
    biases: list[str] = TEMPLATE["biases"]
    start = chooser.integer("bias-start", 0, len(biases) - 1)
    chosen = [biases[(start + 3 * i) % len(biases)] for i in range(chooser.integer("bias-count", 0, 3))]
    insights = TEMPLATE["insights"][: chooser.integer("insight-count", 2, 4)]

    def scale(label: str, low: float, high: float) -> float:
        return round(low + chooser.fraction(label) * (high - low), 1)

    return {
        "confidence": chooser.integer("confidence", low, high),
        "emotion": {
            "emotional_valence": scale("valence", 3.0, 8.5),
            "arousal": scale("arousal", 2.5, 7.5),
            "dominance": scale("dominance", 3.0, 8.0),
        },
        "biases": [
            {"name": name, "description": say("bias", name=name, who=who, focus=prompt.focus)}
            for name in chosen
        ],
        "insights": [_capitalize(text.format(who=who, focus=prompt.focus)) for text in insights],
    }


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
