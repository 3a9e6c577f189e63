"""Stage `train`: compare classifier designs by cross-validation and fit the best.

Inputs:  the codebook and the annotated passages (train split only; the test split
         is never read here).
Outputs: `models/classifier.skops` (+ `.json` with codes, thresholds, backend),
         out-of-fold predictions for the evaluation, and flat metrics comparing the
         candidates.
Params:  sections `train` and `nlp` (the same NLP backend lemmatises the training
         passages as the pipeline's passages).

Thresholds per code are chosen on out-of-fold probabilities of the training part. The
cross-validated scores reported use, for each fold, thresholds chosen on the other
folds only, so no fold's labels tune its own threshold.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.annotations import label_matrix, load_annotations
from pipeline.codebook import load_codebook
from pipeline.files import write_json, write_table
from pipeline.model import Classifier, build_model, feature_frame
from pipeline.progress import progress
from pipeline.schema import Column, Schema

log = logging.getLogger(__name__)

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


@dataclass
class TrainConfig:
    random_state: int
    cv_folds: int
    min_df: int
    word_ngrams: list[int]
    char_ngrams: list[int]
    candidates: dict[str, dict[str, Any]]

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "TrainConfig":
        from pipeline.config import require

        return cls(**{f: require(cfg, f, "train") for f in cls.__dataclass_fields__})


def lemmatise(texts: list[str], nlp, batch_size: int = 256) -> list[list[str]]:
    """Lowercased lemmas per text, as the nlp stage writes them."""
    return [[(t.lemma_ or t.text).lower() for t in doc if not t.is_space]
            for doc in nlp.pipe(texts, batch_size=batch_size)]


def f1_per_code(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    tp = (y & pred).sum(0)
    fp = ((1 - y) & pred).sum(0)
    fn = (y & (1 - pred)).sum(0)
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def best_thresholds(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Per code, the grid threshold with the highest F1 (ties: the one nearest 0.5)."""
    out = np.zeros(y.shape[1])
    for k in range(y.shape[1]):
        scores = [f1_per_code(y[:, [k]], (proba[:, [k]] >= t).astype(int))[0] for t in THRESHOLD_GRID]
        best = max(scores)
        cands = [t for t, s in zip(THRESHOLD_GRID, scores) if s >= best - 1e-12]
        out[k] = min(cands, key=lambda t: abs(t - 0.5))
    return out


def out_of_fold(spec, X: pd.DataFrame, y: np.ndarray, folds, cfg: TrainConfig, label: str):
    proba = np.zeros(y.shape, dtype=float)
    for train_idx, test_idx in progress(folds, f"cv {label}", total=len(folds)):
        model = build_model(spec, cfg.word_ngrams, cfg.char_ngrams, cfg.min_df, cfg.random_state)
        model.fit(X.iloc[train_idx], y[train_idx])
        proba[test_idx] = model.predict_proba(X.iloc[test_idx])
    return proba


def honest_cv_predictions(y: np.ndarray, proba: np.ndarray, folds) -> np.ndarray:
    """0/1 predictions where each fold's thresholds come from the other folds only."""
    pred = np.zeros_like(y)
    for train_idx, test_idx in folds:
        t = best_thresholds(y[train_idx], proba[train_idx])
        pred[test_idx] = (proba[test_idx] >= t).astype(int)
    return pred


#: Out-of-fold predictions on the training part: p_<code>, gold y_<code>, honest cv_<code>.
OOF = Schema("oof", (Column("id", pa.string(), nullable=False), Column("cv_fold", pa.int64(), nullable=False)),
             extras={"p_": pa.float64(), "y_": pa.int64(), "cv_": pa.int64()})


def run(codebook_path: Path, annotations_dir: Path, model_path: Path, oof_path: Path, metrics_path: Path,
        cfg: TrainConfig, nlp_backend: str, say=None) -> Classifier:
    from sklearn.model_selection import KFold

    from pipeline.nlp import load_backend

    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
    codebook = load_codebook(codebook_path)
    codes = codebook.ids
    ann = load_annotations(annotations_dir, codebook)
    train = ann[ann["split"] == "train"].reset_index(drop=True)
    y = label_matrix(train, codes)
    too_few = [c for c, n in zip(codes, y.sum(0)) if n < cfg.cv_folds]
    if too_few:
        from pipeline.errors import SamenspelError

        raise SamenspelError(f"te weinig positieve voorbeelden voor {too_few} (minimaal {cfg.cv_folds})",
                             path=annotations_dir, hint="annoteer meer passages (samenspel annotate export)")
    nlp, backend = load_backend(nlp_backend, say)
    X = feature_frame(train["text"].tolist(), lemmatise(train["text"].tolist(), nlp))
    folds = list(KFold(cfg.cv_folds, shuffle=True, random_state=cfg.random_state).split(X))

    metrics: dict[str, Any] = {"train_passages": len(train), "codes": len(codes)}
    results = {}
    for name, spec in cfg.candidates.items():
        proba = out_of_fold(spec, X, y, folds, cfg, name)
        pred = honest_cv_predictions(y, proba, folds)
        f1 = f1_per_code(y, pred)
        results[name] = (float(f1.mean()), proba)
        metrics[f"cv.{name}.macro_f1"] = round(float(f1.mean()), 4)
    chosen = max(results, key=lambda n: (results[n][0], -list(cfg.candidates).index(n)))
    proba = results[chosen][1]
    thresholds = best_thresholds(y, proba)
    metrics["chosen_index"] = list(cfg.candidates).index(chosen)

    model = build_model(cfg.candidates[chosen], cfg.word_ngrams, cfg.char_ngrams, cfg.min_df, cfg.random_state)
    model.fit(X, y)
    clf = Classifier(model, codes, {c: float(t) for c, t in zip(codes, thresholds)},
                     {"candidate": chosen, "spec": cfg.candidates[chosen], "backend": backend,
                      "train_passages": len(train), "cv_macro_f1": {n: round(r[0], 4) for n, r in results.items()}})
    clf.save(model_path)

    pred = honest_cv_predictions(y, proba, folds)
    fold_of = np.zeros(len(train), dtype=int)
    for k, (_, test_idx) in enumerate(folds):
        fold_of[test_idx] = k
    oof = pd.DataFrame({"id": train["id"]})
    for j, c in enumerate(codes):
        oof[f"p_{c}"] = proba[:, j]
        oof[f"y_{c}"] = y[:, j]
        oof[f"cv_{c}"] = pred[:, j]
    oof["cv_fold"] = fold_of
    write_table(oof_path, oof, OOF)
    write_json(metrics_path, metrics)
    say(f"train: {len(cfg.candidates)} ontwerpen vergeleken op {len(train)} passages; "
        f"gekozen: {chosen} (cv macro-F1 {results[chosen][0]:.3f}) → {model_path}")
    return clf
