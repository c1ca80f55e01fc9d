"""Cheap reading of the conversation: what was asked and under which rules.

This is keyword matching, not understanding. It only has to be good enough
for replies to echo the right topic and for synthesized arguments to
pick up the numbers and quoted names a test put in its prompt.
"""

import re
from dataclasses import dataclass

# Word lists read better packed than one per line.
# fmt: off
_STOPWORDS = frozenset(
    (
        "a", "an", "the", "and", "or", "but", "if", "then", "than", "so", "of", "in",
        "on", "at", "to", "for", "with", "from", "by", "as", "into", "onto", "over",
        "under", "up", "down", "out", "off", "about", "above", "below", "between",
        "through", "during", "before", "after", "i", "me", "my", "mine", "we", "us",
        "our", "you", "your", "yours", "he", "him", "his", "she", "her", "they", "them",
        "their", "it", "its", "this", "that", "these", "those", "there", "here", "who",
        "whom", "whose", "what", "which", "when", "where", "why", "how", "is", "are",
        "was", "were", "be", "been", "being", "am", "do", "does", "did", "doing", "have",
        "has", "had", "having", "will", "would", "shall", "should", "can", "could",
        "may", "might", "must", "let", "lets", "let's", "please", "kindly", "just",
        "really", "very", "much", "many", "more", "most", "some", "any", "all", "each",
        "every", "also", "too", "not", "no", "yes", "ok", "okay", "hi", "hello", "hey",
        "thanks", "thank", "think", "feel", "view", "see", "make", "like", "want",
        "know", "get", "use", "say", "tell", "write", "give", "describe", "explain",
        "choose", "buy", "pick", "need", "help", "show", "find", "take", "go", "come",
        "look", "keep", "put", "value", "result", "answer", "question", "something",
        "anything", "thing", "things", "way",
    )
)
_AUXILIARIES = frozenset(
    (
        "is", "are", "was", "were", "do", "does", "did", "can", "could", "should",
        "would", "will", "shall", "may", "might", "has", "have", "had", "am", "isn't",
        "aren't", "don't", "doesn't", "won't", "can't", "shouldn't",
    )
)
# fmt: on
_ABOUT = re.compile(
    r"\b(?:about|regarding|on the topic of)\s+(.+?)"
    r"(?=[.?!,;:()]|\s+(?:and|but|so|because|for|with|in)\s|$)",
    re.IGNORECASE,
)
_ARTICLES = frozenset(("a", "an", "the"))
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
# A quote must open after whitespace or punctuation so apostrophes in words
# like "don't" are not mistaken for quotes.
_QUOTED = re.compile(
    r"""(?<![^\s(\[:,=])"""
    "(?:'([^'\n]+)'|\"([^\"\n]+)\"|\u201c([^\u201d\n]+)\u201d"
    "|\u2018([^\u2019\n]+)\u2019|\u300c([^\u300d\n]+)\u300d)"
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
    return Prompt(
        text=cleaned,
        focus=focus_of(cleaned),
        yes_no=_is_yes_no(cleaned),
        numbers=tuple(_number(m) for m in _NUMBER.findall(cleaned)),
        quotes=tuple(next(g for g in m if g) for m in _QUOTED.findall(cleaned)),
    )


def focus_of(text: str) -> str:
    sentence = _key_sentence(text)
    about = _ABOUT.search(sentence)
    if about:
        words = about.group(1).split()[:6]
        return " ".join(words).strip(" '\"")
    runs = _content_runs(sentence)
    if not runs:
        return "this"
    # The longest run is usually the noun phrase; ties go to the later one,
    # which in questions tends to be the object rather than the subject.
    best = max(reversed(runs), key=lambda run: len(" ".join(run)))
    if best[0].lower() in _ARTICLES:
        return " ".join([best[0], *best[1:][-3:]])
    return " ".join(best[-4:])


def _key_sentence(text: str) -> str:
    sentences = [s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    for sentence in sentences:
        if sentence.endswith("?"):
            return sentence
    return sentences[0] if sentences else text


def _content_runs(sentence: str) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    previous = ""
    for word in _WORD.findall(sentence):
        bare = word.strip("'-")
        if _is_content(bare):
            # Keep the article so "launch a loyalty program" reads naturally.
            if not runs[-1] and previous.lower() in _ARTICLES:
                runs[-1].append(previous)
            runs[-1].append(bare)
        elif runs[-1]:
            runs.append([])
        previous = bare
    return [run for run in runs if run]


def _is_content(word: str) -> bool:
    if not word or word.lower() in _STOPWORDS:
        return False
    if word.isupper() and len(word) >= 2:
        return True  # acronyms such as AI, CRM, B2B
    return len(word) >= 3 and not word.isdigit()


def _is_yes_no(text: str) -> bool:
    words = text.lower().split()
    return bool(words) and words[0] in _AUXILIARIES and text.rstrip().endswith("?")


def _number(raw: str) -> int | float:
    return float(raw) if "." in raw else int(raw)
