"""Persona-voiced reply text, deterministic for a given persona and question.

Replies are assembled from the persona's :class:`~.voices.Voice` with
templates chosen by hashing the question, so two different questions read
differently while one question always gets the same answer.
"""

import json
from collections.abc import Sequence

from .chat_request import ChatRequest, Message
from .hashing import Chooser
from .prompt import Instructions, Prompt, read_instructions, read_prompt, singular
from .voices import GENERIC, Voice, voice_for

_VERDICTS = (
    "Short answer: yes.",
    "Mostly yes, with conditions.",
    "It depends.",
    "Honestly, not yet.",
)
_OPENERS = (
    "{Filler}{intro_c}, my take on {focus} comes down to {p0}.",
    "You asked about {focus}. {Filler}{intro_c}, the first thing I look at is {p0}.",
    "When it comes to {focus}, {p0} is what decides it for me{intro_c}.",
)
_QUOTED_OPENER = '"{question}" Good question. {Filler}{intro_c}, I\'d start with {p0}.'
_YES_NO_OPENER = "{verdict} {Filler}{intro_c}, {focus} only works for me if it gets {p0} right."
_WEIGH = "I also weigh {p1} and {p2}, so anything about {focus} has to hold up on both."
_REASONING = "I weighed this carefully before answering, and {p0} still outranks {p3} for me."
_IMAGE = "Looking at the image you shared, my eye goes straight to {p0}."
_FOLLOW_UP = "Picking up from where we left off."

_LANGUAGE_REPLIES: dict[str, tuple[str, str]] = {
    # (with persona name, generic)
    "french": (
        "Bonne question ! En tant que {name}, pour moi, {focus} dépend surtout de "
        "la confiance et du rapport qualité-prix. Si c'est honnête et utile, je suis "
        "partant.",
        "Bonne question ! Pour {focus}, tout dépend de votre objectif et des "
        "compromis acceptables. Commencez petit, mesurez, puis ajustez.",
    ),
    "spanish": (
        "¡Buena pregunta! Como {name}, para mí {focus} depende sobre todo de la "
        "confianza y de la relación calidad-precio. Si es honesto y útil, me apunto.",
        "¡Buena pregunta! Con {focus}, todo depende de tu objetivo y de los "
        "compromisos aceptables. Empieza poco a poco, mide y ajusta.",
    ),
    "german": (
        "Gute Frage! Als {name} hängt {focus} für mich vor allem von Vertrauen und "
        "Preis-Leistung ab. Wenn es ehrlich und nützlich ist, bin ich dabei.",
        "Gute Frage! Bei {focus} kommt es vor allem auf Ihr Ziel und die "
        "Kompromisse an. Klein anfangen, messen, dann anpassen.",
    ),
    "italian": (
        "Bella domanda! Come {name}, per me {focus} dipende soprattutto dalla "
        "fiducia e dal rapporto qualità-prezzo. Se è onesto e utile, ci sto.",
        "Bella domanda! Con {focus}, tutto dipende dal tuo obiettivo e dai "
        "compromessi accettabili. Inizia in piccolo, misura e poi correggi.",
    ),
    "portuguese": (
        "Boa pergunta! Como {name}, para mim {focus} depende sobretudo de confiança "
        "e custo-benefício. Se for honesto e útil, estou dentro.",
        "Boa pergunta! Com {focus}, tudo depende do seu objetivo e dos compromissos "
        "aceitáveis. Comece pequeno, meça e ajuste.",
    ),
}


def compose_reply(req: ChatRequest) -> str:
    """The assistant text for a request that is answered in prose."""
    voice = voice_for(req.persona.id if req.persona else None)
    if req.last.role == "tool":
        return _tool_result_reply(req, voice)
    question = question_of(req)
    prompt = read_prompt(question.text)
    chooser = chooser_for(req, prompt)
    instructions = read_instructions([m.text for m in req.messages if m.role in ("system", "developer")])
    if instructions.one_word:
        return _one_word(voice, prompt, chooser)
    if instructions.language:
        return _in_language(req, instructions.language, prompt)
    sentences = _sentences(req, voice, prompt, chooser, instructions, question)
    return _render(sentences, bullets=instructions.bullets)


def question_of(req: ChatRequest) -> Message:
    """The message being answered: the last user turn, else the last message."""
    for message in reversed(req.messages):
        if message.role == "user":
            return message
    return req.last


def chooser_for(req: ChatRequest, prompt: Prompt) -> Chooser:
    persona_id = req.persona.id if req.persona else "generic"
    return Chooser(f"{persona_id}\n{prompt.text}")


def _sentences(
    req: ChatRequest,
    voice: Voice,
    prompt: Prompt,
    chooser: Chooser,
    instructions: Instructions,
    question: Message,
) -> list[str]:
    slots = _slots(voice, prompt, chooser)
    if prompt.intent == "greeting":
        return _greeting(voice, slots)
    if prompt.intent == "joke":
        return [*joke(voice, prompt.focus), chooser.pick("signoff", voice.signoffs)]
    verbosity = req.verbosity or instructions.verbosity or "medium"
    habits = _distinct(chooser, "habit", voice.habits, 2)
    body = [
        _opener(prompt, slots, chooser),
        *([_IMAGE.format(**slots)] if question.image_count else []),
        *([_REASONING.format(**slots)] if req.reasoning_effort == "high" else []),
    ]
    if any(m.role == "assistant" for m in req.messages[:-1]):
        body.insert(0, _FOLLOW_UP)
    weigh = _WEIGH.format(**slots)
    dealbreaker = chooser.pick("dealbreaker", voice.dealbreakers)
    advice = chooser.pick("advice", voice.advice).format(**slots)
    signoff = chooser.pick("signoff", voice.signoffs)
    if verbosity == "low":
        return [*body, weigh, signoff]
    if verbosity == "high":
        return [*body, habits[0], weigh, habits[1], advice, dealbreaker, signoff]
    return [*body, habits[0], weigh, dealbreaker, signoff]


def _slots(voice: Voice, prompt: Prompt, chooser: Chooser) -> dict[str, str]:
    p0, p1, p2, p3 = voice.priorities
    return {
        "Filler": chooser.pick("filler", voice.fillers),
        # The generic voice has no persona to introduce, hence the optional clause.
        "intro_c": f", {voice.intro}" if voice.intro else "",
        "written": f", written {voice.intro}" if voice.intro else "",
        "focus": prompt.focus,
        "question": prompt.text,
        "verdict": chooser.pick("verdict", _VERDICTS),
        "p0": p0,
        "p1": p1,
        "p2": p2,
        "p3": p3,
    }


def _opener(prompt: Prompt, slots: dict[str, str], chooser: Chooser) -> str:
    if prompt.intent == "yes_no":
        return _YES_NO_OPENER.format(**slots)
    if prompt.intent == "creative":
        return (
            f"Here's a short take on {slots['focus']}{slots['written']}. "
            f"{_capitalize(slots['focus'])} has to earn attention the way everything "
            f"does with me: through {slots['p0']}."
        )
    options = list(_OPENERS)
    if len(prompt.text.split()) <= 16 and prompt.text.endswith("?"):
        options.append(_QUOTED_OPENER)
    return chooser.pick("opener", options).format(**slots)


def _greeting(voice: Voice, slots: dict[str, str]) -> list[str]:
    if voice is GENERIC:
        return [voice.greeting, "What would you like to work on today?"]
    return [
        voice.greeting,
        f"I'm here {voice.intro}, so you'll get my honest perspective.",
        f"Ask me about {slots['p0']}, {slots['p1']} or anything in between.",
    ]


def joke(voice: Voice, topic: str) -> tuple[str, str]:
    """A (setup, punchline) pair in the persona's humour, about the topic."""
    subject = singular(topic) if topic != "this" else "intern"
    subject = subject.removeprefix("a ").removeprefix("an ").removeprefix("the ")
    setup_tail, punchline = voice.joke
    return f"Why did the {subject} {setup_tail}?", punchline


def persona_sentence(voice: Voice, focus: str, chooser: Chooser, label: str) -> str:
    """One self-contained sentence about the focus, for structured outputs."""
    p0, p1, *_ = voice.priorities
    intro_c = f", {voice.intro}" if voice.intro else ""
    templates = (
        f"When it comes to {focus}, {p0} matters most{intro_c}.",
        f"{_capitalize(focus)} has to get {p0} and {p1} right{intro_c}.",
        f"{chooser.pick(label + ':filler', voice.fillers)}{intro_c}, I judge {focus} on {p0}.",
    )
    return chooser.pick(label, templates)


def _one_word(voice: Voice, prompt: Prompt, chooser: Chooser) -> str:
    if prompt.intent == "yes_no":
        return chooser.pick("one-word", ("Yes.", "No."))
    return chooser.pick("one-word", voice.one_words)


def _in_language(req: ChatRequest, language: str, prompt: Prompt) -> str:
    with_name, generic = _LANGUAGE_REPLIES[language]
    if req.persona is None:
        return generic.format(focus=prompt.focus)
    return with_name.format(name=req.persona.name, focus=prompt.focus)


def _tool_result_reply(req: ChatRequest, voice: Voice) -> str:
    names = {call.id: call.name for m in req.messages for call in m.tool_calls}
    results: list[Message] = []
    for message in reversed(req.messages):
        if message.role != "tool":
            break
        results.insert(0, message)
    sentences = [_tool_sentence(names.get(m.tool_call_id or "", "the tool"), m.text) for m in results]
    chooser = Chooser(f"tool\n{req.fingerprint}")
    if voice is not GENERIC:
        p0 = voice.priorities[0]
        sentences.append(
            f"{chooser.pick('filler', voice.fillers)}, {voice.intro}, I'd still "
            f"check it against {p0} before acting on it."
        )
    sentences.append(chooser.pick("signoff", voice.signoffs))
    return " ".join(sentences)


def _tool_sentence(name: str, content: str) -> str:
    stripped = content.strip()
    if stripped.lower().startswith("error"):
        return f"The {name} call failed ({stripped.rstrip('.')}), so I'd fix the input and try again."
    value = _scalar(stripped)
    if value is not None:
        return f"I ran {name} and the result is {value}."
    returned = stripped[:200]
    if not returned.endswith((".", "!", "?")):
        returned += "."
    return f"I ran {name} and it returned: {returned}"


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
    if isinstance(parsed, int | float | str):
        return str(parsed)
    return None


def _distinct(chooser: Chooser, label: str, options: Sequence[str], count: int) -> list[str]:
    start = chooser.integer(label, 0, len(options) - 1)
    return [options[(start + offset) % len(options)] for offset in range(count)]


def _render(sentences: list[str], *, bullets: bool) -> str:
    if bullets and len(sentences) > 2:
        middle = "\n".join(f"- {s}" for s in sentences[1:-1])
        return f"{sentences[0]}\n{middle}\n{sentences[-1]}"
    return " ".join(sentences)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
