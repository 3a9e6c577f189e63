"""Small text utilities shared by stages: normalising answers, splitting long text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def normalise_answer(text: str) -> str:
    """Lowercase, strip accents and punctuation: 'N.v.t.' and 'nvt' compare equal."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _sentencizer():
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 20_000_000
    return nlp


def split_long(text: str, max_chars: int) -> list[str]:
    """Split text longer than `max_chars` into chunks on sentence boundaries.

    Sentences are packed greedily; a single sentence longer than `max_chars` is cut
    at white space. Joining the chunks with spaces gives back the text (modulo runs
    of white space), so nothing is lost.
    """
    if len(text) <= max_chars:
        return [text]
    sents = [s.text.strip() for s in _sentencizer()(text).sents if s.text.strip()]
    pieces: list[str] = []
    for sent in sents:
        while len(sent) > max_chars:
            cut = sent.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            pieces.append(sent[:cut].strip())
            sent = sent[cut:].strip()
        if sent:
            pieces.append(sent)
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= max_chars:
            chunks[-1] = chunks[-1] + " " + piece
        else:
            chunks.append(piece)
    return chunks
