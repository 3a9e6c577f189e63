"""A corpus's result, and what it takes from the BERTopic model behind it.

A fit (`fit.fit_corpus`) and a run on an earlier fit (`fit.extend_corpus`) both end in
`summarise`: once every unique passage has its topic, the duplicates follow their first
occurrence and the topic words, labels, representative passages and quality are read
from the model. BERTopic itself is never imported here; the functions get its model.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np
import pandas as pd

from pipeline.topics.config import CorpusSpec, TopicsConfig
from pipeline.topics.quality import quality, reference_words

if TYPE_CHECKING:
    from pipeline.embeddings import Embedder

#: The label of topic -1, in `topics.parquet` and in the saved models.
NO_TOPIC_LABEL = "geen onderwerp"


@contextmanager
def quiet() -> Iterator[None]:
    """Silence BERTopic's log warnings and UMAP's notes for the duration of a fit.

    BERTopic resets its logger level in every constructor, so the logger is disabled
    rather than raised to ERROR; UMAP warns that `random_state` turns off parallelism,
    which is the point.
    """
    logger = logging.getLogger("BERTopic")
    disabled = logger.disabled
    logger.disabled = True
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="umap")
        warnings.filterwarnings("ignore", message=".*n_jobs value.*overridden.*")
        try:
            yield
        finally:
            logger.disabled = disabled


@dataclass
class TopicInfo:
    id: int
    label: str
    size: int
    terms: list[tuple[str, float]]
    representatives: list[int] = field(default_factory=list)  # rows in the corpus frame


@dataclass
class CorpusResult:
    spec: CorpusSpec
    frame: pd.DataFrame  # corpus passages with role, topic, probability, assigned_by
    topics: list[TopicInfo]
    metrics: dict[str, Any]
    skipped: str | None = None
    model: Any = None
    fit_metrics: dict[str, Any] = field(default_factory=dict)  # what only a fit measures; kept with its state
    embedder: Embedder | None = None  # the backend as fitted on this corpus (fit mode)
    model_folder: Path | None = None  # saved model to copy instead of saving `model` (incremental mode)


def topic_terms(model, topic: int) -> list[tuple[str, float]]:
    # BERTopic pads short topics with words of weight 0 (or ""); they say nothing about the topic.
    return [(w, float(s)) for w, s in (model.get_topic(topic) or []) if w and s > 0]


def topic_label(model, topic: int, cfg: TopicsConfig) -> str:
    return ", ".join(w for w, _ in topic_terms(model, topic)[:cfg.label_words])


def ctfidf_rows(model) -> dict[int, int]:
    """Row of each topic in `c_tf_idf_`: BERTopic builds it from the topics in sorted order."""
    return {t: i for i, t in enumerate(sorted(set(model.topics_)))}


def representatives(model, frame: pd.DataFrame, topic: int, n: int) -> list[int]:
    """The `n` unique passages of a topic whose c-TF-IDF is closest to the topic's (ties: corpus order)."""
    from sklearn.metrics.pairwise import cosine_similarity

    members = frame.index[(frame["role"] == "unique") & (frame["topic"] == topic)].tolist()
    if not members:
        return []
    bow = model.vectorizer_model.transform(frame.loc[members, "lemma_doc"].tolist())
    row = model.c_tf_idf_[ctfidf_rows(model)[topic]]
    sim = cosine_similarity(model.ctfidf_model.transform(bow), row).ravel()
    order = sorted(range(len(members)), key=lambda k: (-round(float(sim[k]), 12), members[k]))
    return [members[k] for k in order[:n]]


def counts(frame: pd.DataFrame) -> dict[str, int]:
    return {"passages": len(frame), "unique": int((frame["role"] == "unique").sum()),
            "duplicates": int((frame["role"] == "duplicate").sum()), "fillers": int((frame["role"] == "filler").sum()),
            "other_language": int((frame["role"] == "other_language").sum())}


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty assignments; passages set aside keep their reason, the rest is overwritten once the model has run."""
    frame = frame.copy()
    frame["topic"] = -1
    frame["probability"] = np.nan
    frame["assigned_by"] = frame["role"].map({"filler": "filler", "other_language": "other_language"}).fillna("skipped")
    return frame


def assign(frame: pd.DataFrame, rows: Sequence[int], topic: Any, probability: Any, assigned_by: Any) -> None:
    """Give `rows` of a corpus frame their topic, probability and how they got it (one value or one per row)."""
    frame.loc[rows, "topic"] = topic
    frame.loc[rows, "probability"] = probability
    frame.loc[rows, "assigned_by"] = assigned_by


def summarise(spec: CorpusSpec, frame: pd.DataFrame, model, cfg: TopicsConfig, stops: set[str],
              outliers_before: float, fit_metrics: dict[str, Any], run_metrics: dict[str, Any]) -> CorpusResult:
    """Duplicates, topic infos, representatives and quality, once every unique passage has its topic.

    The topic words are the model's, so a model reused in an incremental run keeps its words;
    sizes, representatives and quality are computed on the passages of this run.
    """
    unique = frame.index[frame["role"] == "unique"]
    dup = frame.index[frame["role"] == "duplicate"]
    firsts = frame.loc[dup, "first"].to_numpy()
    assign(frame, dup, frame.loc[firsts, "topic"].to_numpy(), frame.loc[firsts, "probability"].to_numpy(), "duplicate")

    real = sorted(t for t in set(frame.loc[unique, "topic"]) if t != -1)
    infos = [TopicInfo(t, topic_label(model, t, cfg), int((frame["topic"] == t).sum()), topic_terms(model, t))
             for t in real]
    for info in infos:
        info.representatives = representatives(model, frame, info.id, cfg.representative_passages)
    reference = reference_words(model.vectorizer_model.build_analyzer(), frame.loc[unique, "lemma_doc"].tolist())
    q = quality([[w for w, _ in i.terms] for i in infos], reference, stops, cfg)
    defaults = {k: v for k, v in fit_metrics.items() if k.startswith("defaults_")}
    metrics = {**counts(frame), "topics": len(real), "outliers_before": outliers_before,
               "outliers": float(np.mean(frame.loc[unique, "topic"] == -1)), **q,
               "n_neighbors": fit_metrics["n_neighbors"], "min_cluster_size": fit_metrics["min_cluster_size"],
               **run_metrics, **defaults}
    return CorpusResult(spec, frame, infos, metrics, model=model, fit_metrics=fit_metrics)
