"""pipeline/evaluate.py: held-out and cross-validated scores, tables and PR curves."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import evaluate
from pipeline.codebook import load_codebook
from tests.conftest import CODEBOOK


def test_evaluate_reports_consistent_scores(tmp_path, annotations_dir, trained):
    from sklearn.metrics import f1_score

    _, out = trained
    m = evaluate.run(CODEBOOK, annotations_dir, out / "classifier.skops", out / "oof.parquet", tmp_path / "e.json",
                     tmp_path / "e.md", tmp_path / "pr", "fallback")
    codes = load_codebook(CODEBOOK).ids
    for prefix in ("heldout.classifier", "heldout.baseline", "cv.classifier"):
        for c in codes + ["macro", "micro"]:
            assert 0.0 <= m[f"{prefix}.{c}.f1"] <= 1.0
    oof = pd.read_parquet(out / "oof.parquet")
    expected = f1_score(oof[[f"y_{c}" for c in codes]], oof[[f"cv_{c}" for c in codes]], average="macro",
                        zero_division=0)
    assert m["cv.classifier.macro.f1"] == pytest.approx(expected, abs=1e-4)
    assert (tmp_path / "pr" / "regie.csv").exists() and "| macro |" in (tmp_path / "e.md").read_text()
