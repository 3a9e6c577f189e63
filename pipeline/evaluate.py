"""Stage `evaluate`: how well the classifier and the dictionary baseline agree with
human coding, code by code.

Inputs:  the codebook, the annotations (the held-out `test` split, plus the training
         part for the baseline), the trained classifier and its out-of-fold
         predictions from `train`.
Outputs: flat metrics JSON (precision, recall, F1 per code and macro/micro averages,
         cross-validated and held-out, classifier and baseline side by side), a
         Markdown table, and precision-recall curves per code (CSV, DVC plots).
Params:  section `nlp` (backend for lemmas) — the model records the backend it was
         trained with, and a mismatch is reported.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.annotations import label_matrix, load_annotations
from pipeline.codebook import load_codebook
from pipeline.dictionary import DictionaryCoder
from pipeline.errors import SamenspelError
from pipeline.files import write_json, write_text
from pipeline.model import Classifier, feature_frame
from pipeline.train import OOF, lemmatise

log = logging.getLogger(__name__)


def scores(y: np.ndarray, pred: np.ndarray, codes: list[str]) -> dict[str, float]:
    """Precision, recall and F1 per code, macro and micro averaged."""
    tp = (y & pred).sum(0).astype(float)
    fp = ((1 - y) & pred).sum(0).astype(float)
    fn = (y & (1 - pred)).sum(0).astype(float)
    p = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    r = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=(tp + fn) > 0)
    f = np.divide(2 * p * r, p + r, out=np.zeros_like(tp), where=(p + r) > 0)
    out: dict[str, float] = {}
    for j, c in enumerate(codes):
        out[f"{c}.precision"], out[f"{c}.recall"], out[f"{c}.f1"] = p[j], r[j], f[j]
    out["macro.precision"], out["macro.recall"], out["macro.f1"] = p.mean(), r.mean(), f.mean()
    TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
    mp = TP / (TP + FP) if TP + FP else 0.0
    mr = TP / (TP + FN) if TP + FN else 0.0
    out["micro.precision"], out["micro.recall"] = mp, mr
    out["micro.f1"] = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    return {k: round(float(v), 4) for k, v in out.items()}


def run(codebook_path: Path, annotations_dir: Path, model_path: Path, oof_path: Path, metrics_path: Path,
        table_path: Path, plots_dir: Path, nlp_backend: str, say=None) -> dict[str, float]:
    from sklearn.metrics import precision_recall_curve

    from pipeline.files import read_table
    from pipeline.nlp import load_backend

    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
    codebook = load_codebook(codebook_path)
    codes = codebook.ids
    clf = Classifier.load(model_path)
    if clf.codes != codes:
        raise SamenspelError("het model hoort bij een ander codeboek", path=model_path,
                             hint="train opnieuw: dvc repro train")
    ann = load_annotations(annotations_dir, codebook)
    test = ann[ann["split"] == "test"].reset_index(drop=True)
    train = ann[ann["split"] == "train"].reset_index(drop=True)
    if test.empty:
        raise SamenspelError("geen passages met split 'test' (de vaste toetsset ontbreekt)", path=annotations_dir)
    nlp, backend = load_backend(nlp_backend, say)
    if backend != clf.meta.get("backend"):
        say(f"let op: model getraind met {clf.meta.get('backend')}, evaluatie met {backend}", warn=True)

    y_test = label_matrix(test, codes)
    X_test = feature_frame(test["text"].tolist(), lemmatise(test["text"].tolist(), nlp))
    proba = clf.predict_proba(X_test)
    pred = clf.decide(proba)
    baseline = DictionaryCoder(codebook, nlp).fit()
    base_test = baseline.predict(test["text"].tolist())
    base_train = baseline.predict(train["text"].tolist())

    oof = read_table(oof_path, OOF)
    y_cv = oof[[f"y_{c}" for c in codes]].to_numpy()
    pred_cv = oof[[f"cv_{c}" for c in codes]].to_numpy()

    blocks = {
        "heldout.classifier": scores(y_test, pred, codes),
        "heldout.baseline": scores(y_test, base_test, codes),
        "cv.classifier": scores(y_cv, pred_cv, codes),
        "train.baseline": scores(label_matrix(train, codes), base_train, codes),
    }
    metrics: dict[str, float | int] = {"heldout_passages": len(test), "cv_passages": len(oof)}
    for prefix, block in blocks.items():
        metrics.update({f"{prefix}.{k}": v for k, v in block.items()})
    write_json(metrics_path, metrics)

    plots_dir.mkdir(parents=True, exist_ok=True)
    for j, c in enumerate(codes):
        prec, rec, _ = precision_recall_curve(y_test[:, j], proba[:, j])
        pd.DataFrame({"recall": rec.round(4), "precision": prec.round(4)}).to_csv(plots_dir / f"{c}.csv", index=False)

    h, b, cv = blocks["heldout.classifier"], blocks["heldout.baseline"], blocks["cv.classifier"]
    lines = [
        "# Evaluatie van de classificatie", "",
        f"Vaste toetsset: {len(test)} passages (nooit gebruikt voor training of drempels). "
        f"Kruisvalidatie: {len(oof)} trainingspassages, {clf.meta.get('candidate')} "
        f"(drempels per vouw gekozen op de andere vouwen). NLP-backend: {backend}.", "",
        "| code | F1 toets | P toets | R toets | F1 woordenboek (toets) | F1 kruisvalidatie |",
        "|---|---|---|---|---|---|",
    ]
    for c in codes + ["macro", "micro"]:
        lines.append(f"| {c} | {h[c + '.f1']:.3f} | {h[c + '.precision']:.3f} | {h[c + '.recall']:.3f} | "
                     f"{b[c + '.f1']:.3f} | {cv[c + '.f1']:.3f} |")
    write_text(table_path, "\n".join(lines) + "\n")
    behind = [c for c in codes if h[f"{c}.f1"] <= b[f"{c}.f1"]]
    say(f"evaluate: toets macro-F1 {h['macro.f1']:.3f} (woordenboek {b['macro.f1']:.3f}, kruisvalidatie "
        f"{cv['macro.f1']:.3f})" + (f"; niet beter dan woordenboek op: {', '.join(behind)}" if behind else "")
        + f" → {metrics_path}")
    return metrics
