"""Topic quality measured on the corpus itself: NPMI coherence and topic diversity.

Both take topics as lists of terms (best first). NPMI uses document co-occurrence in
a reference corpus given as one collection of terms per document — for a topic model
that is each document as its own vectorizer analyses it.

Models are compared on words, not on their n-gram terms: `topic_words` turns a topic's
terms into its distinct words (a bigram gives its two words, in order) and
`document_words` does the same for each reference document. Scoring the terms
themselves would reward a model for listing a bigram next to its own words: "sociaal
domein" co-occurs with "sociaal" wherever it occurs, so such pairs score high without
saying anything about the topic. A unigram model (such as BERTopic's defaults) gets the
same scores either way; the computation is the same for every model.

NPMI of two terms (Bouma 2009; the `c_npmi` of Röder et al. 2015 with a whole document
as the window)::

    NPMI(a, b) = log(P(a, b) / (P(a) P(b))) / -log(P(a, b))

with P the share of documents containing the term(s). It runs from -1 (never together)
to 1 (always together); never together is -1 by definition, and a pair present in every
document is 1. A topic's coherence is the mean over its term pairs; a model's is the mean
over its topics.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse


def _top(terms: Sequence[str], top_n: int) -> list[str]:
    return [t for t in terms if t][:top_n]


def topic_words(terms: Sequence[str], top_n: int | None = None) -> list[str]:
    """The distinct words of a topic's terms, best first (n-gram terms split into their words)."""
    words = list(dict.fromkeys(w for t in terms if t for w in t.split()))
    return words if top_n is None else words[:top_n]


def document_words(terms: Iterable[str]) -> set[str]:
    """The words of one reference document, from its analysed terms (n-grams split)."""
    return {w for t in terms for w in t.split()}


def npmi_per_topic(topics: Sequence[Sequence[str]], documents: Iterable[Iterable[str]], top_n: int = 10) -> list[float]:
    """NPMI coherence of each topic's `top_n` terms; NaN for a topic with fewer than two terms.

    Args:
        topics: terms per topic, best first (empty strings are ignored).
        documents: the reference corpus, one iterable of terms per document.
        top_n: number of terms per topic to score.
    """
    tops = [_top(t, top_n) for t in topics]
    vocab = {term: i for i, term in enumerate(sorted({t for top in tops for t in top}))}
    rows, cols = [], []
    n_docs = 0
    for d, doc in enumerate(documents):
        n_docs += 1
        present = {vocab[t] for t in doc if t in vocab}
        rows += [d] * len(present)
        cols += sorted(present)
    if not vocab or n_docs == 0:
        return [math.nan for _ in tops]
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_docs, len(vocab)))
    co = (x.T @ x).toarray()  # co[i, j]: documents with both terms; co[i, i]: with term i
    scores = []
    for top in tops:
        pairs = [npmi_pair(co[vocab[a], vocab[b]], co[vocab[a], vocab[a]], co[vocab[b], vocab[b]], n_docs)
                 for a, b in combinations(top, 2)]
        scores.append(float(np.mean(pairs)) if pairs else math.nan)
    return scores


def npmi_pair(n_ab: float, n_a: float, n_b: float, n_docs: int) -> float:
    """NPMI from document counts: both terms, each term, all documents."""
    if n_ab == 0:
        return -1.0
    if n_ab == n_docs:
        return 1.0
    p_ab, p_a, p_b = n_ab / n_docs, n_a / n_docs, n_b / n_docs
    return math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)


def npmi(topics: Sequence[Sequence[str]], documents: Iterable[Iterable[str]], top_n: int = 10) -> float:
    """Mean NPMI over topics (NaN without scorable topics)."""
    scores = [s for s in npmi_per_topic(topics, documents, top_n) if not math.isnan(s)]
    return float(np.mean(scores)) if scores else math.nan


def topic_diversity(topics: Sequence[Sequence[str]], top_n: int = 25) -> float:
    """Share of unique terms among all topics' `top_n` terms (Dieng et al. 2020); 1 = no overlap."""
    tops = [_top(t, top_n) for t in topics]
    total = sum(len(t) for t in tops)
    return len({t for top in tops for t in top}) / total if total else math.nan
