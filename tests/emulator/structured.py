"""Content for ``response_format`` json_schema and json_object requests.

String values name the persona and the topic, like the prose template;
numbers come from the prompt like tool arguments do.
"""

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .chat_request import ChatRequest
from .hashing import Chooser
from .prompt import Prompt
from .replies import compose_reply, speaker
from .schema_values import synthesize

_TITLE_NAMES = ("name", "title", "label", "headline", "subject", "topic")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
_FORMATS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "12:00:00",
    "email": "persona@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def structured_content(req: ChatRequest, prompt: Prompt, chooser: Chooser) -> str | None:
    """JSON text for the requested format, or None for plain text."""
    fmt = req.response_format
    source = _StructuredSource(prompt, speaker(req.persona), chooser)
    if fmt.kind == "json_schema":
        value = synthesize(fmt.schema or {}, source)
    elif fmt.kind == "json_object":
        keys = [q for q in prompt.quotes if _KEY.match(q)]
        if keys:
            value = {key: source.string(key, {}) for key in dict.fromkeys(keys)}
        else:
            value = {"answer": compose_reply(req)}
    else:
        return None
    # Spaces after separators give the stream natural word boundaries.
    return json.dumps(value, ensure_ascii=False)


class _StructuredSource:
    def __init__(self, prompt: Prompt, speaker: str, chooser: Chooser) -> None:
        self._prompt = prompt
        self._speaker = speaker
        self._chooser = chooser
        self._numbers: Iterator[int | float] = iter(prompt.numbers)

    def string(self, name: str, schema: Mapping[str, Any]) -> str:
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            return _FORMATS[fmt]
        if fmt in ("uri", "url"):
            return "https://example.com/" + re.sub(r"\W+", "-", self._prompt.focus)
        focus = self._prompt.focus
        lowered = name.lower()
        if lowered in _TITLE_NAMES or lowered.endswith(("_name", "_title")):
            return focus[:1].upper() + focus[1:]
        return f"{self._speaker}, {name.replace('_', ' ')} on {focus}."

    def integer(self, name: str, schema: Mapping[str, Any]) -> int:
        number = next(self._numbers, None)
        if number is not None:
            return int(number)
        return self._chooser.integer(f"int:{name}", 1, 10)

    def number(self, name: str, schema: Mapping[str, Any]) -> int | float:
        number = next(self._numbers, None)
        if number is not None:
            return number
        return round(1 + self._chooser.fraction(f"num:{name}") * 9, 1)

    def wants_null(self, name: str) -> bool:
        # "Give me the setup to a joke, no punchline" leaves punchline empty.
        pattern = rf"\b(no|without|skip|omit)\s+(the\s+|a\s+)?{re.escape(name)}"
        return re.search(pattern, self._prompt.text, re.IGNORECASE) is not None
