"""Quality of a topic model's words: NPMI, diversity, and stop words among the top terms.

The same measures score the stage's own model and plain BERTopic (`fit.fit_defaults`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from pipeline import coherence
from pipeline.topics.config import TopicsConfig


def quality(topic_terms: Sequence[Sequence[str]], reference: Sequence[set[str]], stops: set[str],
            cfg: TopicsConfig) -> dict[str, Any]:
    """NPMI and diversity of the topics' words, and stop words among their top terms.

    NPMI and diversity look at the distinct words of the top terms (see `pipeline.coherence`),
    so a model with word pairs is scored like one without; `reference` holds the words of each
    passage (`reference_words`).
    """
    top = [list(t)[:cfg.coherence_top_n] for t in topic_terms]
    n_stop = sum(1 for t in top for term in t if any(w in stops for w in term.split()))
    words = [coherence.topic_words(t) for t in topic_terms]
    return {
        "npmi": coherence.npmi(words, reference, cfg.coherence_top_n),
        "diversity": coherence.topic_diversity(words, cfg.diversity_top_n),
        "stopwords_top10": n_stop,
    }


def reference_words(analyzer: Callable[[str], list[str]], docs: Sequence[str]) -> list[set[str]]:
    """The words of each passage as the model's own vectorizer reads it."""
    return [coherence.document_words(analyzer(d)) for d in docs]
