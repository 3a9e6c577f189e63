"""pipeline/model.py: the fitted model gives the same file on any machine."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest


def _calibrators(estimator):
    return [cal for cc in estimator.calibrated_classifiers_ for cal in cc.calibrators]


def test_round_calibration_removes_last_bit_differences():
    """Two fits that differ only in the last bits of Platt scaling (another BLAS kernel)
    are equal after rounding, and so are their skops bytes."""
    from pipeline.files import skops_bytes
    from pipeline.model import CALIBRATION_DECIMALS, build_estimator, round_calibration

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] + rng.normal(scale=0.5, size=120) > 0).astype(int)
    spec = {"model": "linearsvc", "C": 0.5}
    a, b = (build_estimator(spec, 0).fit(X, y) for _ in range(2))
    for cal in _calibrators(b):  # what another CPU gives: one unit in the last place
        cal.a_, cal.b_ = np.nextafter(cal.a_, np.inf), np.nextafter(cal.b_, -np.inf)
    assert skops_bytes(a) != skops_bytes(b)

    round_calibration(a), round_calibration(b)
    assert hashlib.md5(skops_bytes(a)).digest() == hashlib.md5(skops_bytes(b)).digest()
    for cal in _calibrators(a):
        assert isinstance(cal.a_, np.float64)
        assert cal.a_ == round(float(cal.a_), CALIBRATION_DECIMALS)


def test_rounded_calibration_keeps_the_probabilities():
    from pipeline.model import CALIBRATION_DECIMALS, build_estimator, round_calibration

    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 4))
    y = (X[:, 1] > 0).astype(int)
    est = build_estimator({"model": "logreg", "C": 1.0}, 0).fit(X, y)
    before = est.predict_proba(X)
    assert any(c.a_ != round(float(c.a_), CALIBRATION_DECIMALS) for c in _calibrators(est))
    after = round_calibration(est).predict_proba(X)
    assert np.abs(before - after).max() < 1e-9


@pytest.mark.parametrize("relevance", [True, False])
def test_fit_two_stage_returns_rounded_calibrations(relevance):

    from pipeline.model import CALIBRATION_DECIMALS, feature_frame, fit_two_stage

    texts = [f"de regio werkt samen aan thema {i}" if i % 2 else f"de fiets staat buiten {i}" for i in range(40)]
    lemmas = [t.split() for t in texts]
    y = np.array([[i % 2, (i // 2) % 2] for i in range(40)])
    model, rel = fit_two_stage({"model": "linearsvc"}, feature_frame(texts, lemmas), y, (1, 1), (3, 4), 1, 0,
                               relevance=relevance)
    ests = list(model.named_steps["clf"].estimators_) + ([rel] if rel is not None else [])
    assert (rel is not None) == relevance
    for est in ests:
        for cal in _calibrators(est):
            assert cal.a_ == round(float(cal.a_), CALIBRATION_DECIMALS)
            assert cal.b_ == round(float(cal.b_), CALIBRATION_DECIMALS)
