"""pipeline/train.py: training on the project's annotations, honest cross-validation."""

from __future__ import annotations

import json
import shutil

import numpy as np

from pipeline import classify, train
from tests.conftest import CODEBOOK, ROOT


def test_train_never_uses_the_test_split(tmp_path, annotations_dir, small_train_cfg, trained):
    clf, _ = trained
    other = tmp_path / "ann"
    shutil.copytree(annotations_dir, other)
    # Relabel every held-out passage: the model must not change.
    lines = [json.loads(l) for l in (other / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    with (other / "test.jsonl").open("w", encoding="utf-8") as fh:
        for rec in lines:
            fh.write(json.dumps({**rec, "codes": ["regie"]}, ensure_ascii=False) + "\n")
    clf2 = train.run(CODEBOOK, other, tmp_path / "m.skops", tmp_path / "oof.parquet", tmp_path / "t.json",
                     small_train_cfg, "fallback")
    assert clf2.thresholds == clf.thresholds
    X = classify.feature_frame(["Ik organiseer de stuurgroep."], [["ik", "organiseren", "de", "stuurgroep"]])
    np.testing.assert_allclose(clf2.predict_proba(X), clf.predict_proba(X))


def test_trained_model_beats_chance_in_cross_validation(trained):
    clf, out = trained
    metrics = json.loads((out / "train.json").read_text())
    assert metrics["train_passages"] >= 1000
    # Honest CV on >1000 passages: far above what random labels would give.
    assert max(v for k, v in metrics.items() if k.endswith("macro_f1")) > 0.6
    assert all(0.05 <= t <= 0.95 for t in clf.thresholds.values())


REAL_REGISTER_NEGATIVES = [line for line in (ROOT / "tests" / "fixtures" / "real_register_negatives.txt")
                           .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def test_real_register_negatives_get_no_code(trained, fallback_nlp):
    """Signature lines, budget and voting articles, headings, table rows and off-topic
    answers are not about collaboration: the model trained on the project's annotations
    gives none of them a code, and their p_<code> stays low."""
    clf, _ = trained
    nlp, _ = fallback_nlp
    texts = REAL_REGISTER_NEGATIVES
    coded = classify.code_passages(clf, texts, train.lemmatise(texts, nlp), evidence=False)
    wrong = [(t[:60], c) for t, c in zip(texts, coded["codes"]) if c]
    assert not wrong, f"gecodeerd: {wrong}"
    assert coded[[f"p_{c}" for c in clf.codes]].to_numpy().max() < 0.5
