"""`pipeline.topics.fit`: what UMAP and HDBSCAN get, and the fit itself (through the stage)."""

from __future__ import annotations

from pipeline import embeddings
from pipeline.topics.fit import RoundedEmbedder, passage_embeddings
from tests.topics.helpers import CONFIG, THEMES


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
