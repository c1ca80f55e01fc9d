"""Both retrievers match a query on the same content words (one stopword list, one stemmer)."""

from __future__ import annotations

from langchain_mavera.retrievers import _common, news, persona


def test_content_words_drop_stopwords_and_plurals() -> None:
    assert _common.content_words("Do farmers like their refill prices?") == {"farmer", "refill", "price"}
    assert _common.content_words(None) == set()


def test_both_retrievers_read_the_one_stopword_list() -> None:
    assert not hasattr(news, "_STOP")
    assert not hasattr(persona, "_STOP")
    assert news._words("What is AI doing to the refill market?") == {"doing", "refill", "market"}
