"""The passage classifier: features, model, safe saving and loading, evidence terms.

Features are TF-IDF on lemmas (word 1-2-grams) and, optionally, TF-IDF on character
n-grams of the lowercased text, which catches inflections the lemmatizer misses.
Each code gets its own calibrated linear model (one-vs-rest), so a passage can carry
any number of codes. Models are saved with skops and loaded against an explicit
allow-list of types: a file holding anything else is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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


@dataclass
class Classifier:
    """A fitted model with its codes, per-code thresholds and training metadata."""

    model: Any
    codes: list[str]
    thresholds: dict[str, float]
    meta: dict[str, Any]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(X)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        t = np.array([self.thresholds[c] for c in self.codes])
        return (proba >= t).astype(int)

    def evidence(self, X: pd.DataFrame, assigned: np.ndarray, top: int = 3) -> list[list[str]]:
        """Per passage: 'code: term, term' for each assigned code, from the lemma features
        that pushed its score up most."""
        features = self.model.named_steps["features"]
        Xt = features.transform(X).tocsr()
        names = features.get_feature_names_out()
        lemma_cols = np.array([n.startswith("lemma__") for n in names])
        terms = np.array([n.split("__", 1)[1] for n in names])
        coefs = []
        for est in self.model.named_steps["clf"].estimators_:
            if hasattr(est, "calibrated_classifiers_"):
                c = np.mean([cc.estimator.coef_[0] for cc in est.calibrated_classifiers_], axis=0)
            else:  # a code without positives in training: no evidence
                c = np.zeros(len(names))
            coefs.append(np.where(lemma_cols, c, 0.0))
        out: list[list[str]] = []
        for i in range(Xt.shape[0]):
            row = Xt.getrow(i)
            items = []
            for k in np.flatnonzero(assigned[i]):
                contrib = row.data * coefs[k][row.indices]
                order = np.argsort(-contrib)[:top]
                words = [terms[row.indices[j]] for j in order if contrib[j] > 0]
                if words:
                    items.append(f"{self.codes[k]}: {', '.join(words)}")
            out.append(items)
        return out

    def save(self, path: str | Path) -> None:
        import skops.io as sio

        from pipeline.files import atomic_path, write_json

        path = Path(path)
        with atomic_path(path, suffix=".skops") as tmp:
            sio.dump(self.model, tmp)
            untrusted = set(sio.get_untrusted_types(file=tmp)) - set(TRUSTED_TYPES)
            if untrusted:
                raise RuntimeError(f"model holds types outside the allow-list: {sorted(untrusted)}")
        write_json(path.with_suffix(".json"), {"codes": self.codes, "thresholds": self.thresholds, **self.meta})

    @classmethod
    def load(cls, path: str | Path) -> "Classifier":
        """Load through skops with the allow-list; refuse tampered or unknown files."""
        import skops.io as sio

        path = Path(path)
        meta_path = path.with_suffix(".json")
        if not path.exists() or not meta_path.exists():
            raise SamenspelError("er is nog geen getraind model", path=path,
                                 hint="draai eerst `dvc repro train` (of `samenspel train`)")
        try:
            model = sio.load(path, trusted=TRUSTED_TYPES)
        except Exception as exc:  # skops raises UntrustedTypesFoundException, zip and JSON errors
            raise SamenspelError(f"modelbestand geweigerd: {type(exc).__name__}: {str(exc)[:200]}", path=path,
                                 hint="train het model opnieuw met `dvc repro train`; laad nooit modellen van onbekende herkomst") from None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        codes = meta.pop("codes")
        thresholds = meta.pop("thresholds")
        return cls(model, codes, thresholds, meta)
