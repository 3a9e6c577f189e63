"""Dutch lemmas for the offline fallback: simplemma's dictionaries as a spaCy component.

The fallback has no tagger, so its lemmatizer cannot use part-of-speech rules. spaCy's
lookup table (spacy-lookups-data) lacks many common inflections: "gemeenten",
"belangen", "partners", "werkt", "regionale" stay as they are, which splits one word
over several features and topic terms. simplemma (MIT, no dependencies, offline) looks
a word form up in dictionaries merged from several open lemma lists, including
spaCy's, and falls back to the form itself. On the UD Dutch dev treebanks it gets clearly
more lemmas right than the lookup table (benchmarks/fallback_cost.py measures both).

The component is context-free like the lookup lemmatizer: each distinct word form is
looked up once per process and its lemma is set on every token with that form.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import LEMMA, ORTH
from spacy.language import Language
from spacy.tokens import Doc

NAME = "simplemma_lemmatizer"


@Language.factory(NAME, default_config={"lang": "nl"})
def make_lemmatizer(nlp: Language, name: str, lang: str) -> "SimplemmaLemmatizer":
    return SimplemmaLemmatizer(nlp, lang)


class SimplemmaLemmatizer:
    """Sets `Token.lemma_` from simplemma's dictionary for `lang`.

    Alpino-style separable-verb lemmas ("af_spreken") are joined ("afspreken"), unless
    the form itself has an underscore. Empty and whitespace tokens keep their text.
    """

    def __init__(self, nlp: Language, lang: str = "nl"):
        import simplemma

        self.lang = lang
        self.strings = nlp.vocab.strings
        self._lemmatizer = simplemma.Lemmatizer()
        self._lemmas: dict[int, int] = {}  # orth hash -> lemma hash

    def lemma(self, text: str) -> str:
        """The lemma of one word form."""
        if not text.strip():
            return text
        try:
            lemma = self._lemmatizer.lemmatize(text, self.lang)
        except ValueError:  # simplemma refuses what it can't read as a word
            return text
        return lemma.replace("_", "") if "_" in lemma and "_" not in text else lemma

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        lemmas = self._lemmas
        orths = doc.to_array(ORTH)
        out = np.empty(len(orths), dtype=np.uint64)
        for i, orth in enumerate(orths.tolist()):
            lemma = lemmas.get(orth)
            if lemma is None:
                lemma = lemmas[orth] = self.strings.add(self.lemma(self.strings[orth]))
            out[i] = lemma
        doc.from_array([LEMMA], out.reshape(-1, 1))
        return doc
