"""Measuring the classifier on the real development set: scores, agreement, the relevance threshold.

`measure` scores a model against the adjudicated labels and each coder, reports the
coders' agreement (Cohen's kappa), the off-domain coding rate and how fragments fare,
and, with `calibrate`, chooses the relevance threshold on the set; the `crossfit.*`
figures choose it on one half of the source files and measure on the other.
"""

from __future__ import annotations

import hashlib

from pipeline.realtext.passages import OFF_DOMAIN


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two 0/1 sequences (1.0 when both coders never use the code)."""
    import numpy as np

    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    po = float((a == b).mean())
    pa, pb = a.mean(), b.mean()
    pe = float(pa * pb + (1 - pa) * (1 - pb))
    return 1.0 if pe >= 1.0 else (po - pe) / (1 - pe)


def _matrix(rows: list[dict], key: str, codes: list[str]):
    import numpy as np

    return np.array([[c in (row.get(key) or []) for c in codes] for row in rows], dtype=int).reshape(len(rows),
                                                                                                      len(codes))


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scores(gold, pred, codes: list[str]) -> dict[str, float]:
    """Passage-level (any code) and per-code / micro precision, recall, F1."""
    out: dict[str, float] = {}
    g_any, p_any = gold.any(1), pred.any(1)
    out["passage.precision"], out["passage.recall"], out["passage.f1"] = _prf(
        float((g_any & p_any).sum()), float((~g_any & p_any).sum()), float((g_any & ~p_any).sum()))
    tps = fps = fns = 0.0
    for j, c in enumerate(codes):
        tp = float((gold[:, j] & pred[:, j]).sum())
        fp = float(((1 - gold[:, j]) & pred[:, j]).sum())
        fn = float((gold[:, j] & (1 - pred[:, j])).sum())
        tps, fps, fns = tps + tp, fps + fp, fns + fn
        out[f"{c}.precision"], out[f"{c}.recall"], out[f"{c}.f1"] = _prf(tp, fp, fn)
        out[f"{c}.support"] = gold[:, j].sum()
    out["micro.precision"], out["micro.recall"], out["micro.f1"] = _prf(tps, fps, fns)
    return {k: round(float(v), 4) for k, v in out.items()}


def relevance_threshold_for(gold_any, relevance, passes, beta: float = 0.5) -> float:
    """The threshold on p(relevant) with the best passage-level F-beta on the set
    (beta 0.5: precision counts twice as much as recall); ties go to the higher threshold.

    `passes` says per passage whether any code passes its own threshold: only those
    passages can be coded, whatever the relevance threshold.
    """
    import numpy as np

    from pipeline.train import THRESHOLD_GRID

    gold_any = np.asarray(gold_any, dtype=bool)
    best, best_t = -1.0, float(THRESHOLD_GRID[-1])
    for t in THRESHOLD_GRID:
        coded = passes & (relevance >= t)
        tp = float((coded & gold_any).sum())
        p = tp / coded.sum() if coded.sum() else 0.0
        r = tp / gold_any.sum() if gold_any.sum() else 0.0
        f = (1 + beta ** 2) * p * r / (beta ** 2 * p + r) if p + r else 0.0
        if f >= best:
            best, best_t = f, float(t)
    return best_t


def _fold_of(row: dict) -> int:
    """Two folds by source file, so a threshold is never chosen on the file it is tested on."""
    name = row["locator"].split("#")[0]
    if row["source"] in ("meldingen", "partypanel", "baarn"):
        name += row["locator"]  # one file each: split those passage by passage
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % 2


def measure(clf, nlp, rows: list[dict], beta: float, calibrate: bool,
            batch_size: int = 256) -> tuple[dict, float]:
    """Measure `clf` on the development rows: (flat metrics, relevance threshold used).

    With `calibrate`, the relevance threshold is chosen on the set (see
    `relevance_threshold_for`); otherwise the model's own threshold is measured. The
    `crossfit.*` figures choose the threshold on one half of the source files and measure
    on the other, so they show what the choice itself is worth on text it has not seen.
    """
    import numpy as np

    from pipeline.model import feature_frame
    from pipeline.nlp import lemmatise

    codes = clf.codes
    texts = [r["text"] for r in rows]
    Xt = clf.transform(feature_frame(texts, lemmatise(texts, nlp, batch_size)))
    proba, relevance = clf.predict_proba(Xt=Xt), clf.relevance_proba(Xt=Xt)
    t_codes = np.array([clf.thresholds[c] for c in codes])
    passes = (proba >= t_codes).any(1)
    gold = _matrix(rows, "codes", codes)
    gold_any = gold.any(1)
    t_rel = relevance_threshold_for(gold_any, relevance, passes, beta) if calibrate else clf.relevance_threshold
    pred = ((proba >= t_codes) & (relevance >= t_rel)[:, None]).astype(int)

    m: dict[str, float | int | str] = {"passages": len(rows), "coded_passages": int(gold_any.sum()),
                                       "relevance_threshold": t_rel, "beta": beta}
    for source in sorted({r["source"] for r in rows}):
        m[f"passages.{source}"] = sum(r["source"] == source for r in rows)
    m.update({f"adjudicated.{k}": v for k, v in scores(gold, pred, codes).items()})
    for coder in ("a", "b"):
        m.update({f"coder_{coder}.{k}": v for k, v in scores(_matrix(rows, f"coder_{coder}", codes), pred,
                                                                codes).items() if not k.endswith("support")})
    a, b = _matrix(rows, "coder_a", codes), _matrix(rows, "coder_b", codes)
    for j, c in enumerate(codes):
        m[f"kappa.{c}"] = round(cohen_kappa(a[:, j], b[:, j]), 4)
    m["kappa.passage"] = round(cohen_kappa(a.any(1), b.any(1)), 4)
    m["disagreements"] = int((a != b).any(1).sum())

    off = np.array([r["source"] in OFF_DOMAIN for r in rows]) & ~gold_any
    m["offdomain.passages"] = int(off.sum())
    m["offdomain.coded"] = int(pred[off].any(1).sum())
    m["offdomain.rate"] = round(float(pred[off].any(1).mean()) if off.any() else 0.0, 4)
    short = np.array([len(t.split()) <= 7 or t.rstrip()[-1:] not in ".!?" for t in texts])
    m["fragments.passages"] = int(short.sum())
    m["fragments.coded_by_coders"] = int((gold_any & short).sum())
    m["fragments.coded_by_model"] = int(pred[short].any(1).sum())

    folds = np.array([_fold_of(r) for r in rows])
    cross = np.zeros_like(pred)
    for k in (0, 1):
        train, test = folds != k, folds == k
        t = relevance_threshold_for(gold_any[train], relevance[train], passes[train], beta)
        cross[test] = ((proba[test] >= t_codes) & (relevance[test] >= t)[:, None]).astype(int)
    m.update({f"crossfit.{k}": v for k, v in scores(gold, cross, codes).items() if not k.endswith("support")})
    m["crossfit.offdomain.rate"] = round(float(cross[off].any(1).mean()) if off.any() else 0.0, 4)
    return m, t_rel
