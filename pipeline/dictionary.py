"""Dictionary baseline: auto-coding by codebook indicators, as MAXQDA's dictionary does.

Each indicator (a word or phrase from `corpora/codebook.yaml`) is matched with spaCy's
PhraseMatcher on lemmas, and also on lowercased word forms so that an inflected form
the lemmatizer doesn't know still matches its indicator as written. A passage gets a
code when at least one of its indicators occurs.
"""

from __future__ import annotations

import numpy as np

from pipeline.codebook import Codebook


class DictionaryCoder:
    """Code passages by indicator matches.

    Args:
        codebook: the codes and their indicators.
        nlp: a spaCy pipeline that sets lemmas (the same backend as the nlp stage).
    """

    def __init__(self, codebook: Codebook, nlp):
        self.codebook = codebook
        self.nlp = nlp

    def fit(self, texts=None, y=None) -> "DictionaryCoder":
        from spacy.matcher import PhraseMatcher

        self.codes_ = self.codebook.ids
        self.matchers_ = []
        for attr in ("LEMMA", "LOWER"):
            matcher = PhraseMatcher(self.nlp.vocab, attr=attr)
            for code in self.codebook.codes:
                patterns = list(self.nlp.pipe([i.lower() for i in code.indicators]))
                matcher.add(code.id, patterns)
            self.matchers_.append(matcher)
        return self

    def matches(self, doc) -> dict[str, list[str]]:
        """Indicator hits per code in one spaCy Doc."""
        hits: dict[str, list[str]] = {}
        for matcher in self.matchers_:
            for match_id, start, end in matcher(doc):
                code = self.nlp.vocab.strings[match_id]
                term = doc[start:end].text.lower()
                if term not in hits.setdefault(code, []):
                    hits[code].append(term)
        return hits

    def predict(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        """0/1 matrix (n_texts, n_codes) in codebook order."""
        index = {c: j for j, c in enumerate(self.codes_)}
        out = np.zeros((len(texts), len(self.codes_)), dtype=int)
        for i, doc in enumerate(self.nlp.pipe([t.lower() for t in texts], batch_size=batch_size)):
            for code in self.matches(doc):
                out[i, index[code]] = 1
        return out
