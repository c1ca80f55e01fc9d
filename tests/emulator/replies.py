"""Reply text: one deterministic template for every persona.

A reply names who answers (the persona's name and category) and echoes the
question's topic, so a test can tell which persona answered what. Nothing
varies but what the request carries: verbosity adds sentences, high
reasoning effort and shared images add one each, a "one word" system
instruction shortens the reply to one word.
"""

import json
import re

from .chat_request import ChatRequest, Message
from .hashing import Chooser
from .personas import Persona
from .prompt import Prompt, read_prompt

_DETAILS = (
    "What decides it for me on {focus} is value for money.",
    "I want proof before committing to {focus}.",
    "Honest communication about {focus} builds my trust.",
    "The people I listen to shape my view of {focus}.",
)
_SENTENCES = {"low": 1, "medium": 2, "high": 4}
_ONE_WORD = re.compile(r"\b(one|single|1)[- ]word\b", re.IGNORECASE)


def speaker(persona: Persona | None) -> str:
    """Who answers, as a sentence opener: "As Gen Z Consumer (Generational)"."""
    return f"As {persona.name} ({persona.category})" if persona else "In general"


def compose_reply(req: ChatRequest) -> str:
    """The assistant text for a request that is answered in prose."""
    if req.last.role == "tool":
        return _tool_result_reply(req)
    question = question_of(req)
    prompt = read_prompt(question.text)
    if any(_ONE_WORD.search(m.text) for m in req.messages if m.role in ("system", "developer")):
        return _one_word(prompt)
    sentences = [f"{speaker(req.persona)}, here is my answer on {prompt.focus}."]
    if any(m.role == "assistant" for m in req.messages[:-1]):
        sentences.insert(0, "Picking up from where we left off.")
    if question.image_count:
        sentences.append("I looked at the image you shared.")
    if req.reasoning_effort == "high":
        sentences.append("I weighed this carefully before answering.")
    count = _SENTENCES[req.verbosity or "medium"]
    sentences += [detail.format(focus=prompt.focus) for detail in _DETAILS[:count]]
    return " ".join(sentences)


def question_of(req: ChatRequest) -> Message:
    """The message being answered: the last user turn, else the last message."""
    for message in reversed(req.messages):
        if message.role == "user":
            return message
    return req.last


def chooser_for(req: ChatRequest, prompt: Prompt) -> Chooser:
    persona_id = req.persona.id if req.persona else "generic"
    return Chooser(f"{persona_id}\n{prompt.text}")


def _one_word(prompt: Prompt) -> str:
    if prompt.yes_no:
        return "Yes." if Chooser(prompt.text).integer("one-word", 0, 1) else "No."
    last = prompt.focus.split()[-1]
    return last[:1].upper() + last[1:] + "."


def _tool_result_reply(req: ChatRequest) -> str:
    names = {call.id: call.name for m in req.messages for call in m.tool_calls}
    results: list[Message] = []
    for message in reversed(req.messages):
        if message.role != "tool":
            break
        results.insert(0, message)
    sentences = [_tool_sentence(names.get(m.tool_call_id or "", "the tool"), m.text) for m in results]
    if req.persona:
        sentences.append(f"{speaker(req.persona)}, that is what I would act on.")
    return " ".join(sentences)


def _tool_sentence(name: str, content: str) -> str:
    stripped = content.strip()
    if stripped.lower().startswith("error"):
        return f"The {name} call failed ({stripped.rstrip('.')}), so I'd fix the input and try again."
    value = _scalar(stripped)
    if value is not None:
        return f"I ran {name} and the result is {value}."
    # A tool's first paragraph is its answer; later ones (a persona tool's summary line) are notes.
    returned = stripped.split("\n\n", 1)[0].strip()
    if len(returned) > 200:
        returned = returned[:200].rsplit(" ", 1)[0] + " ..."
    elif not returned.endswith((".", "!", "?")):
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
