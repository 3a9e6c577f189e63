"""Stage `evaluate`: how well the classifier and the dictionary baseline agree with
human coding, code by code, on the project's own text and on real text.

Inputs:  the codebook, the annotations (the held-out `test` split, plus the training
         part for the baseline), the trained classifier and its out-of-fold
         predictions from `train`, and the committed real-text measurement
         (`corpora/devset/realtext.json`, written by `samenspel realtext`, which reads
         the real texts from the shared folder; this stage never does, so `dvc repro`
         gives the same outputs with or without that folder).
Outputs: flat metrics JSON (precision, recall, F1 per code and macro/micro averages,
         cross-validated and held-out, classifier and baseline side by side, and the
         real-text figures under `realdev.`), a Markdown report, and precision-recall
         curves per code (CSV, DVC plots).
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
from pipeline.nlp import lemmatise
from pipeline.progress import resolve_say
from pipeline.schema import OOF

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


#: Real-text figures copied from the measurement into metrics/evaluate.json (per code too).
REALDEV_KEYS = ("passages", "coded_passages", "disagreements", "relevance_threshold", "offdomain.passages",
                "offdomain.coded", "offdomain.rate", "crossfit.offdomain.rate", "fragments.passages",
                "fragments.coded_by_coders", "fragments.coded_by_model", "kappa.passage")
REALDEV_BLOCKS = ("adjudicated", "coder_a", "coder_b", "crossfit")


def read_realtext(path: Path | None, clf: Classifier) -> tuple[dict | None, bool]:
    """The committed real-text measurement and whether it was made on this model
    (same fingerprint and thresholds); (None, False) when there is none."""
    import json

    if path is None or not Path(path).exists():
        return None, False
    m = json.loads(Path(path).read_text(encoding="utf-8"))
    current = (m.get("model_fingerprint") == clf.meta.get("fingerprint")
               and abs(float(m.get("relevance_threshold", -1)) - clf.relevance_threshold) < 1e-9
               and all(abs(float(m.get(f"threshold.{c}", -1)) - t) < 1e-4 for c, t in clf.thresholds.items()))
    return m, current


def realtext_lines(m: dict, current: bool, codes: list[str]) -> list[str]:
    """The Markdown sections on real text."""
    a = "adjudicated."
    sources = ", ".join(f"{k.split('.', 1)[1]} {v}" for k, v in m.items() if k.startswith("passages."))
    lines = ["", "## 2. Echte teksten: de ontwikkelset", ""]
    if not current:
        lines += ["**Let op: deze meting hoort bij een ander model dan het huidige** (andere trainingsdata, "
                  "instellingen of drempels). Meet opnieuw met `make realtext`.", ""]
    lines += [
        f"{m['passages']} echte passages die niemand voor dit project schreef ({sources}), gelezen uit de map "
        f"`../shared`; alleen de labels staan in het project (`corpora/devset/labels.jsonl`). Twee onafhankelijke "
        f"codeurs codeerden blind, met alleen het codeboek en het artikel; {m['disagreements']} passages "
        f"verschilden en gingen naar een derde blinde codeur, waarna per code de meerderheid geldt. "
        f"{m['coded_passages']} passages kregen een code. Nooit gebruikt voor training; wel voor de "
        f"relevantiedrempel ({m['relevance_threshold']:.2f}).", "",
        f"Passage-niveau (wel of geen code): precisie **{m[a + 'passage.precision']:.3f}**, recall "
        f"{m[a + 'passage.recall']:.3f}. Codes (micro): precisie {m[a + 'micro.precision']:.3f}, recall "
        f"{m[a + 'micro.recall']:.3f}, **F1 {m[a + 'micro.f1']:.3f}**. Met de drempel gekozen op de ene helft "
        f"van de bronbestanden en gemeten op de andere (kruisgevalideerd): passage-precisie "
        f"{m['crossfit.passage.precision']:.3f}, recall {m['crossfit.passage.recall']:.3f}, micro-F1 "
        f"{m['crossfit.micro.f1']:.3f}.", "",
        "| code | n | P | R | F1 | F1 t.o.v. codeur A | F1 t.o.v. codeur B | κ codeurs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in codes:
        lines.append(f"| {c} | {int(m.get(a + c + '.support', 0))} | {m[a + c + '.precision']:.3f} | "
                     f"{m[a + c + '.recall']:.3f} | {m[a + c + '.f1']:.3f} | {m['coder_a.' + c + '.f1']:.3f} | "
                     f"{m['coder_b.' + c + '.f1']:.3f} | {m['kappa.' + c]:.3f} |")
    lines.append(f"| **micro** | {m['coded_passages']} | {m[a + 'micro.precision']:.3f} | {m[a + 'micro.recall']:.3f} "
                 f"| {m[a + 'micro.f1']:.3f} | {m['coder_a.micro.f1']:.3f} | {m['coder_b.micro.f1']:.3f} | "
                 f"{m['kappa.passage']:.3f} (passage) |")
    lines += ["", "Een code met weinig of geen voorbeelden (n) in de ontwikkelset is hier niet te beoordelen; "
              "κ = 1 bij een code die geen van beide codeurs gebruikte zegt dus niets.", "",
              "## 3. Echte teksten buiten het domein", "",
              f"Meldingen van bewoners, antwoorden uit een enquête over een ander onderwerp en citaten uit "
              f"gebruikersonderzoek zonder code van de codeurs: {m['offdomain.passages']} passages, waarvan "
              f"**{m['offdomain.coded']} ({m['offdomain.rate']:.1%})** toch een code kregen "
              f"(kruisgevalideerd {m['crossfit.offdomain.rate']:.1%}). Korte passages en passages zonder slotteken "
              f"(koppen, lijstjes, ondertekeningen): {m['fragments.passages']}, door de codeurs "
              f"{m['fragments.coded_by_coders']} gecodeerd, door het model {m['fragments.coded_by_model']}."]
    return lines


def run(codebook_path: Path, annotations_dir: Path, model_path: Path, oof_path: Path, metrics_path: Path,
        table_path: Path, plots_dir: Path, nlp_backend: str, say=None,
        realtext_path: Path | None = None) -> dict[str, float]:
    from sklearn.metrics import precision_recall_curve

    from pipeline.files import read_table
    from pipeline.nlp import load_backend

    say = resolve_say(say, log)
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
    # The nlp stage already warns when the offline fallback stands in for the model; here
    # the backend is named in the summary line instead of warning again (issue 15).
    nlp, backend = load_backend(nlp_backend, lambda msg, warn=False: log.info(msg))
    if backend != clf.meta.get("backend"):
        say(f"let op: model getraind met {clf.meta.get('backend')}, evaluatie met {backend}", warn=True)

    y_test = label_matrix(test, codes)
    X_test = clf.transform(feature_frame(test["text"].tolist(), lemmatise(test["text"].tolist(), nlp)))
    proba = clf.predict_proba(Xt=X_test)
    pred = clf.decide(proba, clf.relevance_proba(Xt=X_test))
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
    real, current = read_realtext(realtext_path, clf)
    if real:
        metrics["realdev.current"] = int(current)
        metrics.update({f"realdev.{k}": real[k] for k in REALDEV_KEYS if k in real})
        metrics.update({f"realdev.{k}": v for k, v in real.items() if k.startswith(tuple(b + "." for b in REALDEV_BLOCKS))
                        and not k.endswith(".support")})
    write_json(metrics_path, metrics)

    plots_dir.mkdir(parents=True, exist_ok=True)
    for j, c in enumerate(codes):
        prec, rec, _ = precision_recall_curve(y_test[:, j], proba[:, j])
        pd.DataFrame({"recall": rec.round(4), "precision": prec.round(4)}).to_csv(plots_dir / f"{c}.csv", index=False)

    h, b, cv = blocks["heldout.classifier"], blocks["heldout.baseline"], blocks["cv.classifier"]
    lines = [
        "# Evaluatie van de classificatie", "",
        "Drie soorten cijfers, elk voor een ander soort tekst: (1) de vaste toetsset, geschreven voor dit "
        "project in het register van de trainingsdata; (2) echte teksten die niemand voor dit project schreef, "
        "gecodeerd door onafhankelijke codeurs; (3) echte teksten over iets anders dan samenwerking. Alleen (2) en "
        "(3) zeggen iets over documenten en antwoorden uit de praktijk.", "",
        "## 1. De vaste toetsset (eigen register)", "",
        f"Vaste toetsset: {len(test)} passages (nooit gebruikt voor training of drempels). "
        f"Kruisvalidatie: {len(oof)} trainingspassages, {clf.meta.get('candidate')} "
        f"(drempels per vouw gekozen op de andere vouwen). NLP-backend: {backend}.", "",
        "| code | F1 toets | P toets | R toets | F1 woordenboek (toets) | F1 kruisvalidatie |",
        "|---|---|---|---|---|---|",
    ]
    for c in codes + ["macro", "micro"]:
        lines.append(f"| {c} | {h[c + '.f1']:.3f} | {h[c + '.precision']:.3f} | {h[c + '.recall']:.3f} | "
                     f"{b[c + '.f1']:.3f} | {cv[c + '.f1']:.3f} |")
    if real:
        lines += realtext_lines(real, current, codes)
    else:
        lines += ["", "## 2. Echte teksten", "", "Nog niet gemeten: `make realtext` (leest `../shared`) schrijft "
                  "`corpora/devset/realtext.json`."]
    write_text(table_path, "\n".join(lines) + "\n")
    behind = [c for c in codes if h[f"{c}.f1"] <= b[f"{c}.f1"]]
    say(f"evaluate ({backend}): toets macro-F1 {h['macro.f1']:.3f} (woordenboek {b['macro.f1']:.3f}, kruisvalidatie "
        f"{cv['macro.f1']:.3f})" + (f"; niet beter dan woordenboek op: {', '.join(behind)}" if behind else "")
        + (f"; echte tekst: passage-precisie {real['adjudicated.passage.precision']:.2f}, micro-F1 "
           f"{real['adjudicated.micro.f1']:.2f}, buiten het domein {real['offdomain.rate']:.1%}"
           + ("" if current else " (gemeten op een ander model)") if real else "")
        + f" → {metrics_path}")
    return metrics
