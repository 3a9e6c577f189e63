"""pipeline/dictionary.py: the dictionary baseline the classifier is compared with."""

from __future__ import annotations

from pipeline.codebook import load_codebook
from tests.conftest import CODEBOOK


def test_dictionary_baseline_matches_lemmas_and_word_forms(fallback_nlp):
    from pipeline.dictionary import DictionaryCoder

    nlp, _ = fallback_nlp
    coder = DictionaryCoder(load_codebook(CODEBOOK), nlp).fit()
    pred = coder.predict(["Het ontbreekt aan regie en sturing.", "Het weer was mooi."])
    j = coder.codes_.index("regie")
    assert pred[0, j] == 1 and pred[1].sum() == 0
