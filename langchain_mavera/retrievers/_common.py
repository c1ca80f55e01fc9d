"""What the retrievers share: the `k` check and the content words a query is matched on."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")
# Words too common in questions and stories to say what they are about ("it" would pick "IT Director").
# fmt: off
STOPWORDS = frozenset((
    "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "here", "how", "i", "in", "into", "is",
    "it", "its", "just", "like", "me", "more", "most", "my", "not", "of", "on", "only", "or", "our",
    "over", "so", "some", "such", "than", "that", "the", "their", "then", "there", "these", "this",
    "those", "to", "under", "was", "we", "were", "what", "when", "which", "who", "why", "will", "with",
    "would", "you", "your",
))
# fmt: on


def _stem(word: str) -> str:
    """Plural endings only, so "farmers" finds "Farmer" and "prices" meets "price"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def content_words(text: str | None) -> set[str]:
    """The words of `text` that say what it is about: lowercased, stopwords dropped, plurals singular."""
    return {_stem(word) for word in _WORD.findall((text or "").lower()) if word not in STOPWORDS}


def checked_k(k: object) -> int | None:
    """A retriever's `k` (most documents returned): None, or a positive int; else a ValueError."""
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        msg = f"k must be a positive integer (most documents returned), got {k!r}."
        raise ValueError(msg)
    return k
