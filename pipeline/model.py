"""The passage classifier: features, model, safe saving and loading, evidence terms.

Features are TF-IDF on lemmas (word 1-2-grams), optionally TF-IDF on character n-grams
of the lowercased text (inflections the lemmatizer misses), and a few shape tokens
(length, closing punctuation, enumeration marks, digits) that tell a heading, list item
or signature line from a sentence.

Two decisions share that feature matrix, both trained on every annotated passage:
- codes: one calibrated linear model per code (one-vs-rest): `p_<code>`.
- relevance: is the passage about collaboration between organisations at all? One
  calibrated linear model (relevant = at least one code): p(relevant).
A code is assigned when `p_<code>` reaches its code threshold and p(relevant) the
relevance threshold, which is chosen on the real development set (see
`pipeline.realtext`). Per-code models trained on the relevant passages only, with
`p_<code>` = p(relevant) x p(code | relevant), were measured too (README, "Hoe goed is de
classificatie?"): no better on real text, and worse on the project's own register.
A model trained without the relevance stage (`train.relevance: false`) has only the codes.

Models are saved with skops and loaded against an explicit allow-list of types: a file
holding anything else is refused.
"""

from __future__ import annotations

import json
import re
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


#: Word starts that name an organisation or a joint body. Collaboration between
#: organisations needs organisations; a passage without any gets the token `org0`, so
#: the model can learn what their absence means (a linear model on word counts cannot).
_ORGS = re.compile(r"\b(gemeent|provinci|regio|waterscha|ministe|rijk|staat|staten|overheid|partner|partij|"
                   r"organisati|instelling|corporati|samenwerkingsverband|veiligheidsregio|ggd|omgevingsdienst|"
                   r"bestuur|college|raad|comit|commissie|stuurgroep|werkgroep|netwerk|verband|schap|"
                   r"deelnemer|dienst|agentschap|bureau|stichting|vereniging|unie|gemeenschap|autoriteit|"
                   r"[a-z]*(gemeente|provincie|regio)s?\b)", re.I)
_ENUM = re.compile(r"^\s*(\(?[0-9]{1,3}[.)°]|\(?[a-z][.)]|[ivx]{1,4}[.)]|[-•*–·])\s", re.I)
_LEN_BINS = ((3, "len1"), (7, "len2"), (15, "len3"), (40, "len4"))


def shape_tokens(text: str) -> str:
    """Tokens describing the form of a passage, not its words.

    A heading, a list item, a signature or an amount reads differently from a sentence;
    these tokens let the model learn that from the annotations instead of a hand rule.
    """
    stripped = text.strip()
    words = stripped.split()
    n = len(words)
    out = [next((tok for limit, tok in _LEN_BINS if n <= limit), "len5")]
    last = stripped[-1:] if stripped else ""
    out.append({".": "end_stop", "?": "end_stop", "!": "end_stop", ":": "end_colon", ";": "end_semi",
                ",": "end_comma"}.get(last, "end_none"))
    if _ENUM.match(stripped):
        out.append("enum")
    if stripped.startswith("#"):
        out.append("hash")
    letters = sum(ch.isalpha() for ch in stripped)
    digits = sum(ch.isdigit() for ch in stripped)
    if digits and digits >= 0.15 * (letters + digits):
        out.append("digits")
    capitalised = sum(w[:1].isupper() for w in words)
    if n >= 3 and capitalised >= 0.6 * n:
        out.append("titlecase")
    if "|" in stripped:
        out.append("pipe")
    orgs = len(_ORGS.findall(stripped))
    out.append("org0" if orgs == 0 else "org1" if orgs == 1 else "org2")
    sentences = len(re.findall(r"[a-zà-ÿ)\]][.!?](\s|$)", _ENUM.sub("", stripped, count=1)))
    out.append("sent0" if sentences == 0 else "sent1" if sentences == 1 else "sent2")
    return " ".join(out)


def feature_frame(texts: list[str], lemmas: list[list[str]]) -> pd.DataFrame:
    """The model inputs: lowercased text, space-joined lemmas and shape tokens."""
    return pd.DataFrame({"text": [t.lower() for t in texts], "lemmas": [" ".join(ls) for ls in lemmas],
                         "shape": [shape_tokens(t) for t in texts]})


def build_features(spec: dict[str, Any], word_ngrams, char_ngrams, min_df: int):
    """The feature ColumnTransformer for one candidate spec (see `build_model`)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer

    transformers = [("lemma", TfidfVectorizer(ngram_range=tuple(word_ngrams), min_df=min_df, sublinear_tf=True,
                                              token_pattern=r"(?u)\b\w[\w-]+\b"), "lemmas")]
    if spec.get("char"):
        transformers.append(("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngrams),
                                                     min_df=min_df, sublinear_tf=True, max_features=200_000), "text"))
    if spec.get("shape", True):
        transformers.append(("shape", TfidfVectorizer(token_pattern=r"\S+", lowercase=False, use_idf=False,
                                                      binary=True, norm=None), "shape"))
    return ColumnTransformer(transformers)


def build_estimator(spec: dict[str, Any], random_state: int):
    """One calibrated binary linear model for a candidate spec."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    kind = spec.get("model", "logreg")
    if kind == "logreg":
        base = LogisticRegression(C=float(spec.get("C", 1.0)), class_weight="balanced", max_iter=2000,
                                  random_state=random_state)
    elif kind == "linearsvc":
        base = LinearSVC(C=float(spec.get("C", 0.5)), class_weight="balanced", random_state=random_state)
    else:
        raise SamenspelError(f"onbekend modeltype '{kind}' in train.candidates", hint="kies logreg of linearsvc")
    return CalibratedClassifierCV(base, method="sigmoid", cv=3)


def build_model(spec: dict[str, Any], word_ngrams, char_ngrams, min_df: int, random_state: int):
    """A scikit-learn pipeline for one candidate spec:
    {char: bool, shape: bool (default true), model: logreg|linearsvc, C: float}."""
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    return Pipeline([("features", build_features(spec, word_ngrams, char_ngrams, min_df)),
                     ("clf", OneVsRestClassifier(build_estimator(spec, random_state)))])


def fit_two_stage(spec: dict[str, Any], X: pd.DataFrame, y: np.ndarray, word_ngrams, char_ngrams, min_df: int,
                  random_state: int, relevance: bool = True):
    """Fit (code pipeline, relevance model or None) on inputs X and labels y.

    Features, per-code models and the relevance model (relevant = at least one code)
    are all fitted on every passage; the two models share the features.
    """
    model = build_model(spec, word_ngrams, char_ngrams, min_df, random_state)
    if not relevance:
        return round_calibration(model.fit(X, y)), None
    features, clf = model.named_steps["features"], model.named_steps["clf"]
    Xt = features.fit_transform(X)
    rel = build_estimator(spec, random_state).fit(Xt, y.any(axis=1).astype(int))
    clf.fit(Xt, y)
    return round_calibration(model), round_calibration(rel)


#: Decimals kept of the fitted sigmoid calibrations (see `round_calibration`).
CALIBRATION_DECIMALS = 10


def round_calibration(estimator, decimals: int = CALIBRATION_DECIMALS):
    """`estimator`, with the slope and offset of every fitted sigmoid calibration rounded.

    Platt scaling is fitted by scipy's optimiser, whose last bits depend on the BLAS
    kernel and thread count: on another CPU the calibrations of the same data differ in
    the 15th-16th digit, and so do the bytes of the saved model (everything else in it,
    liblinear's weights and the TF-IDF vocabulary and idf, came out identical). Rounded to
    10 decimals, a value changes by at most 5e-11, far below the 4 decimals kept of every
    probability, and the same data gives the same file on any machine. Returns `estimator`.
    """
    from sklearn.calibration import _SigmoidCalibration

    seen: set[int] = set()

    def visit(obj, depth: int = 0) -> None:
        if id(obj) in seen or depth > 16:
            return
        seen.add(id(obj))
        if isinstance(obj, _SigmoidCalibration):
            obj.a_, obj.b_ = (type(v)(round(float(v), decimals)) for v in (obj.a_, obj.b_))
            return
        if isinstance(obj, (list, tuple)):
            for item in obj:
                visit(item, depth + 1)
        elif type(obj).__module__.startswith("sklearn") and hasattr(obj, "__dict__"):
            for value in vars(obj).values():
                if isinstance(value, (list, tuple)) or type(value).__module__.startswith("sklearn"):
                    visit(value, depth + 1)

    visit(estimator)
    return estimator


def char_wb_transform(vectorizer, texts: list[str]) -> "sp.csr_matrix":
    """`vectorizer.transform(texts)` for a fitted char_wb TfidfVectorizer, computed faster.

    scikit-learn builds every character n-gram of every document in Python and looks
    each one up with a try/except; most n-grams of a new text are not in the vocabulary,
    and the exceptions dominate. char_wb n-grams never cross a word boundary, so a
    document's n-grams are the concatenation of its words' n-grams: here they are
    looked up once per distinct word (per call) and reused. The counts, and therefore the
    TF-IDF matrix, are the same as scikit-learn's (tests/test_model.py checks it).
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
    """A fitted model with its codes, thresholds and training metadata.

    `model` is the scikit-learn pipeline (features + one-vs-rest code models);
    `relevance` the binary relevance model on the same features, or None for a model
    trained without it. `relevance_threshold` is the p(relevant) a passage needs before
    any code is assigned.
    """

    model: Any
    codes: list[str]
    thresholds: dict[str, float]
    meta: dict[str, Any]
    relevance: Any = None
    relevance_threshold: float = 0.0
    #: (terms, coefficients) for evidence terms, computed once on first use.
    _weights: Any = field(default=None, init=False, repr=False, compare=False)
    #: The skops file of a lazily loaded classifier (`load(..., lazy=True)`).
    _path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def fitted(self):
        """The scikit-learn pipeline; a lazily loaded classifier reads it from disk now."""
        if self.model is None and self._path is not None:
            self.model, self.relevance = _load_skops(self._path)
        return self.model

    @property
    def two_stage(self) -> bool:
        self.fitted
        return self.relevance is not None

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

    def relevance_proba(self, X: pd.DataFrame | None = None, Xt=None) -> np.ndarray:
        """p(the passage is about collaboration between organisations); 1 without a relevance model."""
        if Xt is None:
            Xt = self.transform(X)
        if not self.two_stage:
            return np.ones(Xt.shape[0])
        return self.relevance.predict_proba(Xt)[:, 1]

    def predict_proba(self, X: pd.DataFrame | None = None, Xt=None) -> np.ndarray:
        """Calibrated probability per code; give X (model inputs) or Xt (`transform(X)`)."""
        if Xt is None:
            Xt = self.transform(X)
        return self.fitted.named_steps["clf"].predict_proba(Xt)

    def decide(self, proba: np.ndarray, relevance: np.ndarray | None = None) -> np.ndarray:
        """0/1 per code: `p_<code>` at its threshold and, given `relevance`, p(relevant)
        at the relevance threshold."""
        t = np.array([self.thresholds[c] for c in self.codes])
        out = proba >= t
        if relevance is not None:
            out &= (np.asarray(relevance) >= self.relevance_threshold)[:, None]
        return out.astype(int)

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
            from pipeline.nlp.words import stop_words

            stop = stop_words()  # the pipeline's one list, without the extra words of nlp or topics
            only_stop = np.array([all(w in stop or not any(ch.isalpha() for ch in w) for w in t.split())
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

        from pipeline.files import atomic_path, skops_bytes, write_json

        path = Path(path)
        # scikit-learn leaves numpy integers as vocabulary values after min_df pruning; skops
        # stores each one as its own array (37k files, 5 s to load). Plain ints are stored inline.
        for _, transformer, _ in self.fitted.named_steps["features"].transformers_:
            if hasattr(transformer, "vocabulary_"):
                transformer.vocabulary_ = {term: int(i) for term, i in transformer.vocabulary_.items()}
        with atomic_path(path, suffix=".skops") as tmp:
            # The same model gives the same bytes (skops itself writes memory addresses and times).
            tmp.write_bytes(skops_bytes([self.fitted, self.relevance] if self.relevance is not None else self.fitted))
            untrusted = set(sio.get_untrusted_types(file=tmp)) - set(TRUSTED_TYPES)
            if untrusted:
                raise RuntimeError(f"model holds types outside the allow-list: {sorted(untrusted)}")
        write_json(path.with_suffix(".json"), {"codes": self.codes, "thresholds": self.thresholds,
                                               "relevance_threshold": self.relevance_threshold, **self.meta})

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
        t_rel = float(meta.pop("relevance_threshold", 0.0))
        if lazy:
            return cls(None, codes, thresholds, meta, relevance_threshold=t_rel, _path=path)
        model, relevance = _load_skops(path)
        return cls(model, codes, thresholds, meta, relevance, t_rel)


def _load_skops(path: Path):
    import skops.io as sio

    try:
        obj = sio.load(path, trusted=TRUSTED_TYPES)
    except Exception as exc:  # skops raises UntrustedTypesFoundException, zip and JSON errors
        raise SamenspelError(f"modelbestand geweigerd: {type(exc).__name__}: {str(exc)[:200]}", path=path,
                             hint="train het model opnieuw met `dvc repro train`; laad nooit modellen van onbekende herkomst") from None
    if isinstance(obj, list):  # [code pipeline, relevance model]
        return obj[0], obj[1]
    return obj, None
