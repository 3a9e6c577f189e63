"""The passage classifier: features, model, safe saving and loading, evidence terms.

Features are TF-IDF on lemmas (word 1-2-grams) and, optionally, TF-IDF on character
n-grams of the lowercased text, which catches inflections the lemmatizer misses.
Each code gets its own calibrated linear model (one-vs-rest), so a passage can carry
any number of codes. Models are saved with skops and loaded against an explicit
allow-list of types: a file holding anything else is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import SamenspelError

#: Types a classifier file may contain. skops refuses to load anything else.
TRUSTED_TYPES = [
    "builtins.slice",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.svm._classes.LinearSVC",
]


def feature_frame(texts: list[str], lemmas: list[list[str]]) -> pd.DataFrame:
    """The two model inputs: lowercased text and space-joined lemmas."""
    return pd.DataFrame({"text": [t.lower() for t in texts], "lemmas": [" ".join(ls) for ls in lemmas]})


def build_model(spec: dict[str, Any], word_ngrams, char_ngrams, min_df: int, random_state: int):
    """A scikit-learn pipeline for one candidate spec: {char: bool, model: logreg|linearsvc, C: float}."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    transformers = [("lemma", TfidfVectorizer(ngram_range=tuple(word_ngrams), min_df=min_df, sublinear_tf=True,
                                              token_pattern=r"(?u)\b\w[\w-]+\b"), "lemmas")]
    if spec.get("char"):
        transformers.append(("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngrams),
                                                     min_df=min_df, sublinear_tf=True, max_features=200_000), "text"))
    kind = spec.get("model", "logreg")
    if kind == "logreg":
        base = LogisticRegression(C=float(spec.get("C", 1.0)), class_weight="balanced", max_iter=2000,
                                  random_state=random_state)
    elif kind == "linearsvc":
        base = LinearSVC(C=float(spec.get("C", 0.5)), class_weight="balanced", random_state=random_state)
    else:
        raise SamenspelError(f"onbekend modeltype '{kind}' in train.candidates", hint="kies logreg of linearsvc")
    clf = OneVsRestClassifier(CalibratedClassifierCV(base, method="sigmoid", cv=3))
    return Pipeline([("features", ColumnTransformer(transformers)), ("clf", clf)])


def char_wb_transform(vectorizer, texts: list[str]) -> "sp.csr_matrix":
    """`vectorizer.transform(texts)` for a fitted char_wb TfidfVectorizer, computed faster.

    scikit-learn builds every character n-gram of every document in Python and looks
    each one up with a try/except; most n-grams of a new text are not in the vocabulary,
    and the exceptions dominate. char_wb n-grams never cross a word boundary, so a
    document's n-grams are the concatenation of its words' n-grams: here they are
    looked up once per distinct word (per call) and reused. The counts, and therefore the
    TF-IDF matrix, are the same as scikit-learn's (tests/test_classifier.py checks it).
    """
    import scipy.sparse as sp

    min_n, max_n = vectorizer.ngram_range
    get = vectorizer.vocabulary_.get
    preprocess = vectorizer.build_preprocessor()  # lowercase / accent stripping as fitted
    seen: dict[str, list[int]] = {}

    def word_ids(word: str) -> list[int]:
        w = f" {word} "
        n_chars = len(w)
        grams: list[str] = []
        for n in range(min_n, max_n + 1):
            if n_chars <= n:  # a short word counts once, as a whole (as in scikit-learn)
                grams.append(w)
                break
            grams.extend([w[i:i + n] for i in range(n_chars - n + 1)])
        return [i for i in map(get, grams) if i is not None]

    indices: list[int] = []
    indptr = [0]
    for doc in texts:
        for word in preprocess(doc).split():
            ids = seen.get(word)
            if ids is None:
                ids = seen[word] = word_ids(word)
            indices.extend(ids)
        indptr.append(len(indices))
    counts = sp.csr_matrix((np.ones(len(indices)), np.asarray(indices, dtype=np.int64),
                            np.asarray(indptr, dtype=np.int64)), shape=(len(texts), len(vectorizer.vocabulary_)))
    counts.sum_duplicates()
    return vectorizer._tfidf.transform(counts, copy=False)


def _is_char_wb(transformer) -> bool:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (type(transformer) is TfidfVectorizer and transformer.analyzer == "char_wb"
            and transformer.preprocessor is None and transformer.tokenizer is None and transformer.input == "content")


@dataclass
class Classifier:
    """A fitted model with its codes, per-code thresholds and training metadata."""

    model: Any
    codes: list[str]
    thresholds: dict[str, float]
    meta: dict[str, Any]
    #: (terms, coefficients) for evidence terms, computed once on first use.
    _weights: Any = field(default=None, init=False, repr=False, compare=False)
    #: The skops file of a lazily loaded classifier (`load(..., lazy=True)`).
    _path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def fitted(self):
        """The scikit-learn pipeline; a lazily loaded classifier reads it from disk now."""
        if self.model is None and self._path is not None:
            self.model = _load_skops(self._path)
        return self.model

    def transform(self, X: pd.DataFrame):
        """The model's feature matrix for X (the same as its ColumnTransformer's output,
        with the character block computed by `char_wb_transform`)."""
        import scipy.sparse as sp

        features = self.fitted.named_steps["features"]
        blocks = []
        for name, transformer, column in features.transformers_:
            if name == "remainder":
                continue
            if _is_char_wb(transformer):
                blocks.append(char_wb_transform(transformer, X[column].tolist()))
            else:
                blocks.append(transformer.transform(X[column]))
        return sp.hstack(blocks, format="csr")

    def predict_proba(self, X: pd.DataFrame | None = None, Xt=None) -> np.ndarray:
        """Calibrated probability per code; give X (model inputs) or Xt (`transform(X)`)."""
        if Xt is None:
            Xt = self.transform(X)
        return self.fitted.named_steps["clf"].predict_proba(Xt)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        t = np.array([self.thresholds[c] for c in self.codes])
        return (proba >= t).astype(int)

    def _evidence_weights(self):
        """Per code, the mean coefficient of each lemma feature (0 for other features and
        for terms made of stop words only)."""
        if self._weights is None:
            features = self.fitted.named_steps["features"]
            names = features.get_feature_names_out()
            lemma_cols = np.array([n.startswith("lemma__") for n in names])
            terms = np.array([n.split("__", 1)[1] for n in names], dtype=object)
            coefs = np.zeros((len(self.codes), len(names)))
            for k, est in enumerate(self.fitted.named_steps["clf"].estimators_):
                if hasattr(est, "calibrated_classifiers_"):  # else: no positives in training, no evidence
                    coefs[k] = np.mean([cc.estimator.coef_[0] for cc in est.calibrated_classifiers_], axis=0)
            coefs[:, ~lemma_cols] = 0.0
            # Shown as evidence: content words only ("een", "of", "we" may carry weight, but
            # tell a reader nothing). The predictions themselves use every feature.
            from spacy.lang.nl.stop_words import STOP_WORDS

            only_stop = np.array([all(w in STOP_WORDS or not any(ch.isalpha() for ch in w) for w in t.split())
                                  for t in terms])
            coefs[:, only_stop] = 0.0
            self._weights = (terms, coefs)
        return self._weights

    def evidence(self, Xt, assigned: np.ndarray, top: int = 3) -> list[list[str]]:
        """Per passage: 'code: term, term' for each assigned code, from the lemma features
        (content words; not only stop words) that pushed its score up most. `Xt` is the
        feature matrix from `transform`."""
        terms, coefs = self._evidence_weights()
        Xt = Xt.tocsr()
        out: list[list[str]] = [[] for _ in range(Xt.shape[0])]
        for i, k in zip(*np.nonzero(assigned)):
            lo, hi = Xt.indptr[i], Xt.indptr[i + 1]
            cols = Xt.indices[lo:hi]
            contrib = Xt.data[lo:hi] * coefs[k, cols]
            order = np.argsort(-contrib, kind="stable")[:top]
            words = [terms[cols[j]] for j in order if contrib[j] > 0]
            if words:
                out[i].append(f"{self.codes[k]}: {', '.join(words)}")
        return out

    def save(self, path: str | Path) -> None:
        import skops.io as sio

        from pipeline.files import atomic_path, write_json

        path = Path(path)
        # scikit-learn leaves numpy integers as vocabulary values after min_df pruning; skops
        # stores each one as its own array (37k files, 5 s to load). Plain ints are stored inline.
        for _, transformer, _ in self.fitted.named_steps["features"].transformers_:
            if hasattr(transformer, "vocabulary_"):
                transformer.vocabulary_ = {term: int(i) for term, i in transformer.vocabulary_.items()}
        with atomic_path(path, suffix=".skops") as tmp:
            sio.dump(self.fitted, tmp)
            untrusted = set(sio.get_untrusted_types(file=tmp)) - set(TRUSTED_TYPES)
            if untrusted:
                raise RuntimeError(f"model holds types outside the allow-list: {sorted(untrusted)}")
        write_json(path.with_suffix(".json"), {"codes": self.codes, "thresholds": self.thresholds, **self.meta})

    @classmethod
    def load(cls, path: str | Path, lazy: bool = False) -> "Classifier":
        """Load through skops with the allow-list; refuse tampered or unknown files.

        With `lazy`, only the codes, thresholds and metadata are read now and the model
        itself on first use (importing skops and reading the model costs seconds; a run
        whose passages are all in the content cache never needs it).
        """
        path = Path(path)
        meta_path = path.with_suffix(".json")
        if not path.exists() or not meta_path.exists():
            raise SamenspelError("er is nog geen getraind model", path=path,
                                 hint="draai eerst `dvc repro train` (of `samenspel train`)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        codes = meta.pop("codes")
        thresholds = meta.pop("thresholds")
        if lazy:
            return cls(None, codes, thresholds, meta, _path=path)
        return cls(_load_skops(path), codes, thresholds, meta)


def _load_skops(path: Path):
    import skops.io as sio

    try:
        return sio.load(path, trusted=TRUSTED_TYPES)
    except Exception as exc:  # skops raises UntrustedTypesFoundException, zip and JSON errors
        raise SamenspelError(f"modelbestand geweigerd: {type(exc).__name__}: {str(exc)[:200]}", path=path,
                             hint="train het model opnieuw met `dvc repro train`; laad nooit modellen van onbekende herkomst") from None
