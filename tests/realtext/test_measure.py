"""Tests for `pipeline.realtext.measure`: agreement, the relevance threshold, the measurement."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline import realtext as rt


def test_cohen_kappa_matches_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(3)
    a = rng.random(200) < 0.2
    b = np.where(rng.random(200) < 0.8, a, ~a)
    assert rt.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_relevance_threshold_has_the_best_f_beta_and_prefers_the_higher_on_ties():
    gold = np.array([1, 1, 1, 0, 0, 0, 1, 0], dtype=bool)
    relevance = np.array([0.95, 0.9, 0.8, 0.75, 0.6, 0.3, 0.2, 0.1])
    passes = np.ones(8, dtype=bool)
    # 0.76-0.80: P 1, R 0.75, F0.5 0.94 (the best); below 0.76 precision drops to 0.75
    assert rt.relevance_threshold_for(gold, relevance, passes, 0.5) == pytest.approx(0.80)
    # with beta 2 recall weighs more: 0.11-0.20 code all four at P 4/7 (F2 0.87)
    assert rt.relevance_threshold_for(gold, relevance, passes, 2.0) == pytest.approx(0.20)
    # a passage whose codes all stay under their thresholds is never coded
    assert rt.relevance_threshold_for(gold, relevance, passes & (relevance < 0.85), 0.5) == pytest.approx(0.80)


def test_measurement_scores_a_trained_model_on_real_shaped_rows(tmp_path, trained, fallback_nlp):
    clf, _ = trained
    nlp, _ = fallback_nlp
    rows = [{"locator": f"x#{i}", "source": s, "text": t, "coder_a": c, "coder_b": c, "codes": c}
            for i, (s, t, c) in enumerate([
                ("regelingen", "Het algemeen bestuur besluit bij meerderheid van stemmen.", []),
                ("meldingen", "Graag de prullenbak bij het station legen", []),
                ("baarn", "Als penvoerder van de regio deal bereiden wij de stuurgroep voor en bewaken we de "
                          "voortgang bij alle partners.", ["procesmanager"])])]
    m, t = rt.measure(clf, nlp, rows, 0.5, calibrate=False)
    assert t == clf.relevance_threshold and m["passages"] == 3 and m["coded_passages"] == 1
    assert m["offdomain.passages"] == 1 and 0 <= m["offdomain.rate"] <= 1
    assert set(m) >= {"adjudicated.passage.precision", "coder_a.micro.f1", "kappa.regie", "crossfit.micro.f1"}
    json.dumps(m)  # flat and serialisable
