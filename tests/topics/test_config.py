"""`pipeline.topics.config`: settings read from params.yaml, stop words and corpus sizes."""

from __future__ import annotations

import re

import pytest

from pipeline.errors import SamenspelError
from pipeline.topics.config import TopicsConfig, adapt_sizes, stop_words
from tests.topics.helpers import CONFIG, config


def test_missing_setting_names_the_key():
    cfg = {k: v for k, v in CONFIG.items() if k != "min_passages"}
    with pytest.raises(SamenspelError, match="topics.min_passages"):
        TopicsConfig.from_params(cfg)
    with pytest.raises(SamenspelError, match="topics.umap.metric"):
        TopicsConfig.from_params({**CONFIG, "umap": {"n_neighbors": 5, "n_components": 2, "min_dist": 0.0}})
    with pytest.raises(SamenspelError, match="backend"):
        TopicsConfig.from_params({**CONFIG, "embedding": {**CONFIG["embedding"], "backend": "word2vec"}})


def test_params_yaml_section_is_complete(params):
    """Every key of params.yaml's topics section is read (the settings of each embedding
    backend when that backend is chosen), and leaving out any setting asked for by name is
    an error naming it."""
    from pipeline.embeddings import BACKENDS
    from tests.sections import dotted_keys, keys_read, without

    data = params["topics"]
    assert set(BACKENDS) <= set(data["embedding"])
    read = set()
    for backend in BACKENDS:
        chosen = {**data, "embedding": {**data["embedding"], "backend": backend}}
        read |= keys_read(TopicsConfig.from_params, chosen, "topics")
        for key in sorted(keys_read(TopicsConfig.from_params, chosen, "topics", by_name=True)):
            with pytest.raises(SamenspelError, match=re.escape(key) + r"\b"):
                TopicsConfig.from_params(without(chosen, key))
    assert dotted_keys(data, "topics") - read == set()


def test_embedding_decimals_must_be_positive():
    with pytest.raises(SamenspelError, match="topics.embedding.decimals"):
        config(embedding={**CONFIG["embedding"], "decimals": 0})


def test_adapt_sizes_shrinks_for_small_corpora():
    cfg = config()
    small = adapt_sizes(24, cfg)
    assert small.n_neighbors < 24 and small.n_components < 24 and small.min_cluster_size >= 3
    big = adapt_sizes(10_000, cfg)
    assert (big.n_neighbors, big.n_components, big.min_cluster_size) == (10, 5, 5)


def test_topic_stop_words_are_the_pipelines_dutch_list_plus_the_domain_words():
    from spacy.lang.nl.stop_words import STOP_WORDS

    from pipeline.nlp import stop_words as pipeline_stop_words

    cfg = config(domain_stop_words=["Kern", "samenspel"])
    assert stop_words(cfg) == {w.lower() for w in STOP_WORDS} | {"kern", "samenspel"}
    assert stop_words(cfg) == pipeline_stop_words(["kern", "samenspel"])
