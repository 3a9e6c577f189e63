"""`pipeline.topics.quality`: NPMI and diversity on words, and stop words among the top terms."""

from __future__ import annotations

from pipeline import coherence
from pipeline.topics.quality import quality
from tests.topics.helpers import CONFIG, config


def test_npmi_scores_words_so_a_bigram_beside_its_own_words_adds_nothing():
    docs = [{"sociaal", "domein", "wonen"}, {"sociaal", "domein"}, {"wonen", "zorg"}, {"zorg"}]
    terms = ["sociaal domein", "sociaal", "domein", "wonen"]
    assert coherence.topic_words(terms) == ["sociaal", "domein", "wonen"]
    assert coherence.topic_words(terms, 2) == ["sociaal", "domein"]
    assert coherence.document_words(["sociaal", "domein", "sociaal domein"]) == {"sociaal", "domein"}
    cfg = config()
    with_bigram = quality([terms], docs, set(), cfg)
    plain = quality([["sociaal", "domein", "wonen"]], docs, set(), cfg)
    assert with_bigram["npmi"] == plain["npmi"] and with_bigram["diversity"] == plain["diversity"]
    # scored as terms, the bigram would pair perfectly with its own words and lift the score
    bigram_docs = [d | ({"sociaal domein"} if {"sociaal", "domein"} <= d else set()) for d in docs]
    assert coherence.npmi([terms], bigram_docs) > with_bigram["npmi"]


def test_no_stop_word_among_the_top_terms(first):
    from bertopic import BERTopic
    from spacy.lang.nl.stop_words import STOP_WORDS

    _, metrics, out = first
    stops = set(STOP_WORDS) | set(CONFIG["domain_stop_words"])
    model = BERTopic.load(str(out / "models" / "alles"))
    for topic, terms in model.get_topics().items():
        words = {w for term, _ in terms[:10] for w in term.split()}
        assert not words & stops, (topic, words & stops)
    assert metrics["alles_stopwords_top10"] == 0
    assert metrics["alles_defaults_stopwords_top10"] > 0  # plain BERTopic does show them


def test_outliers_reduced_and_quality_reported(first):
    _, m, _ = first
    assert 0 <= m["alles_outliers"] <= m["alles_outliers_before"] <= 1
    assert -1 <= m["alles_npmi"] <= 1 and 0 < m["alles_diversity"] <= 1
    for key in ("defaults_topics", "defaults_npmi", "defaults_diversity", "defaults_outliers"):
        assert f"alles_{key}" in m
    assert m["backend"].startswith("tfidf_svd")
