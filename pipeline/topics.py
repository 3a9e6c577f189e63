"""Stage `topics`: BERTopic topic models per corpus, with Dutch lemma representations.

Inputs:  scrubbed passages (schema `SCRUBBED`), their annotation (schema `NLP`), and
         optionally the classified passages (`classified.parquet`: passage_id, p_<code>,
         <code> 0/1, codes) and the codebook (code names; indicators as seed topics).
Outputs: `topics.parquet` (schema `TOPICS`: one row per passage and corpus), one model
         folder per corpus (BERTopic safetensors + c-TF-IDF, no pickle), Dutch topic
         summaries `<corpus>.md` / `<corpus>.html` plus an index, `breakdown.csv` (topic
         shares per wave, question, metadata and code), `waves.csv` (for `dvc plots`), and
         flat metrics (`<corpus>_<metric>`).
Params:  section `topics` of params.yaml.

Corpora are listed in `topics.corpora`, or, when that is empty, derived from the data
(`derive_corpora`): one per kind present (`enquete`, `documenten`) and one per survey
question with at least `question_corpora_min_answers` answers (`enquete_<question id>`).

Per corpus (a `kind`, optionally narrowed to survey questions; only status 'ok'):

1. Passages in another language than `languages` (the nlp stage's `lang`) and passages
   with fewer than `min_content_lemmas` content lemmas (fillers) are set aside, and
   exact duplicates (after case folding and collapsing whitespace of what the embedding
   backend reads) are set aside: duplicate points make UMAP's neighbour graph ambiguous
   and so the run irreproducible. All get their row back at the end — a duplicate the
   topic of its first occurrence, the others topic -1.
2. Embeddings from the backend in `topics.embedding` (see `pipeline.embeddings`), rounded to
   `topics.embedding.decimals`: the last bits, in which BLAS kernels and C libraries of
   different machines differ, then never reach UMAP and HDBSCAN (see `pipeline.reproducible`).
3. BERTopic with seeded UMAP, HDBSCAN, a CountVectorizer on content lemmas (Dutch stop
   words + a domain list; `min_df` counted over passages) and c-TF-IDF. UMAP/HDBSCAN
   sizes shrink with small corpora; below `min_passages` unique passages the corpus is
   skipped and the reason recorded.
4. Outliers moved to their nearest topic (`reduce_outliers`), then the representations
   refreshed with the same vectorizer (`update_topics`).
5. Quality on the corpus itself (NPMI, diversity, outlier share, stop words in the top
   terms), next to plain BERTopic defaults on the same passages and embeddings.

Incremental runs (`topics.incremental`, with the `cache.dir` folder): after a fit, the
model, the fitted embedding backend and the topic of every fitted passage are kept in
`<cache.dir>/topics/<corpus>/`, under a fingerprint of the fit settings, stop words,
seed topics, library versions and this code. DVC removes the stage's outputs before a
run, so that state has to live outside them. The next run reuses it when the
fingerprint matches, every fitted passage is still in the corpus and the unseen
passages are at most `refit_share` of it: the fitted passages keep their topic, the
unseen ones are embedded with the saved backend and placed by the saved model
(`BERTopic.transform`, then the same outlier reduction as the fit), and summaries and
quality are computed again on the whole corpus. Topic ids and words stay those of the
fit, so they can be compared across waves. Otherwise the corpus is fitted from scratch
and the state replaced. Without a cache, or with `enabled: false`, every run fits.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import logging
import math
import os
import re
import shutil
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
from bertopic.backend import BaseEmbedder

from pipeline import coherence
from pipeline.embeddings import LEMMA_TOKEN_PATTERN, Embedder, make_embedder
from pipeline import dutch
from pipeline.errors import SamenspelError
from pipeline.files import atomic_path, read_table, replace_dir, write_json, write_table, write_text
from pipeline.progress import progress
from pipeline.schema import NLP, SCRUBBED, STATUS_OK, Column, Schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyedSchema(Schema):
    """A schema whose rows are unique on `key` instead of on passage_id alone.

    `topics.parquet` holds a passage once per corpus it belongs to (all survey answers
    and per question), so passage_id repeats; (corpus, passage_id) is unique.
    """

    key: tuple[str, ...] = ("passage_id",)

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.names if c not in df.columns]
        if missing:
            raise SamenspelError(f"table '{self.name}' misses columns {missing}",
                                 hint="the upstream output is from an older version; run `dvc repro` again")
        bad_extra = [c for c in self.extra_columns(df) if not c.startswith(self.extra_prefixes)]
        if bad_extra:
            raise SamenspelError(f"table '{self.name}' has undeclared columns {bad_extra}")
        for col in self.columns:
            if not col.nullable and df[col.name].isna().any():
                raise SamenspelError(f"table '{self.name}': column '{col.name}' has empty values")
        dup = df.duplicated(list(self.key))
        if dup.any():
            raise SamenspelError(f"table '{self.name}': {dict(df.loc[dup, list(self.key)].iloc[0])} is not unique")
        return df[self.names + sorted(self.extra_columns(df))]


#: Output of `topics`: the topic of every passage in every corpus it belongs to.
TOPICS = KeyedSchema(
    "topics",
    (
        Column("passage_id", pa.string(), nullable=False),
        Column("corpus", pa.string(), nullable=False,
               doc="corpus name from topics.corpora, or derived from the data when that is empty"),
        Column("topic", pa.int64(), nullable=False, doc="topic id within the corpus; -1 = no topic"),
        Column("probability", pa.float64(),
               doc="HDBSCAN membership strength; for passages moved out of -1, the similarity that moved them; "
                   "for 'transform', the cosine similarity to the topic's embedding"),
        Column("label", pa.string(), nullable=False, doc="short label from the topic's top lemmas"),
        Column("assigned_by", pa.string(), nullable=False,
               doc="'model', 'outlier_reduction', 'transform' (placed by the saved model of an earlier "
                   "fit in an incremental run), 'duplicate' (topic of its first occurrence), "
                   "'filler' (no content words), 'other_language' (lang not in topics.languages) "
                   "or 'skipped' (corpus too small)"),
    ),
    key=("corpus", "passage_id"),
)

NO_TOPIC_LABEL = "geen onderwerp"
TOO_FEW = "te weinig passages voor onderwerpen"
OUTLIER_STRATEGIES = ("c-tf-idf", "embeddings", "none")
KINDS = ("survey", "document")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# --------------------------------------------------------------------------- config


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


#: Names of the corpora derived from the data when `topics.corpora` is empty.
KIND_CORPUS = {"survey": "enquete", "document": "documenten"}


def _corpus_name(text: str) -> str:
    """A corpus name (lowercase letters, digits, _ and -) from a question id."""
    return re.sub(r"[^a-z0-9_-]+", "_", str(text).lower()).strip("_-") or "vraag"


def derive_corpora(passages: pd.DataFrame, min_answers: int) -> list[CorpusSpec]:
    """The corpora of `topics.corpora: []`: all survey answers, one corpus per survey question
    with at least `min_answers` answers with status 'ok', and the documents (each when present).

    A survey with a single question gets no separate corpus for it (it would be the same
    fit twice). Question corpora come in the order of the questions in the table.
    """
    ok = passages[passages["status"] == STATUS_OK]
    specs: list[CorpusSpec] = []
    survey = ok[ok["kind"] == "survey"]
    if len(survey):
        specs.append(CorpusSpec(KIND_CORPUS["survey"], "survey"))
    # Answers, not passages: a long answer split at ingest is one answer.
    answers = survey.drop_duplicates(["wave", "respondent_id", "question_id"])
    counts = answers["question_id"].dropna().astype(str).value_counts(sort=False)
    order = list(dict.fromkeys(survey["question_id"].dropna().astype(str)))
    if len(order) > 1:
        taken = {s.name for s in specs} | {KIND_CORPUS["document"]}
        for q in order:
            if counts[q] < min_answers:
                continue
            name, i = f"{KIND_CORPUS['survey']}_{_corpus_name(q)}", 2
            while name in taken:  # two question ids that only differ in punctuation or case
                name, i = f"{KIND_CORPUS['survey']}_{_corpus_name(q)}_{i}", i + 1
            taken.add(name)
            specs.append(CorpusSpec(name, "survey", [q]))
    if (ok["kind"] == "document").any():
        specs.append(CorpusSpec(KIND_CORPUS["document"], "document"))
    return specs


def _languages(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise SamenspelError("topics.languages moet null (alle talen) of een lijst taalcodes zijn, bijv. [nl, und]")
    return [str(x) for x in value]


def _settings(cls, cfg: dict[str, Any], key: str):
    from pipeline.config import require

    sub = require(cfg, key, "topics")
    if not isinstance(sub, dict):
        raise SamenspelError(f"topics.{key} moet een mapping zijn")
    return cls(**{f.name: require(sub, f.name, f"topics.{key}") for f in fields(cls)})


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
    def from_params(cls, cfg: dict[str, Any]) -> "TopicsConfig":
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
        backend = str(require(emb, "backend", "topics.embedding"))
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


# --------------------------------------------------------------------------- data


def load_passages(scrubbed_path: Path, nlp_path: Path) -> pd.DataFrame:
    """Scrubbed passages joined to their content lemmas."""
    passages = read_table(scrubbed_path, SCRUBBED)
    nlp = read_table(nlp_path, NLP)[["passage_id", "content_lemmas", "lang"]]
    df = passages.merge(nlp, on="passage_id", how="left", validate="one_to_one")
    missing = df["content_lemmas"].isna() & (df["status"] == STATUS_OK)
    if missing.any():
        raise SamenspelError(f"{int(missing.sum())} passages hebben geen nlp-annotatie "
                             f"(bijv. {df.loc[missing, 'passage_id'].iloc[0]})", path=nlp_path,
                             hint="draai de nlp-stage opnieuw op dezelfde passages (`dvc repro`)")
    return df


def load_classified(path: Path | None) -> tuple[pd.DataFrame | None, list[str]]:
    """The 0/1 code columns per passage_id (named by code id), or (None, []) without a classified table."""
    if path is None:
        return None, []
    path = Path(path)
    if not path.exists():
        raise SamenspelError("geclassificeerde passages niet gevonden", path=path,
                             hint="draai eerst de classify-stage, of laat --classified weg")
    df = pd.read_parquet(path)
    if "passage_id" not in df.columns:
        raise SamenspelError("kolom 'passage_id' ontbreekt", path=path)
    # The 0/1 decision `<code>` next to each probability `p_<code>` (schema CLASSIFIED, and the exports).
    codes = [col[2:] for col in df.columns if col.startswith("p_") and col[2:] in df.columns]
    if not codes:
        raise SamenspelError("geen codekolommen (p_<code> met <code>) gevonden", path=path)
    return df[["passage_id", *codes]].fillna(0).astype({c: "int64" for c in codes}), codes


def normalise(text: str) -> str:
    """Key for exact duplicates: case-folded, whitespace collapsed."""
    return " ".join(str(text).casefold().split())


def select_corpus(passages: pd.DataFrame, spec: CorpusSpec) -> pd.DataFrame:
    mask = (passages["kind"] == spec.kind) & (passages["status"] == STATUS_OK)
    if spec.questions is not None:
        mask &= passages["question_id"].isin(spec.questions)
    return passages[mask].reset_index(drop=True)


def mark_roles(df: pd.DataFrame, embed_input: str, min_content_lemmas: int,
               languages: Sequence[str] | None) -> pd.DataFrame:
    """Add `lemma_doc`, `embed_doc`, `role` and `first`.

    Roles: 'other_language' (the nlp stage's `lang` is not in `languages`, when given:
    Dutch stop words and lemmas say nothing about it), 'filler', 'duplicate' or 'unique'. `first` is
    the row of the first occurrence for a duplicate, else the row itself. Duplicates are
    judged on what the embedding backend reads (text or lemmas): two passages that it
    cannot tell apart would be the same point for UMAP.
    """
    df = df.copy()
    df["lemma_doc"] = [" ".join(ls) for ls in df["content_lemmas"]]
    df["embed_doc"] = df["text"] if embed_input == "text" else df["lemma_doc"]
    filler = np.array([len(ls) < min_content_lemmas for ls in df["content_lemmas"]], dtype=bool)
    if languages is None:
        foreign = np.zeros(len(df), dtype=bool)
    else:
        foreign = ~df["lang"].isin(list(languages)).to_numpy(dtype=bool)
    keys = df["embed_doc"].map(normalise)
    first_of: dict[str, int] = {}
    roles, first = [], []
    for i, (key, is_filler, is_foreign) in enumerate(zip(keys, filler, foreign)):
        if is_foreign:
            roles.append("other_language")
            first.append(i)
        elif is_filler:
            roles.append("filler")
            first.append(i)
        elif key in first_of:
            roles.append("duplicate")
            first.append(first_of[key])
        else:
            first_of[key] = i
            roles.append("unique")
            first.append(i)
    df["role"] = roles
    df["first"] = first
    return df


# --------------------------------------------------------------------------- fitting


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


def _topic_terms(model, topic: int) -> list[tuple[str, float]]:
    # BERTopic pads short topics with words of weight 0 (or ""); they say nothing about the topic.
    return [(w, float(s)) for w, s in (model.get_topic(topic) or []) if w and s > 0]


def _ctfidf_rows(model) -> dict[int, int]:
    """Row of each topic in `c_tf_idf_`: BERTopic builds it from the topics in sorted order."""
    return {t: i for i, t in enumerate(sorted(set(model.topics_)))}


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


def _representatives(model, frame: pd.DataFrame, topic: int, n: int) -> list[int]:
    """The `n` unique passages of a topic whose c-TF-IDF is closest to the topic's (ties: corpus order)."""
    from sklearn.metrics.pairwise import cosine_similarity

    members = frame.index[(frame["role"] == "unique") & (frame["topic"] == topic)].tolist()
    if not members:
        return []
    bow = model.vectorizer_model.transform(frame.loc[members, "lemma_doc"].tolist())
    row = model.c_tf_idf_[_ctfidf_rows(model)[topic]]
    sim = cosine_similarity(model.ctfidf_model.transform(bow), row).ravel()
    order = sorted(range(len(members)), key=lambda k: (-round(float(sim[k]), 12), members[k]))
    return [members[k] for k in order[:n]]


def quality(topic_terms: Sequence[Sequence[str]], reference: Sequence[set[str]], stops: set[str],
            cfg: TopicsConfig) -> dict[str, Any]:
    """NPMI and diversity of the topics' words, and stop words among their top terms.

    NPMI and diversity look at the distinct words of the top terms (see `pipeline.coherence`),
    so a model with word pairs is scored like one without; `reference` holds the words of each
    passage (`_reference`).
    """
    top = [list(t)[:cfg.coherence_top_n] for t in topic_terms]
    n_stop = sum(1 for t in top for term in t if any(w in stops for w in term.split()))
    words = [coherence.topic_words(t) for t in topic_terms]
    return {
        "npmi": coherence.npmi(words, reference, cfg.coherence_top_n),
        "diversity": coherence.topic_diversity(words, cfg.diversity_top_n),
        "stopwords_top10": n_stop,
    }


def _reference(analyzer: Callable[[str], list[str]], docs: Sequence[str]) -> list[set[str]]:
    """The words of each passage as the model's own vectorizer reads it."""
    return [coherence.document_words(analyzer(d)) for d in docs]


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
    terms = [[w for w, _ in _topic_terms(base, t)] for t in real]
    reference = _reference(base.vectorizer_model.build_analyzer(), texts)
    q = quality(terms, reference, stops, cfg)
    # Diagnostic: the same topics with their stop words left out. NPMI on short passages
    # rewards stop words (they co-occur with everything), so this shows how much of the
    # defaults' score they make.
    content = [[w for w in coherence.topic_words(t) if w not in stops] for t in terms]
    return {"defaults_topics": len(real), "defaults_outliers": float(np.mean(np.array(topics) == -1)),
            **{f"defaults_{k}": v for k, v in q.items()},
            "defaults_npmi_without_stopwords": coherence.npmi(content, reference, cfg.coherence_top_n)}


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    return {"passages": len(frame), "unique": int((frame["role"] == "unique").sum()),
            "duplicates": int((frame["role"] == "duplicate").sum()), "fillers": int((frame["role"] == "filler").sum()),
            "other_language": int((frame["role"] == "other_language").sum())}


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty assignments; passages set aside keep their reason, the rest is overwritten once the model has run."""
    frame = frame.copy()
    frame["topic"] = -1
    frame["probability"] = np.nan
    frame["assigned_by"] = frame["role"].map({"filler": "filler", "other_language": "other_language"}).fillna("skipped")
    return frame


def fit_corpus(spec: CorpusSpec, frame: pd.DataFrame, cfg: TopicsConfig, embedder: Embedder,
               shared: dict[str, np.ndarray] | None, stops: set[str], seeds: list[list[str]] | None) -> CorpusResult:
    """Fit one corpus (`frame` from `mark_roles`); every passage gets exactly one assignment."""
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    frame = _prepare(frame)
    unique = frame.index[frame["role"] == "unique"].tolist()
    counts = _counts(frame)

    def skip(reason: str) -> CorpusResult:
        return CorpusResult(spec, frame, [], {**counts, "topics": 0, "skipped": reason}, skipped=reason)

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
        topics, probs = model.fit_transform(lemma_docs, embeddings=embeddings.copy())
        topics = [int(t) for t in topics]
        probs = np.asarray(probs, dtype=float).reshape(len(topics), -1).max(axis=1)
        outliers_before = float(np.mean(np.array(topics) == -1))
        assigned = ["model"] * len(topics)
        has_topics = any(t != -1 for t in topics)
        if cfg.outliers.strategy != "none" and has_topics and outliers_before > 0:
            idx = [i for i, t in enumerate(topics) if t == -1]
            best = _outlier_similarity(model, lemma_docs, embeddings, idx, cfg.outliers.strategy)
            new = [int(t) for t in model.reduce_outliers(lemma_docs, topics, strategy=cfg.outliers.strategy,
                                                         threshold=cfg.outliers.threshold, embeddings=embeddings)]
            for k, i in enumerate(idx):
                if new[i] != -1:
                    probs[i] = float(best[k])
                    assigned[i] = "outlier_reduction"
            topics = new
            model.update_topics(lemma_docs, topics=topics, vectorizer_model=model.vectorizer_model,
                                ctfidf_model=model.ctfidf_model, top_n_words=cfg.top_n_words)

    frame.loc[unique, "topic"] = topics
    frame.loc[unique, "probability"] = probs
    frame.loc[unique, "assigned_by"] = assigned
    real = sorted(t for t in set(topics) if t != -1)
    labels = {-1: NO_TOPIC_LABEL, **{t: _label(model, t, cfg) for t in real}}
    model.set_topic_labels({t: labels[t] for t in sorted(set(model.topics_))})
    fit_metrics = {"n_neighbors": sizes.n_neighbors, "min_cluster_size": sizes.min_cluster_size}
    if cfg.compare_defaults:
        fit_metrics.update(fit_defaults(frame.loc[unique, "text"].tolist(), embeddings, embedder, cfg, stops))
    result = _summarise(spec, frame, model, cfg, stops, outliers_before, fit_metrics,
                        {"mode": "fit", "fitted_on": len(unique), "transformed": 0})
    result.embedder = embedder
    return result


def _label(model, topic: int, cfg: TopicsConfig) -> str:
    return ", ".join(w for w, _ in _topic_terms(model, topic)[:cfg.label_words])


def _summarise(spec: CorpusSpec, frame: pd.DataFrame, model, cfg: TopicsConfig, stops: set[str],
               outliers_before: float, fit_metrics: dict[str, Any], run_metrics: dict[str, Any]) -> CorpusResult:
    """Duplicates, topic infos, representatives and quality, once every unique passage has its topic.

    The topic words are the model's, so a model reused in an incremental run keeps its words;
    sizes, representatives and quality are computed on the passages of this run.
    """
    unique = frame.index[frame["role"] == "unique"]
    dup = frame.index[frame["role"] == "duplicate"]
    firsts = frame.loc[dup, "first"].to_numpy()
    frame.loc[dup, "topic"] = frame.loc[firsts, "topic"].to_numpy()
    frame.loc[dup, "probability"] = frame.loc[firsts, "probability"].to_numpy()
    frame.loc[dup, "assigned_by"] = "duplicate"

    real = sorted(t for t in set(frame.loc[unique, "topic"]) if t != -1)
    infos = [TopicInfo(t, _label(model, t, cfg), int((frame["topic"] == t).sum()), _topic_terms(model, t))
             for t in real]
    for info in infos:
        info.representatives = _representatives(model, frame, info.id, cfg.representative_passages)
    reference = _reference(model.vectorizer_model.build_analyzer(), frame.loc[unique, "lemma_doc"].tolist())
    q = quality([[w for w, _ in i.terms] for i in infos], reference, stops, cfg)
    defaults = {k: v for k, v in fit_metrics.items() if k.startswith("defaults_")}
    metrics = {**_counts(frame), "topics": len(real), "outliers_before": outliers_before,
               "outliers": float(np.mean(frame.loc[unique, "topic"] == -1)), **q,
               "n_neighbors": fit_metrics["n_neighbors"], "min_cluster_size": fit_metrics["min_cluster_size"],
               **run_metrics, **defaults}
    return CorpusResult(spec, frame, infos, metrics, model=model, fit_metrics=fit_metrics)


def extend_corpus(spec: CorpusSpec, frame: pd.DataFrame, cfg: TopicsConfig, plan: "Plan",
                  shared: dict[str, np.ndarray] | None, stops: set[str]) -> CorpusResult:
    """Place the passages an earlier fit has not seen with that fit's model; the others keep their topic.

    New passages are embedded with the saved backend and placed by `BERTopic.transform`
    (for a model saved without UMAP/HDBSCAN: the most similar topic embedding); those
    that land in -1 go through the same outlier reduction as in the fit.
    """
    state, model, embedder = plan.state, plan.model, plan.embedder
    frame = _prepare(frame)
    unique = frame.index[frame["role"] == "unique"].tolist()
    keys = pd.Index(passage_keys(frame.loc[unique]))
    known = keys.isin(state.passages.index)
    old = [i for i, k in zip(unique, known) if k]
    new = [i for i, k in zip(unique, known) if not k]
    stored = state.passages.loc[keys[known]]
    frame.loc[old, "topic"] = stored["topic"].to_numpy()
    frame.loc[old, "probability"] = stored["probability"].to_numpy()
    frame.loc[old, "assigned_by"] = stored["assigned_by"].to_numpy()
    # Outliers before reduction: what HDBSCAN left in -1 at the fit, and what transform puts there now.
    n_before = int((stored["assigned_by"].eq("outlier_reduction") | stored["topic"].eq(-1)).sum())

    if new:
        lemma_docs = frame.loc[new, "lemma_doc"].tolist()
        embeddings = passage_embeddings(frame.loc[new, "embed_doc"].tolist(), embedder, shared,
                                        cfg.embedding_decimals)
        with quiet():
            topics, probs = model.transform(lemma_docs, embeddings=embeddings)
            topics = [int(t) for t in topics]
            probs = np.asarray(probs, dtype=float).reshape(len(topics), -1).max(axis=1)
            n_before += sum(t == -1 for t in topics)
            idx = [i for i, t in enumerate(topics) if t == -1]
            # reduce_outliers refuses a model without an outlier topic, and needs a topic to move to.
            if cfg.outliers.strategy != "none" and idx and model._outliers and len(model.topic_sizes_) > 1:
                best = _outlier_similarity(model, lemma_docs, embeddings, idx, cfg.outliers.strategy)
                moved = [int(t) for t in model.reduce_outliers(lemma_docs, topics, strategy=cfg.outliers.strategy,
                                                               threshold=cfg.outliers.threshold,
                                                               embeddings=embeddings)]
                for k, i in enumerate(idx):
                    if moved[i] != -1:
                        probs[i] = float(best[k])
                topics = moved
        frame.loc[new, "topic"] = topics
        frame.loc[new, "probability"] = probs
        frame.loc[new, "assigned_by"] = "transform"
    result = _summarise(spec, frame, model, cfg, stops, n_before / len(unique), state.metrics,
                        {"mode": "incremental", "fitted_on": len(old), "transformed": len(new)})
    result.model_folder = state.model_folder
    return result


def save_model(model, folder: Path, backend: str) -> None:
    """Save as safetensors with c-TF-IDF into `folder`, replacing it only when complete."""
    # The config is plain json, which cannot hold the numpy ints sklearn may put in a vocabulary.
    vec = model.vectorizer_model
    vec.vocabulary_ = {k: int(v) for k, v in vec.vocabulary_.items()}
    if isinstance(vec.vocabulary, dict):
        vec.vocabulary = {k: int(v) for k, v in vec.vocabulary.items()}
    with replace_dir(folder) as tmp:
        with quiet():
            model.save(tmp, serialization="safetensors", save_ctfidf=True, save_embedding_model=False)
        write_json(tmp / "samenspel.json", {
            "embedding_backend": backend,
            "note": "embeddings kwamen van deze backend; geef bij BERTopic.load() hetzelfde model mee om nieuwe passages in te delen",
        })


# --------------------------------------------------------------------------- incremental state

STATE_FORMAT = 1


def passage_keys(frame: pd.DataFrame) -> list[str]:
    """Content key per row: what the embedding backend reads (as deduplicated) and the lemmas.

    An earlier fit is matched on content, not on passage ids: a passage is the same point
    for the model whatever its id or position, and changed lemmas make it a different one.
    """
    return [hashlib.sha256(f"{normalise(e)}\x1f{lemmas}".encode("utf-8", "surrogatepass")).hexdigest()
            for e, lemmas in zip(frame["embed_doc"], frame["lemma_doc"])]


def fit_fingerprint(spec: CorpusSpec, cfg: TopicsConfig, stops: set[str], seeds: list[list[str]] | None,
                    backend: str) -> str:
    """SHA-256 of everything besides the passages that shapes a corpus's fit and what is kept of it.

    Settings that only shape the reports (breakdowns, representative passages) and the
    incremental settings themselves are left out; the code of this stage is in.
    """
    import importlib.metadata as md

    import pipeline
    from pipeline import embeddings, reproducible
    from pipeline.cache import module_digest

    settings = asdict(cfg)
    for key in ("corpora", "question_corpora_min_answers", "breakdown", "representative_passages", "incremental"):
        settings.pop(key)
    payload = {
        "format": STATE_FORMAT, "samenspel": pipeline.__version__, "corpus": asdict(spec), "settings": settings,
        "stop_words": sorted(stops), "seeds": seeds, "backend": backend,
        "native_cpu": reproducible.native_requested(os.environ),  # a fit on the host's kernels is not the pinned one
        # coherence: the kept defaults' scores; reproducible: the numeric environment of the fit
        "code": module_digest(sys.modules[__name__], embeddings, coherence, reproducible),
        "libraries": {name: md.version(name) for name in ("bertopic", "umap-learn", "hdbscan", "scikit-learn",
                                                           "numpy", "scipy", "numba")},  # numba compiles UMAP
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a metric value (numpy scalars become Python numbers)."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class TopicState:
    """An earlier fit of one corpus, kept in `<cache>/topics/<corpus>/` (outside DVC's outputs).

    Files: `state.json` (fingerprint, fit-only metrics), `passages.parquet` (content key,
    topic, probability, assigned_by of every fitted unique passage), `model/` (BERTopic,
    safetensors) and, for a backend fitted per corpus, `embedder/` (JSON + safetensors).
    """

    folder: Path
    fingerprint: str
    metrics: dict[str, Any]
    passages: pd.DataFrame  # indexed by content key

    @property
    def model_folder(self) -> Path:
        return self.folder / "model"

    @classmethod
    def read(cls, folder: Path) -> "TopicState | None":
        """The state in `folder`, or None when there is none; a damaged state raises."""
        folder = Path(folder)
        if not (folder / "state.json").exists():
            return None
        meta = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        if meta.get("format") != STATE_FORMAT:
            return None
        passages = pd.read_parquet(folder / "passages.parquet").set_index("key")
        if len(passages) != meta["fitted_on"] or not passages.index.is_unique:
            raise ValueError("passages.parquet does not match state.json")
        return cls(folder, str(meta["fingerprint"]), dict(meta["metrics"]), passages)

    @staticmethod
    def write(folder: Path, fingerprint: str, result: CorpusResult, backend: str) -> None:
        """Keep a fit's state in `folder`, replacing an older one only when complete."""
        unique = result.frame[result.frame["role"] == "unique"]
        with replace_dir(folder) as tmp:
            pd.DataFrame({"key": passage_keys(unique), "topic": unique["topic"].astype("int64").to_numpy(),
                          "probability": unique["probability"].astype("float64").to_numpy(),
                          "assigned_by": unique["assigned_by"].astype(str).to_numpy()}).to_parquet(
                tmp / "passages.parquet", index=False)
            save_model(result.model, tmp / "model", backend)
            if result.embedder is not None and result.embedder.per_corpus:
                result.embedder.save_fitted(tmp / "embedder")
            write_json(tmp / "state.json", {"format": STATE_FORMAT, "fingerprint": fingerprint,
                                            "corpus": result.spec.name, "fitted_on": len(unique), "backend": backend,
                                            "metrics": {k: _plain(v) for k, v in result.fit_metrics.items()}})

    def load_model(self, embedder: Embedder):
        from bertopic import BERTopic

        with quiet():
            return BERTopic.load(str(self.model_folder), embedding_model=embedder)

    def load_embedder(self, embedder: Embedder) -> Embedder:
        return embedder.load_fitted(self.folder / "embedder")


@dataclass
class Plan:
    """How a corpus runs: `fit`, or `incremental` on an earlier state; `reason` says why it refits."""

    mode: str
    reason: str = ""
    state: TopicState | None = None
    new: list[str] = field(default_factory=list)  # embed_doc of the unique passages the state has not seen
    model: Any = None  # the state's BERTopic model, loaded
    embedder: Embedder | None = None  # the backend that embeds the new passages (the saved one if fitted per corpus)


def plan_corpus(frame: pd.DataFrame, cfg: TopicsConfig, folder: Path | None, fingerprint: str,
                embedder: Embedder) -> Plan:
    """Decide between a fit and an incremental run for one corpus (`frame` from `mark_roles`)."""
    if folder is None or not cfg.incremental.enabled:
        return Plan("fit")

    def unreadable(exc: Exception) -> Plan:  # a damaged cache only costs a refit
        return Plan("fit", f"opgeslagen fit onleesbaar ({type(exc).__name__}), in {folder}")

    try:
        state = TopicState.read(folder)
    except Exception as exc:
        return unreadable(exc)
    if state is None:
        return Plan("fit", "")
    if state.fingerprint != fingerprint:
        return Plan("fit", "instellingen, code of bibliotheken gewijzigd sinds de vorige fit")
    unique = frame[frame["role"] == "unique"]
    keys = pd.Index(passage_keys(unique))
    missing = int((~state.passages.index.isin(keys)).sum())
    if missing:
        return Plan("fit", f"{missing} passages uit de vorige fit zijn er niet meer")
    is_new = ~keys.isin(state.passages.index)
    share = float(is_new.mean()) if len(keys) else 0.0
    if share > cfg.incremental.refit_share:
        return Plan("fit", f"{_pct(share)} nieuwe passages, meer dan refit_share {_pct(cfg.incremental.refit_share)}")
    try:
        model = state.load_model(embedder)
        fitted = state.load_embedder(embedder) if embedder.per_corpus else embedder
    except Exception as exc:
        return unreadable(exc)
    return Plan("incremental", "", state, unique.loc[is_new, "embed_doc"].tolist(), model, fitted)


# --------------------------------------------------------------------------- breakdowns


def breakdown(frame: pd.DataFrame, dimensions: Sequence[str], classified: pd.DataFrame | None,
              codes: Sequence[str]) -> pd.DataFrame:
    """Topic shares within each class of each dimension (long format).

    `share` is the part of the class (e.g. wave 2016) that falls in the topic; for codes
    the classes are the passages that got the code.
    """
    rows, kept = [], []
    for dim in dimensions:
        if dim not in frame.columns or frame[dim].nunique() < 2:
            continue
        # A dimension that splits the passages exactly like an earlier one (the source
        # file of a survey is its wave) adds nothing.
        if any(_same_partition(frame, dim, other) for other in kept):
            continue
        kept.append(dim)
        sub = frame[frame[dim].notna()]
        totals = sub.groupby(dim).size()
        for (cls, topic), n in sub.groupby([dim, "topic"]).size().items():
            rows.append((dim, str(cls), int(topic), int(n), n / totals[cls]))
    if classified is not None:
        joined = frame[["passage_id", "topic"]].merge(classified, on="passage_id", how="left").fillna(
            {c: 0 for c in codes})
        for code in codes:
            sub = joined[joined[code] == 1]
            for topic, n in sub.groupby("topic").size().items():
                rows.append(("code", code, int(topic), int(n), n / len(sub)))
    return pd.DataFrame(rows, columns=["dimension", "class", "topic", "n", "share"])


def _same_partition(frame: pd.DataFrame, a: str, b: str) -> bool:
    pair = frame[[a, b]].astype(str)
    n = pair.drop_duplicates().shape[0]
    return n == pair[a].nunique() == pair[b].nunique()


def code_cooccurrence(frame: pd.DataFrame, classified: pd.DataFrame, codes: Sequence[str], topic: int,
                      limit: int = 5) -> list[dict[str, Any]]:
    """Codes of a topic's passages: share in the topic, share in the corpus, lift."""
    return codes_per_topic(frame, classified, codes, [topic], limit)[topic]


def codes_per_topic(frame: pd.DataFrame, classified: pd.DataFrame, codes: Sequence[str], topics: Sequence[int],
                    limit: int = 5) -> dict[int, list[dict[str, Any]]]:
    """`code_cooccurrence` for several topics, joining the codes once."""
    joined = frame[["passage_id", "topic"]].merge(classified, on="passage_id", how="left").fillna({c: 0 for c in codes})
    base = {code: joined[code].mean() for code in codes}
    out = {}
    for topic, in_topic in joined.groupby("topic"):
        if topic not in topics:
            continue
        rows = []
        for code in codes:
            n = int(in_topic[code].sum())
            if n == 0:
                continue
            share = n / len(in_topic)
            rows.append({"code": code, "n": n, "share": share, "corpus_share": base[code],
                         "lift": share / base[code] if base[code] else math.nan})
        out[int(topic)] = sorted(rows, key=lambda r: (-r["share"], r["code"]))[:limit]
    return {t: out.get(t, []) for t in topics}


# --------------------------------------------------------------------------- reports

DIMENSION_NAMES = {"wave": "golf", "question_id": "vraag", "source": "bron", "code": "code"}


def _pct(x: float) -> str:
    """A share as in the summaries: "12,3 %"."""
    return dutch.pct(x, 1, space=True)


def _num(x: float | None, digits: int = 3) -> str:
    """A number as in the summaries: decimal comma, plain hyphen for a minus, '–' when missing."""
    return dutch.number(x, digits, minus="-")


def _dim_name(dim: str) -> str:
    return DIMENSION_NAMES.get(dim, dim.removeprefix("meta_"))


def _mode_note(m: dict[str, Any]) -> str:
    """What an incremental run means for the reader; empty after a fit."""
    if m.get("mode") != "incremental":
        return ""
    return (f"Incrementele run: het model van een eerdere fit op {m['fitted_on']} unieke passages heeft "
            f"{m['transformed']} nieuwe passages ingedeeld; de andere houden hun onderwerp. Onderwerpnummers en "
            f"-woorden zijn die van de fit, dus vergelijkbaar tussen golven; een volledige nieuwe fit kan anders "
            f"uitvallen." + (" De vergelijking met de standaardinstellingen komt uit die fit." if "defaults_npmi" in m
                             else ""))


@dataclass
class Summary:
    """Everything a corpus summary shows, independent of the output format."""

    result: CorpusResult
    backend: str
    shares: pd.DataFrame
    codes: dict[int, list[dict[str, Any]]]
    code_names: dict[str, str]

    def __post_init__(self) -> None:
        # Grouped once: the summaries ask for every topic, twice (markdown and html).
        classes = self.shares[self.shares["dimension"] != "code"]
        self._dimensions = list(dict.fromkeys(classes["dimension"]))
        self._per_topic = {topic: part for topic, part in classes.groupby("topic", sort=False)}

    def class_shares(self, topic: int) -> list[tuple[str, list[tuple[str, int, float]]]]:
        s = self._per_topic.get(topic)
        if s is None:
            return []
        out = []
        for dim in self._dimensions:
            part = s[s["dimension"] == dim]
            out.append((_dim_name(dim), [(c, int(n), float(x)) for c, n, x in zip(part["class"], part["n"], part["share"])]))
        return [(d, v) for d, v in out if v]


def _passage(frame: pd.DataFrame, row: int) -> tuple[str, str]:
    return str(frame.at[row, "passage_id"]), " ".join(str(frame.at[row, "text"]).split())


def render_markdown(s: Summary) -> str:
    r = s.result
    m = r.metrics
    lines = [f"# Onderwerpen: {r.spec.name}", ""]
    lines.append(f"Corpus: {'enquêteantwoorden' if r.spec.kind == 'survey' else 'documenten'}"
                 + (f", vraag {', '.join(r.spec.questions)}" if r.spec.questions else "")
                 + f". Embeddings: `{s.backend}`.")
    lines.append("")
    lines.append(f"{m['passages']} passages, waarvan {m['unique']} uniek; {m['duplicates']} dubbel (krijgen het "
                 f"onderwerp van hun eerste voorkomen), {m['fillers']} zonder inhoudswoorden en "
                 f"{m['other_language']} in een andere taal (geen onderwerp).")
    lines.append("")
    if r.skipped:
        lines += [f"**Overgeslagen:** {r.skipped}.", ""]
        return "\n".join(lines)
    if _mode_note(m):
        lines += [_mode_note(m), ""]
    lines.append(f"{m['topics']} onderwerpen; {_pct(m['outliers'])} van de unieke passages zonder onderwerp "
                 f"(vóór toewijzing van uitschieters {_pct(m['outliers_before'])}). "
                 f"Samenhang (NPMI, top 10): {_num(m['npmi'])}; diversiteit (top 25): {_num(m['diversity'])}.")
    if "defaults_npmi" in m:
        lines.append(f"Ter vergelijking, BERTopic met standaardinstellingen op dezelfde passages: "
                     f"{m['defaults_topics']} onderwerpen, NPMI {_num(m['defaults_npmi'])}, diversiteit "
                     f"{_num(m['defaults_diversity'])}, {_pct(m['defaults_outliers'])} zonder onderwerp, "
                     f"{m['defaults_stopwords_top10']} stopwoorden in de top 10.")
    lines.append("")
    for info in r.topics:
        lines += [f"## Onderwerp {info.id}: {info.label}", "",
                  f"{info.size} passages ({_pct(info.size / m['passages'])} van het corpus).", ""]
        for dim, vals in s.class_shares(info.id):
            lines.append(f"- Per {dim}: " + " · ".join(f"{c}: {n} ({_pct(sh)})" for c, n, sh in vals))
        lines += ["", "| term | gewicht |", "|---|---|"]
        lines += [f"| {w} | {_num(x, 3)} |" for w, x in info.terms[:10]]
        lines += ["", "Representatieve passages:", ""]
        for row in info.representatives:
            pid, text = _passage(r.frame, row)
            lines.append(f"> {text}  \n> — `{pid}`")
            lines.append("")
        if info.id in s.codes:
            lines += ["Codes die samen met dit onderwerp voorkomen:", "",
                      "| code | in onderwerp | in corpus | lift |", "|---|---|---|---|"]
            for c in s.codes[info.id]:
                lines.append(f"| {s.code_names.get(c['code'], c['code'])} | {c['n']} ({_pct(c['share'])}) | "
                             f"{_pct(c['corpus_share'])} | {_num(c['lift'], 2)} |")
            lines.append("")
    none = int((r.frame["topic"] == -1).sum())
    lines += [f"## Zonder onderwerp", "", f"{none} passages ({_pct(none / m['passages'])}).", ""]
    return "\n".join(lines)


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:68rem;margin:2rem auto;padding:0 1rem;
color:#1d2330;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-top:1px solid #d8dde6;padding-top:1rem}
table{border-collapse:collapse;margin:.2rem 0;font-size:.92rem}td,th{padding:.15rem .55rem;border-bottom:1px solid #e6e9ef;
text-align:left;vertical-align:top}th{background:#f3f5f8}td.n{text-align:right}
.grid{display:flex;flex-wrap:wrap;gap:1.2rem;align-items:flex-start}
.bar{display:inline-block;height:.65rem;background:#3d6fb6;vertical-align:middle;margin-right:.3rem}
blockquote{margin:.5rem 0;padding:.35rem .8rem;border-left:3px solid #3d6fb6;background:#f6f8fb}
.id{color:#6a7385;font-size:.82rem}.note{color:#4a5263;font-size:.92rem}
"""


def _html_page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _bar(share: float) -> str:
    return f"<span class=\"bar\" style=\"width:{max(1, round(share * 120))}px\"></span>{_pct(share)}"


def render_html(s: Summary) -> str:
    e = html.escape
    r = s.result
    m = r.metrics
    body = [f"<h1>Onderwerpen: {e(r.spec.name)}</h1>", "<p><a href=\"index.html\">← alle corpora</a></p>",
            f"<p class=\"note\">{m['passages']} passages, waarvan {m['unique']} uniek; {m['duplicates']} dubbel "
            f"(krijgen het onderwerp van hun eerste voorkomen), {m['fillers']} zonder inhoudswoorden en "
            f"{m['other_language']} in een andere taal (geen onderwerp). "
            f"Embeddings: <code>{e(s.backend)}</code>.</p>"]
    if r.skipped:
        body.append(f"<p><strong>Overgeslagen:</strong> {e(r.skipped)}.</p>")
        return _html_page(f"Onderwerpen: {r.spec.name}", body)
    if _mode_note(m):
        body.append(f"<p class=\"note\">{e(_mode_note(m))}</p>")
    body.append(f"<p>{m['topics']} onderwerpen; {_pct(m['outliers'])} van de unieke passages zonder onderwerp "
                f"(vóór het toewijzen van uitschieters {_pct(m['outliers_before'])}). Samenhang (NPMI, top 10) "
                f"{_num(m['npmi'])}, diversiteit (top 25) {_num(m['diversity'])}"
                + (f"; BERTopic met standaardinstellingen: {m['defaults_topics']} onderwerpen, NPMI {_num(m['defaults_npmi'])}, "
                   f"diversiteit {_num(m['defaults_diversity'])}, {_pct(m['defaults_outliers'])} zonder onderwerp, "
                   f"{m['defaults_stopwords_top10']} stopwoorden in de top 10" if "defaults_npmi" in m else "") + ".</p>")
    body.append("<p class=\"note\">Aandeel: het deel van de passages in die golf, vraag of groep dat bij het onderwerp hoort.</p>")
    for info in r.topics:
        body.append(f"<h2 id=\"t{info.id}\">Onderwerp {info.id}: {e(info.label)}</h2>")
        body.append(f"<p>{info.size} passages ({_pct(info.size / m['passages'])} van het corpus).</p>")
        body.append("<div class=\"grid\">")
        body.append("<table><tr><th>term</th><th>gewicht</th></tr>")
        body += [f"<tr><td>{e(w)}</td><td class=\"n\">{_num(x)}</td></tr>" for w, x in info.terms[:10]]
        body.append("</table>")
        for dim, vals in s.class_shares(info.id):
            body.append(f"<table><tr><th>{e(dim)}</th><th>n</th><th>aandeel</th></tr>")
            body += [f"<tr><td>{e(c)}</td><td class=\"n\">{n}</td><td>{_bar(sh)}</td></tr>" for c, n, sh in vals]
            body.append("</table>")
        if info.id in s.codes:
            body.append("<table><tr><th>code</th><th>in onderwerp</th><th>in corpus</th><th>lift</th></tr>")
            body += [f"<tr><td>{e(s.code_names.get(c['code'], c['code']))}</td><td>{c['n']} ({_pct(c['share'])})</td>"
                     f"<td>{_pct(c['corpus_share'])}</td><td class=\"n\">{_num(c['lift'], 2)}</td></tr>"
                     for c in s.codes[info.id]]
            body.append("</table>")
        body.append("</div>")
        for row in info.representatives:
            pid, text = _passage(r.frame, row)
            body.append(f"<blockquote>{e(text)}<br><span class=\"id\">{e(pid)}</span></blockquote>")
    none = int((r.frame["topic"] == -1).sum())
    body.append(f"<h2>Zonder onderwerp</h2><p>{none} passages ({_pct(none / m['passages'])}).</p>")
    return _html_page(f"Onderwerpen: {r.spec.name}", body)


def render_index(results: list[CorpusResult], backend: str) -> tuple[str, str]:
    md = ["# Onderwerpen per corpus", "", f"Embeddings: `{backend}`.", "",
          "| corpus | passages | onderwerpen | zonder onderwerp | NPMI | NPMI standaard |", "|---|---|---|---|---|---|"]
    rows = []
    for r in results:
        m = r.metrics
        status = r.skipped or str(m["topics"])
        outl = "–" if r.skipped else _pct(m["outliers"])
        md.append(f"| [{r.spec.name}]({r.spec.name}.md) | {m['passages']} | {status} | {outl} | "
                  f"{_num(m.get('npmi'))} | {_num(m.get('defaults_npmi'))} |")
        rows.append(f"<tr><td><a href=\"{r.spec.name}.html\">{html.escape(r.spec.name)}</a></td><td>{m['passages']}</td>"
                    f"<td>{html.escape(status)}</td><td>{outl}</td><td>{_num(m.get('npmi'))}</td>"
                    f"<td>{_num(m.get('defaults_npmi'))}</td></tr>")
    body = ["<h1>Onderwerpen per corpus</h1>", f"<p class=\"note\">Embeddings: <code>{html.escape(backend)}</code>.</p>",
            "<table><tr><th>corpus</th><th>passages</th><th>onderwerpen</th><th>zonder onderwerp</th><th>NPMI</th>"
            "<th>NPMI standaard</th></tr>", *rows, "</table>"]
    return "\n".join(md) + "\n", _html_page("Onderwerpen per corpus", body)


# --------------------------------------------------------------------------- stage


def _flat(prefix: str, metrics: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in metrics.items():
        if isinstance(v, (float, np.floating)):
            v = None if math.isnan(v) else round(float(v), 4)
        elif isinstance(v, np.integer):
            v = int(v)
        out[f"{prefix}_{k}"] = v
    return out


def run(scrubbed_path: Path, nlp_path: Path, output_path: Path, metrics_path: Path, models_dir: Path,
        reports_dir: Path, cfg: TopicsConfig, classified_path: Path | None = None, codebook_path: Path | None = None,
        say: Callable[..., None] | None = None, cache_dir: Path | None = None) -> pd.DataFrame:
    """Fit a topic model per corpus; write assignments, models, summaries and metrics.

    Args:
        scrubbed_path: scrubbed passages (SCRUBBED).
        nlp_path: their annotation (NLP), for the content lemmas.
        output_path: `topics.parquet` (TOPICS).
        metrics_path: flat metrics JSON.
        models_dir: one BERTopic folder per corpus is written below it.
        reports_dir: summaries (md + html per corpus, index), breakdown.csv, waves.csv.
        cfg: the `topics` settings.
        classified_path: optional classified passages; adds code shares and co-occurring codes.
        codebook_path: codebook, for code names and (with `seed_topics`) seed topics.
        say: callback for the summary line and warnings.
        cache_dir: the project's cache folder (`cache.dir`); fits are kept below it in `topics/<corpus>/`
            for incremental runs (`topics.incremental`). None: every corpus is fitted, nothing is kept.

    Returns:
        The rows written to `topics.parquet`.
    """
    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
    start = time.perf_counter()
    passages = load_passages(scrubbed_path, nlp_path)
    classified, codes = load_classified(classified_path)
    codebook = None
    if codebook_path is not None:
        from pipeline.codebook import load_codebook

        codebook = load_codebook(codebook_path)
    if cfg.seed_topics and codebook is None:
        raise SamenspelError("topics.seed_topics staat aan maar er is geen codeboek opgegeven", hint="geef --codebook op")
    seeds = [list(c.indicators) for c in codebook.codes] if cfg.seed_topics else None
    code_names = {c.id: c.name for c in codebook.codes} if codebook else {}
    stops = stop_words(cfg)

    embedder = make_embedder(cfg.embedding_backend, cfg.embedding_settings, cfg.random_state)
    if not embedder.per_corpus:
        embedder.fit([])  # a pretrained model: loads it (and fails early when it is missing)
    backend = embedder.label
    specs = cfg.corpora or derive_corpora(passages, cfg.question_corpora_min_answers)
    corpora = [(spec, mark_roles(select_corpus(passages, spec), embedder.input, cfg.min_content_lemmas, cfg.languages))
               for spec in specs]
    states = Path(cache_dir) / "topics" if cache_dir is not None and cfg.incremental.enabled else None
    fingerprints = [fit_fingerprint(spec, cfg, stops, seeds, backend) if states else "" for spec, _ in corpora]
    plans = [plan_corpus(frame, cfg, states / spec.name if states else None, fp, embedder)
             for (spec, frame), fp in zip(corpora, fingerprints)]
    shared: dict[str, np.ndarray] | None = None
    if not embedder.per_corpus:
        # Pretrained models embed a passage the same way in every corpus: embed each once, and
        # for an incremental corpus only the passages its earlier fit has not seen.
        docs = list(dict.fromkeys(d for (_, frame), plan in zip(corpora, plans)
                                  for d in (plan.new if plan.mode == "incremental"
                                            else frame.loc[frame["role"] == "unique", "embed_doc"])))
        shared = dict(zip(docs, embedder.embed(docs))) if docs else {}

    results: list[CorpusResult] = []
    Path(models_dir).mkdir(parents=True, exist_ok=True)
    for (spec, frame), plan, fp in progress(list(zip(corpora, plans, fingerprints)), "onderwerpen",
                                            total=len(corpora)):
        if plan.mode == "incremental":
            result = extend_corpus(spec, frame, cfg, plan, shared, stops)
        else:
            result = fit_corpus(spec, frame, cfg, embedder, shared, stops, seeds)
        if result.skipped:
            say(f"topics: {spec.name} overgeslagen: {result.skipped}", warn=True)
        elif result.model_folder is not None:
            with replace_dir(Path(models_dir) / spec.name) as tmp:
                shutil.copytree(result.model_folder, tmp, dirs_exist_ok=True)
        else:
            save_model(result.model, Path(models_dir) / spec.name, backend)
            if states is not None:
                TopicState.write(states / spec.name, fp, result, backend)
        results.append(result)
    # Always written, so the models folder exists (and says why) even when every corpus was skipped.
    write_json(Path(models_dir) / "index.json",
               {"backend": backend, "corpora": {r.spec.name: (f"overgeslagen: {r.skipped}" if r.skipped
                                                              else f"{r.spec.name}/") for r in results}})

    rows, shares_all = [], []
    reports_dir = Path(reports_dir)
    for r in results:
        labels = {-1: NO_TOPIC_LABEL, **{i.id: i.label for i in r.topics}}
        f = r.frame
        rows.append(pd.DataFrame({"passage_id": f["passage_id"], "corpus": r.spec.name, "topic": f["topic"].astype("int64"),
                                  "probability": f["probability"].astype("float64"),
                                  "label": f["topic"].map(labels).fillna(NO_TOPIC_LABEL), "assigned_by": f["assigned_by"]}))
        shares = breakdown(f, cfg.breakdown, classified, codes)
        shares_all.append(shares.assign(corpus=r.spec.name, label=shares["topic"].map(labels)))
        co = codes_per_topic(f, classified, codes, [i.id for i in r.topics]) if classified is not None else {}
        summary = Summary(r, backend, shares, co, code_names)
        write_text(reports_dir / f"{r.spec.name}.md", render_markdown(summary))
        write_text(reports_dir / f"{r.spec.name}.html", render_html(summary))
    index_md, index_html = render_index(results, backend)
    write_text(reports_dir / "index.md", index_md)
    write_text(reports_dir / "index.html", index_html)
    columns = ["corpus", "dimension", "class", "topic", "label", "n", "share"]
    shares_all = [x for x in shares_all if not x.empty]
    shares_df = (pd.concat(shares_all, ignore_index=True)[columns] if shares_all else pd.DataFrame(columns=columns))
    shares_df = shares_df.assign(share=shares_df["share"].astype(float).round(4))
    _write_csv(reports_dir / "breakdown.csv", shares_df)
    _write_csv(reports_dir / "waves.csv", shares_df[shares_df["dimension"] == "wave"]
               .drop(columns="dimension").rename(columns={"class": "wave"}))

    rows = [x for x in rows if not x.empty]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=TOPICS.names)
    write_table(output_path, out, TOPICS)
    metrics: dict[str, Any] = {"backend": backend, "seed_topics": cfg.seed_topics, "corpora": len(results),
                               "corpora_skipped": sum(1 for r in results if r.skipped)}
    for r in results:
        metrics.update(_flat(r.spec.name, r.metrics))
    write_json(metrics_path, metrics)
    fitted = [f"{r.spec.name} {r.metrics['topics']}" for r in results if not r.skipped]
    extended = [f"{r.spec.name} +{r.metrics['transformed']}" for r in results if r.metrics.get("mode") == "incremental"]
    reasons: dict[str, list[str]] = {}
    for r, p in zip(results, plans):
        if p.reason and not r.skipped:
            reasons.setdefault(p.reason, []).append(r.spec.name)
    refitted = [f"{', '.join(names)} ({reason})" for reason, names in reasons.items()]
    say(f"topics: {len(results)} corpora ({', '.join(fitted) or 'geen'} onderwerpen"
        + (f"; {metrics['corpora_skipped']} overgeslagen" if metrics["corpora_skipped"] else "")
        + (f"; nieuwe passages ingedeeld met de eerdere fit: {', '.join(extended)}" if extended else "")
        + (f"; opnieuw gefit: {'; '.join(refitted)}" if refitted else "")
        + f") met {cfg.embedding_backend} in {time.perf_counter() - start:.1f} s → {output_path}")
    return out


def _write_csv(path: Path, df: pd.DataFrame) -> None:
    with atomic_path(path, suffix=".csv") as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n")
