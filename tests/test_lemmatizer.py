"""The fallback's simplemma lemmatizer as a spaCy component."""

import spacy

from pipeline.lemmatizer import NAME


def _nlp():
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(NAME)
    return nlp


def test_inflections_the_lookup_table_missed():
    # Each of these stayed unchanged with spaCy's lookup table (spacy-lookups-data 1.0.5).
    doc = _nlp()("De gemeenten werkt met partners aan regionale belangen.")
    assert [t.lemma_ for t in doc] == ["de", "gemeente", "werken", "met", "partner", "aan", "regionaal", "belang", "."]


def test_separable_verbs_are_joined():
    # simplemma writes Alpino-style "af_spreken"; the pipeline keeps words without underscores.
    doc = _nlp()("We hebben afgesproken")
    assert doc[2].lemma_ == "afspreken"


def test_same_form_same_lemma_across_docs_and_pipe():
    nlp = _nlp()
    texts = ["besluiten nemen", "De besluiten", "", "   ", "besluiten"]
    one_by_one = [[t.lemma_ for t in nlp(t)] for t in texts]
    piped = [[t.lemma_ for t in d] for d in nlp.pipe(texts, batch_size=2)]
    assert one_by_one == piped
    assert one_by_one[0][0] == one_by_one[1][1] == one_by_one[4][0] == "besluit"


def test_unknown_words_and_symbols_keep_their_form():
    doc = _nlp()("Waalvallei 2024 ; regio-deal")
    assert [t.lemma_.lower() for t in doc] == ["waalvallei", "2024", ";", "regio-deal"]
