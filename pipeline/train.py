"""Stage `train`: compare classifier designs by cross-validation and fit the best.

Inputs:  the codebook and the annotated passages (train split only; the test split
         is never read here).
Outputs: `models/classifier.skops` (+ `.json` with codes, thresholds, backend),
         out-of-fold predictions for the evaluation, and flat metrics comparing the
         candidates.
Params:  sections `train` and `nlp` (the same NLP backend lemmatises the training
         passages as the pipeline's passages); `paths.relevance_calibration`.

Thresholds per code are chosen on out-of-fold probabilities of the training part. The
cross-validated scores reported use, for each fold, thresholds chosen on the other
folds only, so no fold's labels tune its own threshold.

The relevance threshold (see `pipeline.model`) comes from the calibration file that
`samenspel realtext --calibrate` writes after measuring on the real development set
(`corpora/devset/calibration.json`, committed); without that file it is the one with
the best passage-level F1 on the out-of-fold predictions. The model records a
fingerprint of what it does (`fingerprint`), so that a real-text measurement can tell
whether it was made on the model in use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.annotations import label_matrix, load_annotations
from pipeline.codebook import load_codebook
from pipeline.files import write_json, write_table
from pipeline.model import Classifier, feature_frame, fit_two_stage
from pipeline.nlp import lemmatise  # the one lemma rule; also `train.lemmatise` for callers
from pipeline.progress import progress, resolve_say
from pipeline.reproducible import round_floats
from pipeline.schema import OOF

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
    relevance: bool = True

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "TrainConfig":
        from pipeline.config import require

        fields = [f for f in cls.__dataclass_fields__ if f != "relevance"]
        return cls(**{f: require(cfg, f, "train") for f in fields}, relevance=bool(cfg.get("relevance", True)))


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


def fit(spec, X: pd.DataFrame, y: np.ndarray, cfg: TrainConfig, codes: list[str]) -> Classifier:
    """A classifier for one candidate spec, fitted on X, y (thresholds still empty)."""
    model, relevance = fit_two_stage(spec, X, y, cfg.word_ngrams, cfg.char_ngrams, cfg.min_df, cfg.random_state,
                                     relevance=cfg.relevance)
    return Classifier(model, codes, {}, {}, relevance)


def out_of_fold(spec, X: pd.DataFrame, y: np.ndarray, folds, cfg: TrainConfig, label: str, codes: list[str]):
    """Out-of-fold p_<code> and p(relevant) for every training passage."""
    proba = np.zeros(y.shape, dtype=float)
    relevance = np.ones(len(y))
    for train_idx, test_idx in progress(folds, f"cv {label}", total=len(folds)):
        clf = fit(spec, X.iloc[train_idx], y[train_idx], cfg, codes)
        Xt = clf.transform(X.iloc[test_idx])
        proba[test_idx] = clf.predict_proba(Xt=Xt)
        relevance[test_idx] = clf.relevance_proba(Xt=Xt)
    return proba, relevance


def best_relevance_threshold(y: np.ndarray, relevance: np.ndarray) -> float:
    """The grid threshold on p(relevant) with the best passage-level F1 (ties: nearest 0.5)."""
    gold = y.any(axis=1).astype(int)[:, None]
    scores = [f1_per_code(gold, (relevance >= t).astype(int)[:, None])[0] for t in THRESHOLD_GRID]
    best = max(scores)
    return float(min((t for t, s in zip(THRESHOLD_GRID, scores) if s >= best - 1e-12), key=lambda t: abs(t - 0.5)))


def read_calibration(path: Path | None) -> dict[str, Any] | None:
    """The committed relevance calibration from the real development set, if there is one."""
    import json

    if path is None or not Path(path).exists():
        return None
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if "relevance_threshold" not in data:
        from pipeline.errors import SamenspelError

        raise SamenspelError("kalibratiebestand zonder relevance_threshold", path=path,
                             hint="maak het opnieuw met `make realtext`")
    return data


def fingerprint(clf: Classifier, Xt) -> str:
    """What the model does, as a short hash: its codes and its probabilities (code and
    relevance, rounded to 4 decimals) on its own training passages. Retraining on the same
    data with the same settings gives the same fingerprint, whatever else changed in the
    code; the relevance threshold is not part of it."""
    import hashlib

    h = hashlib.sha256(" ".join(clf.codes).encode())
    h.update(np.round(clf.predict_proba(Xt=Xt), 4).tobytes())
    h.update(np.round(clf.relevance_proba(Xt=Xt), 4).tobytes())
    return h.hexdigest()[:16]


def honest_cv_predictions(y: np.ndarray, proba: np.ndarray, relevance: np.ndarray, folds) -> np.ndarray:
    """0/1 predictions where each fold's thresholds come from the other folds only."""
    pred = np.zeros_like(y)
    for train_idx, test_idx in folds:
        t = best_thresholds(y[train_idx], proba[train_idx])
        t_rel = best_relevance_threshold(y[train_idx], relevance[train_idx])
        pred[test_idx] = ((proba[test_idx] >= t) & (relevance[test_idx] >= t_rel)[:, None]).astype(int)
    return pred


def run(codebook_path: Path, annotations_dir: Path, model_path: Path, oof_path: Path, metrics_path: Path,
        cfg: TrainConfig, nlp_backend: str, say=None, calibration_path: Path | None = None) -> Classifier:
    from sklearn.model_selection import KFold

    from pipeline.nlp import load_backend

    say = resolve_say(say, log)
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
    # The nlp stage already warns when the offline fallback stands in for the model; here
    # the backend is named in the summary line instead of warning again (issue 15).
    nlp, backend = load_backend(nlp_backend, lambda msg, warn=False: log.info(msg))
    X = feature_frame(train["text"].tolist(), lemmatise(train["text"].tolist(), nlp))
    folds = list(KFold(cfg.cv_folds, shuffle=True, random_state=cfg.random_state).split(X))

    metrics: dict[str, Any] = {"train_passages": len(train), "codes": len(codes)}
    results = {}
    for name, spec in cfg.candidates.items():
        proba, relevance = out_of_fold(spec, X, y, folds, cfg, name, codes)
        pred = honest_cv_predictions(y, proba, relevance, folds)
        f1 = f1_per_code(y, pred)
        results[name] = (float(f1.mean()), proba, relevance)
        metrics[f"cv.{name}.macro_f1"] = round(float(f1.mean()), 4)
    chosen = max(results, key=lambda n: (results[n][0], -list(cfg.candidates).index(n)))
    _, proba, relevance = results[chosen]
    thresholds = best_thresholds(y, proba)
    metrics["chosen_index"] = list(cfg.candidates).index(chosen)
    calibration = read_calibration(calibration_path) if cfg.relevance else None
    if not cfg.relevance:
        t_rel, t_source = 0.0, "geen relevantiemodel"
    elif calibration:
        t_rel, t_source = float(calibration["relevance_threshold"]), "echte ontwikkelset"
    else:
        t_rel, t_source = best_relevance_threshold(y, relevance), "out-of-fold op de trainingsdata"
    metrics["relevance_threshold"] = t_rel

    clf = fit(cfg.candidates[chosen], X, y, cfg, codes)
    clf.thresholds = {c: float(t) for c, t in zip(codes, thresholds)}
    clf.relevance_threshold = t_rel
    clf.meta = {"candidate": chosen, "spec": cfg.candidates[chosen], "backend": backend,
                "train_passages": len(train), "cv_macro_f1": {n: round(r[0], 4) for n, r in results.items()},
                "relevance_threshold_source": t_source, "fingerprint": fingerprint(clf, clf.transform(X))}
    clf.save(model_path)

    pred = honest_cv_predictions(y, proba, relevance, folds)
    fold_of = np.zeros(len(train), dtype=int)
    for k, (_, test_idx) in enumerate(folds):
        fold_of[test_idx] = k
    oof = pd.DataFrame({"id": train["id"]})
    for j, c in enumerate(codes):
        oof[f"p_{c}"] = proba[:, j]
        oof[f"y_{c}"] = y[:, j]
        oof[f"cv_{c}"] = pred[:, j]
    oof["cv_fold"] = fold_of
    oof["relevance"] = relevance
    write_table(oof_path, round_floats(oof), OOF)  # the same bytes on every machine
    write_json(metrics_path, metrics)
    say(f"train: {len(cfg.candidates)} ontwerpen vergeleken op {len(train)} passages; "
        f"gekozen: {chosen} (cv macro-F1 {results[chosen][0]:.3f}); relevantiedrempel {t_rel:.2f} "
        f"({t_source}); lemma's: {backend} → {model_path}")
    return clf
