"""Settings of the `topics` stage (section `topics` of params.yaml), checked when they are read.

Also what follows from the settings alone: the stop words of the topic terms and the
UMAP/HDBSCAN sizes for a corpus of a given size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipeline.errors import SamenspelError

OUTLIER_STRATEGIES = ("c-tf-idf", "embeddings", "none")
KINDS = ("survey", "document")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class CorpusSpec:
    """One corpus: passages of one kind, optionally only some survey questions."""

    name: str
    kind: str
    questions: list[str] | None = None

    @classmethod
    def from_params(cls, raw: Any, index: int) -> "CorpusSpec":
        where = f"topics.corpora[{index}]"
        if not isinstance(raw, dict) or "name" not in raw or "kind" not in raw:
            raise SamenspelError(f"{where} heeft 'name' en 'kind' nodig", hint="bijv. {name: enquete, kind: survey}")
        unknown = set(raw) - {"name", "kind", "question"}
        if unknown:
            raise SamenspelError(f"{where}: onbekende sleutel(s) {sorted(unknown)}", hint="toegestaan: name, kind, question")
        name, kind = str(raw["name"]), str(raw["kind"])
        if not _NAME.match(name):
            raise SamenspelError(f"{where}: naam '{name}' mag alleen kleine letters, cijfers, _ en - bevatten")
        if kind not in KINDS:
            raise SamenspelError(f"{where}: kind '{kind}' onbekend", hint=f"kies uit: {', '.join(KINDS)}")
        q = raw.get("question")
        questions = None if q is None else [str(x) for x in (q if isinstance(q, list) else [q])]
        return cls(name, kind, questions)


def _languages(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise SamenspelError("topics.languages moet null (alle talen) of een lijst taalcodes zijn, bijv. [nl, und]")
    return [str(x) for x in value]


def _settings(cls, cfg: dict[str, Any], key: str):
    from pipeline.config import require, require_fields

    sub = require(cfg, key, "topics")
    if not isinstance(sub, dict):
        raise SamenspelError(f"topics.{key} moet een mapping zijn")
    return cls(**require_fields(cls, sub, f"topics.{key}"))


@dataclass
class UmapSettings:
    n_neighbors: int
    n_components: int
    min_dist: float
    metric: str


@dataclass
class HdbscanSettings:
    min_cluster_size: int
    min_samples: int | None
    cluster_selection_method: str


@dataclass
class VectorizerSettings:
    min_df: int
    ngram_range: list[int]


@dataclass
class CtfidfSettings:
    reduce_frequent_words: bool
    bm25_weighting: bool


@dataclass
class OutlierSettings:
    strategy: str
    threshold: float


@dataclass
class IncrementalSettings:
    enabled: bool
    refit_share: float


@dataclass
class TopicsConfig:
    """Settings from the `topics` section of params.yaml."""

    corpora: list[CorpusSpec]
    question_corpora_min_answers: int
    random_state: int
    min_passages: int
    min_content_lemmas: int
    languages: list[str] | None
    embedding_backend: str
    embedding_settings: dict[str, Any]
    embedding_decimals: int
    umap: UmapSettings
    hdbscan: HdbscanSettings
    vectorizer: VectorizerSettings
    ctfidf: CtfidfSettings
    domain_stop_words: list[str]
    outliers: OutlierSettings
    label_words: int
    representative_passages: int
    coherence_top_n: int
    diversity_top_n: int
    seed_topics: bool
    breakdown: list[str]
    compare_defaults: bool
    incremental: IncrementalSettings

    @classmethod
    def from_params(cls, cfg: dict[str, Any], backend: str | None = None) -> "TopicsConfig":
        """The settings of `cfg` (the `topics` section); `backend` (the CLI's --backend) replaces
        `embedding.backend`, and then that key is not read."""
        from pipeline.config import require

        corpora_raw = require(cfg, "corpora", "topics")
        if corpora_raw is None:
            corpora_raw = []
        if not isinstance(corpora_raw, list):
            raise SamenspelError("topics.corpora moet een lijst zijn (leeg = afgeleid uit de data)",
                                 hint="bijv. [] of [{name: enquete, kind: survey}, {name: documenten, kind: document}]")
        corpora = [CorpusSpec.from_params(c, i) for i, c in enumerate(corpora_raw)]
        names = [c.name for c in corpora]
        if len(set(names)) != len(names):
            raise SamenspelError(f"topics.corpora: dubbele namen {sorted({n for n in names if names.count(n) > 1})}")
        emb = require(cfg, "embedding", "topics")
        backend = backend or str(require(emb, "backend", "topics.embedding"))
        from pipeline.embeddings import BACKENDS

        if backend not in BACKENDS:
            raise SamenspelError(f"onbekende topics.embedding.backend '{backend}'", hint=f"kies uit: {', '.join(BACKENDS)}")
        conf = cls(
            corpora=corpora,
            question_corpora_min_answers=int(require(cfg, "question_corpora_min_answers", "topics")),
            random_state=int(require(cfg, "random_state", "topics")),
            min_passages=int(require(cfg, "min_passages", "topics")),
            min_content_lemmas=int(require(cfg, "min_content_lemmas", "topics")),
            languages=_languages(require(cfg, "languages", "topics")),
            embedding_backend=backend,
            embedding_settings=require(emb, backend, "topics.embedding"),
            embedding_decimals=int(require(emb, "decimals", "topics.embedding")),
            umap=_settings(UmapSettings, cfg, "umap"),
            hdbscan=_settings(HdbscanSettings, cfg, "hdbscan"),
            vectorizer=_settings(VectorizerSettings, cfg, "vectorizer"),
            ctfidf=_settings(CtfidfSettings, cfg, "ctfidf"),
            domain_stop_words=[str(w) for w in require(cfg, "domain_stop_words", "topics")],
            outliers=_settings(OutlierSettings, cfg, "outliers"),
            label_words=int(require(cfg, "label_words", "topics")),
            representative_passages=int(require(cfg, "representative_passages", "topics")),
            coherence_top_n=int(require(cfg, "coherence_top_n", "topics")),
            diversity_top_n=int(require(cfg, "diversity_top_n", "topics")),
            seed_topics=bool(require(cfg, "seed_topics", "topics")),
            breakdown=[str(c) for c in require(cfg, "breakdown", "topics")],
            compare_defaults=bool(require(cfg, "compare_defaults", "topics")),
            incremental=_settings(IncrementalSettings, cfg, "incremental"),
        )
        if conf.embedding_decimals < 1:
            raise SamenspelError("topics.embedding.decimals moet minstens 1 zijn",
                                 hint="bijv. 4: genoeg voor de clustering, en gelijk op elke machine")
        if conf.outliers.strategy not in OUTLIER_STRATEGIES:
            raise SamenspelError(f"onbekende topics.outliers.strategy '{conf.outliers.strategy}'",
                                 hint=f"kies uit: {', '.join(OUTLIER_STRATEGIES)}")
        if not 0 <= conf.incremental.refit_share <= 1:
            raise SamenspelError("topics.incremental.refit_share moet tussen 0 en 1 liggen",
                                 hint="bijv. 0.25: opnieuw fitten zodra meer dan een kwart van de passages nieuw is")
        if not 3 <= conf.representative_passages <= 5:
            raise SamenspelError("topics.representative_passages moet 3, 4 of 5 zijn")
        if len(conf.vectorizer.ngram_range) != 2 or not 1 <= conf.vectorizer.ngram_range[0] <= conf.vectorizer.ngram_range[1] <= 2:
            raise SamenspelError("topics.vectorizer.ngram_range moet [1, 1], [1, 2] of [2, 2] zijn")
        return conf

    @property
    def top_n_words(self) -> int:
        return max(self.coherence_top_n, self.diversity_top_n)


def stop_words(cfg: TopicsConfig) -> set[str]:
    """The pipeline's Dutch stop words (`pipeline.nlp.stop_words`) plus `topics.domain_stop_words`."""
    from pipeline.nlp import stop_words as dutch_stop_words

    return dutch_stop_words(cfg.domain_stop_words)


@dataclass
class Sizes:
    """UMAP/HDBSCAN sizes for one corpus, shrunk for small corpora."""

    n_neighbors: int
    n_components: int
    min_cluster_size: int
    min_samples: int | None


def adapt_sizes(n: int, cfg: TopicsConfig) -> Sizes:
    """Fit UMAP and HDBSCAN sizes to a corpus of `n` unique passages.

    The params are the sizes for a normal corpus. A small corpus gets at most a quarter
    of its passages as neighbours and as dimensions (UMAP's spectral start needs fewer
    dimensions than points) and clusters of at least a tenth of it, but never below 3
    passages, so that every topic can show three representative passages.
    """
    n_neighbors = max(2, min(cfg.umap.n_neighbors, n // 4))
    n_components = max(2, min(cfg.umap.n_components, n // 4))
    min_cluster_size = max(3, min(cfg.hdbscan.min_cluster_size, n // 10))
    min_samples = cfg.hdbscan.min_samples
    if min_samples is not None:
        min_samples = max(1, min(min_samples, min_cluster_size))
    return Sizes(n_neighbors, n_components, min_cluster_size, min_samples)
