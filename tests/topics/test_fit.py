"""`pipeline.topics.fit`: what UMAP and HDBSCAN get, and the fit itself (through the stage)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import embeddings
from pipeline.topics.fit import RoundedEmbedder, _assignments, _reduce_outliers, passage_embeddings
from tests.topics.helpers import CONFIG, THEMES, config


def test_embeddings_reach_umap_rounded_from_either_kind_of_backend():
    import numpy as np

    docs = [" ".join(t.lower().split()) for theme in THEMES.values() for t in theme]
    fitted = embeddings.make_embedder("tfidf_svd", CONFIG["embedding"]["tfidf_svd"], 3).fit(docs)
    raw = fitted.embed(docs)
    rounded = passage_embeddings(docs, fitted, None, 2)
    assert np.array_equal(rounded, np.round(raw, 2)) and not np.array_equal(rounded, raw)
    # a pretrained backend's embeddings were made once for all corpora (`shared`)
    pretrained = embeddings.Embedder()
    shared = dict(zip(docs, raw))
    assert np.array_equal(passage_embeddings(docs[:3], pretrained, shared, 2), rounded[:3])
    # the seed topics BERTopic embeds itself come out rounded the same way
    assert np.array_equal(RoundedEmbedder(fitted, 2).embed(docs[:3]), rounded[:3])


def test_bertopics_output_becomes_int_topics_and_one_probability_per_passage():
    topics, probs = _assignments(np.array([0, -1, 2]), np.array([[0.1, 0.7], [0.2, 0.3], [0.9, 0.0]]))
    assert topics == [0, -1, 2] and all(type(t) is int for t in topics)
    assert probs.tolist() == [0.7, 0.3, 0.9]  # the best topic's, when BERTopic gives one per topic
    assert _assignments([1, 1], [0.5, 0.25])[1].tolist() == [0.5, 0.25]


class OutlierModel:
    """A fitted model as `_reduce_outliers` sees it: topic -1, 0 and 1, and BERTopic's own reduction."""

    topics_ = [-1, 0, 1]
    topic_embeddings_ = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # -1 first, as BERTopic orders them

    def reduce_outliers(self, docs, topics, strategy, threshold, embeddings):
        assert (strategy, threshold) == ("embeddings", 0.5)
        return [0 if i == 0 else t for i, t in enumerate(topics)]  # only the first outlier is close enough


def test_a_moved_outlier_gets_the_similarity_that_moved_it():
    embeddings_ = np.array([[1.0, 0.1], [0.0, 1.0], [0.1, 1.0]])
    probs = np.array([0.0, 0.8, 0.0])
    cfg = config(outliers={"strategy": "embeddings", "threshold": 0.5})
    topics, moved = _reduce_outliers(OutlierModel(), ["a", "b", "c"], [-1, 1, -1], probs, embeddings_, cfg)
    assert topics == [0, 1, -1] and moved == [0]
    assert probs.tolist() == [pytest.approx(1 / np.hypot(1.0, 0.1)), 0.8, 0.0]  # cosine to topic 0
