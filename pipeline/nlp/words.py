"""Which words count: the content-lemma rule and the pipeline's one stop-word list."""

from __future__ import annotations

import re
from typing import Iterable

PLACEHOLDER = re.compile(r"^\[[A-Z]+\]$")


def is_content_word(tok, stop_words: set[str]) -> bool:
    """The word half of the content-lemma rule: no punctuation, space, number, placeholder or stop word.

    Only lexical attributes, so it holds for a Token and for its Lexeme alike.
    """
    return not (tok.is_punct or tok.is_space or tok.like_num or tok.is_digit or PLACEHOLDER.match(tok.text)
                or tok.is_stop or tok.lower_ in stop_words)


def content_lemma(lemma: str, stop_words: set[str]) -> str | None:
    """The lemma half of the rule: the lowercased lemma, if it has two characters, a letter and is no stop word."""
    lemma = lemma.lower().strip()
    if len(lemma) < 2 or not any(ch.isalpha() for ch in lemma) or lemma in stop_words:
        return None
    return lemma


def content_lemmas(doc, stop_words: set[str]) -> list[str]:
    """Lowercased lemmas of content words: no stop words, punctuation, numbers or placeholders."""
    out = []
    for tok in doc:
        if is_content_word(tok, stop_words):
            lemma = content_lemma(tok.lemma_ or tok.text, stop_words)
            if lemma is not None:
                out.append(lemma)
    return out

def stop_words(extra: Iterable[str] = (), base: Iterable[str] | None = None) -> set[str]:
    """The pipeline's one stop-word list: spaCy's Dutch stop words (or `base`) plus `extra`, lowercased.

    Each use adds its own words from params.yaml: `nlp.extra_stop_words` for the content
    lemmas (`stop_words_for`), `topics.domain_stop_words` for the topic terms (pipeline.topics).
    """
    if base is None:
        from spacy.lang.nl.stop_words import STOP_WORDS as base
    return {w.lower() for w in base} | {w.lower() for w in extra}


def stop_words_for(nlp, extra: list[str]) -> set[str]:
    """`stop_words` of a loaded spaCy pipeline: its language's list (Dutch for every Dutch backend)."""
    return stop_words(extra, nlp.Defaults.stop_words)
