"""Fitting BERTopic on one corpus, and placing new passages with an earlier fit.

`fit_corpus` fits: embeddings rounded to `topics.embedding.decimals`, seeded UMAP,
HDBSCAN, a CountVectorizer on content lemmas with a vocabulary fixed on the passages,
c-TF-IDF, then outliers moved to their nearest topic. `fit_defaults` fits plain BERTopic
on the same passages for comparison. `extend_corpus` reuses a kept fit (pipeline.topics.state)
for the passages it has not seen. BERTopic, UMAP and HDBSCAN are imported when a fit runs;
the embedding backends (pipeline.embeddings) load BERTopic's backend base class on import,
so the stage imports this module only when it runs.
"""

from __future__ import annotations

import copy
from typing import Any, Sequence

import numpy as np
import pandas as pd
from bertopic.backend import BaseEmbedder

from pipeline import coherence
from pipeline.embeddings import LEMMA_TOKEN_PATTERN, Embedder
from pipeline.topics.config import CorpusSpec, TopicsConfig, adapt_sizes
from pipeline.topics.quality import quality, reference_words
from pipeline.topics.result import (NO_TOPIC_LABEL, CorpusResult, assign, counts, prepare, quiet, summarise,
                                    topic_label, topic_terms)
from pipeline.topics.state import Plan, passage_keys

TOO_FEW = "te weinig passages voor onderwerpen"


def passage_embeddings(docs: list[str], embedder: Embedder, shared: dict[str, np.ndarray] | None,
                       decimals: int) -> np.ndarray:
    """The embeddings of `docs` as UMAP and HDBSCAN get them, rounded to `decimals`.

    A backend fitted per corpus embeds them now; a pretrained one has done so already (`shared`).
    UMAP and HDBSCAN amplify any difference in their input, and the last bits of an embedding
    differ between machines (BLAS kernels, the C library's `log`): rounding drops those bits.
    """
    raw = embedder.embed(docs) if embedder.per_corpus else np.vstack([shared[d] for d in docs])
    return np.round(raw, decimals)


class RoundedEmbedder(BaseEmbedder):
    """A backend whose embeddings come out rounded like the passages' (`passage_embeddings`).

    BERTopic embeds the seed topics with its `embedding_model` and averages them into the
    passages' embeddings, so those must be rounded too.
    """

    def __init__(self, embedder: Embedder, decimals: int):
        super().__init__()
        self.embedder = embedder
        self.decimals = decimals

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        return np.round(self.embedder.embed(documents), self.decimals)


def _vocabulary(lemma_docs: Sequence[str], cfg: TopicsConfig, stops: set[str]) -> list[str]:
    """Terms in at least `min_df` passages.

    BERTopic fits its vectorizer on one joined document per topic, where `min_df` would
    count topics; fixing the vocabulary on the passages keeps `min_df` about passages.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    min_df = min(cfg.vectorizer.min_df, max(1, len(lemma_docs) // 10))
    cv = CountVectorizer(token_pattern=LEMMA_TOKEN_PATTERN, stop_words=sorted(stops), min_df=min_df,
                         ngram_range=tuple(cfg.vectorizer.ngram_range))
    try:
        cv.fit(lemma_docs)
    except ValueError:  # nothing left after stop words and min_df
        return []
    return sorted(cv.vocabulary_)


def _outlier_similarity(model, docs: list[str], embeddings: np.ndarray, idx: list[int], strategy: str) -> np.ndarray:
    """The best similarity of each outlier to a topic, computed as `reduce_outliers` does."""
    from sklearn.metrics.pairwise import cosine_similarity

    skip = int(-1 in set(model.topics_))  # both matrices start with the outlier topic when there is one
    if strategy == "c-tf-idf":
        bow = model.vectorizer_model.transform([docs[i] for i in idx])
        sim = cosine_similarity(model.ctfidf_model.transform(bow), model.c_tf_idf_[skip:])
    else:
        sim = cosine_similarity(embeddings[idx], model.topic_embeddings_[skip:])
    return sim.max(axis=1)


def _assignments(topics: Sequence[int], probs: Any) -> tuple[list[int], np.ndarray]:
    """BERTopic's topics as ints, and one probability per passage (the best, when it gives one per topic)."""
    topics = [int(t) for t in topics]
    return topics, np.asarray(probs, dtype=float).reshape(len(topics), -1).max(axis=1)


def _reduce_outliers(model, docs: list[str], topics: list[int], probs: np.ndarray, embeddings: np.ndarray,
                     cfg: TopicsConfig) -> tuple[list[int], list[int]]:
    """Move outliers to their nearest topic with `reduce_outliers`; the same in a fit and on new passages.

    A moved passage's probability becomes the similarity that moved it (`probs` is updated
    in place). Returns the new topics and the rows that moved.
    """
    idx = [i for i, t in enumerate(topics) if t == -1]
    best = _outlier_similarity(model, docs, embeddings, idx, cfg.outliers.strategy)
    new = [int(t) for t in model.reduce_outliers(docs, topics, strategy=cfg.outliers.strategy,
                                                 threshold=cfg.outliers.threshold, embeddings=embeddings)]
    moved = []
    for k, i in enumerate(idx):
        if new[i] != -1:
            probs[i] = float(best[k])
            moved.append(i)
    return new, moved


def fit_defaults(texts: list[str], embeddings: np.ndarray, embedder: Embedder, cfg: TopicsConfig,
                 stops: set[str]) -> dict[str, Any]:
    """Plain BERTopic on the same passages and embeddings, for comparison.

    Its defaults (raw text, default CountVectorizer without stop words, UMAP 15/5, HDBSCAN
    10, no outlier reduction) with three changes that only make the comparison fair and
    repeatable: UMAP gets the same `random_state`, `language="multilingual"` keeps Dutch
    letters with diacritics (the English default strips them), and 25 words per topic are
    kept so diversity is measured the same way.
    """
    from bertopic import BERTopic

    base = BERTopic(language="multilingual", embedding_model=embedder, top_n_words=cfg.top_n_words)
    base.umap_model.set_params(random_state=cfg.random_state)
    if len(texts) <= base.umap_model.n_neighbors:
        return {"defaults_skipped": f"te weinig passages voor de standaardinstellingen ({len(texts)})"}
    with quiet():
        topics, _ = base.fit_transform(texts, embeddings=embeddings.copy())
    real = sorted(t for t in set(topics) if t != -1)
    terms = [[w for w, _ in topic_terms(base, t)] for t in real]
    reference = reference_words(base.vectorizer_model.build_analyzer(), texts)
    q = quality(terms, reference, stops, cfg)
    # Diagnostic: the same topics with their stop words left out. NPMI on short passages
    # rewards stop words (they co-occur with everything), so this shows how much of the
    # defaults' score they make.
    content = [[w for w in coherence.topic_words(t) if w not in stops] for t in terms]
    return {"defaults_topics": len(real), "defaults_outliers": float(np.mean(np.array(topics) == -1)),
            **{f"defaults_{k}": v for k, v in q.items()},
            "defaults_npmi_without_stopwords": coherence.npmi(content, reference, cfg.coherence_top_n)}


def fit_corpus(spec: CorpusSpec, frame: pd.DataFrame, cfg: TopicsConfig, embedder: Embedder,
               shared: dict[str, np.ndarray] | None, stops: set[str], seeds: list[list[str]] | None) -> CorpusResult:
    """Fit one corpus (`frame` from `mark_roles`); every passage gets exactly one assignment."""
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    frame = prepare(frame)
    unique = frame.index[frame["role"] == "unique"].tolist()
    sizes_of_roles = counts(frame)

    def skip(reason: str) -> CorpusResult:
        return CorpusResult(spec, frame, [], {**sizes_of_roles, "topics": 0, "skipped": reason}, skipped=reason)

    if frame.empty:
        return skip("geen passages in dit corpus")
    if len(unique) < cfg.min_passages:
        return skip(f"{TOO_FEW} ({len(unique)} unieke passages, minimaal {cfg.min_passages})")
    lemma_docs = frame.loc[unique, "lemma_doc"].tolist()
    vocabulary = _vocabulary(lemma_docs, cfg, stops)
    if not vocabulary:
        return skip("geen inhoudswoorden over na stopwoorden en min_df")

    embed_docs = frame.loc[unique, "embed_doc"].tolist()
    if embedder.per_corpus:
        embedder = copy.deepcopy(embedder).fit(embed_docs)
    embeddings = passage_embeddings(embed_docs, embedder, shared, cfg.embedding_decimals)

    sizes = adapt_sizes(len(unique), cfg)
    vectorizer = CountVectorizer(token_pattern=LEMMA_TOKEN_PATTERN, stop_words=sorted(stops),
                                 ngram_range=tuple(cfg.vectorizer.ngram_range), vocabulary=vocabulary)
    model = BERTopic(
        language="multilingual",  # the English default would strip letters with diacritics
        embedding_model=RoundedEmbedder(embedder, cfg.embedding_decimals),
        umap_model=UMAP(n_neighbors=sizes.n_neighbors, n_components=sizes.n_components, min_dist=cfg.umap.min_dist,
                        metric=cfg.umap.metric, random_state=cfg.random_state),
        # HDBSCAN has no randomness: given the seeded UMAP output its clusters are fixed.
        hdbscan_model=HDBSCAN(min_cluster_size=sizes.min_cluster_size, min_samples=sizes.min_samples,
                              cluster_selection_method=cfg.hdbscan.cluster_selection_method, metric="euclidean",
                              prediction_data=True),
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=cfg.ctfidf.reduce_frequent_words,
                                           bm25_weighting=cfg.ctfidf.bm25_weighting),
        top_n_words=cfg.top_n_words,
        seed_topic_list=seeds or None,
        calculate_probabilities=False,
        verbose=False,
    )
    with quiet():
        # Guided topic modelling moves the embeddings it is given; keep ours intact.
        topics, probs = _assignments(*model.fit_transform(lemma_docs, embeddings=embeddings.copy()))
        outliers_before = float(np.mean(np.array(topics) == -1))
        assigned = ["model"] * len(topics)
        has_topics = any(t != -1 for t in topics)
        if cfg.outliers.strategy != "none" and has_topics and outliers_before > 0:
            topics, moved = _reduce_outliers(model, lemma_docs, topics, probs, embeddings, cfg)
            for i in moved:
                assigned[i] = "outlier_reduction"
            model.update_topics(lemma_docs, topics=topics, vectorizer_model=model.vectorizer_model,
                                ctfidf_model=model.ctfidf_model, top_n_words=cfg.top_n_words)

    assign(frame, unique, topics, probs, assigned)
    real = sorted(t for t in set(topics) if t != -1)
    labels = {-1: NO_TOPIC_LABEL, **{t: topic_label(model, t, cfg) for t in real}}
    model.set_topic_labels({t: labels[t] for t in sorted(set(model.topics_))})
    fit_metrics = {"n_neighbors": sizes.n_neighbors, "min_cluster_size": sizes.min_cluster_size}
    if cfg.compare_defaults:
        fit_metrics.update(fit_defaults(frame.loc[unique, "text"].tolist(), embeddings, embedder, cfg, stops))
    result = summarise(spec, frame, model, cfg, stops, outliers_before, fit_metrics,
                       {"mode": "fit", "fitted_on": len(unique), "transformed": 0})
    result.embedder = embedder
    return result


def extend_corpus(spec: CorpusSpec, frame: pd.DataFrame, cfg: TopicsConfig, plan: Plan,
                  shared: dict[str, np.ndarray] | None, stops: set[str]) -> CorpusResult:
    """Place the passages an earlier fit has not seen with that fit's model; the others keep their topic.

    New passages are embedded with the saved backend and placed by `BERTopic.transform`
    (for a model saved without UMAP/HDBSCAN: the most similar topic embedding); those
    that land in -1 go through the same outlier reduction as in the fit.
    """
    state, model, embedder = plan.state, plan.model, plan.embedder
    frame = prepare(frame)
    unique = frame.index[frame["role"] == "unique"].tolist()
    keys = pd.Index(passage_keys(frame.loc[unique]))
    known = keys.isin(state.passages.index)
    old = [i for i, k in zip(unique, known) if k]
    new = [i for i, k in zip(unique, known) if not k]
    stored = state.passages.loc[keys[known]]
    assign(frame, old, stored["topic"].to_numpy(), stored["probability"].to_numpy(), stored["assigned_by"].to_numpy())
    # Outliers before reduction: what HDBSCAN left in -1 at the fit, and what transform puts there now.
    n_before = int((stored["assigned_by"].eq("outlier_reduction") | stored["topic"].eq(-1)).sum())

    if new:
        lemma_docs = frame.loc[new, "lemma_doc"].tolist()
        embeddings = passage_embeddings(frame.loc[new, "embed_doc"].tolist(), embedder, shared,
                                        cfg.embedding_decimals)
        with quiet():
            topics, probs = _assignments(*model.transform(lemma_docs, embeddings=embeddings))
            n_outliers = sum(t == -1 for t in topics)
            n_before += n_outliers
            # reduce_outliers refuses a model without an outlier topic, and needs a topic to move to.
            if cfg.outliers.strategy != "none" and n_outliers and model._outliers and len(model.topic_sizes_) > 1:
                topics, _ = _reduce_outliers(model, lemma_docs, topics, probs, embeddings, cfg)
        assign(frame, new, topics, probs, "transform")
    result = summarise(spec, frame, model, cfg, stops, n_before / len(unique), state.metrics,
                       {"mode": "incremental", "fitted_on": len(old), "transformed": len(new)})
    result.model_folder = state.model_folder
    return result
