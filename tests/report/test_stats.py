"""pipeline/report/stats.py: intervals, tests, corrections and verdicts."""

from __future__ import annotations

import math

import pytest

from pipeline.errors import SamenspelError
from tests.report.inputs import REPORT_PARAMS


def test_wilson_interval_known_values():
    from pipeline.report.stats import wilson_interval

    assert wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    lo, hi = wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)


def test_holm_and_benjamini_hochberg_corrections():
    from pipeline.report.stats import adjust_pvalues

    p = [0.01, 0.04, 0.03, 0.005]
    assert adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues(p, "fdr_bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    out = adjust_pvalues([0.01, float("nan"), 0.02], "holm")
    assert out[0] == pytest.approx(0.02) and math.isnan(out[1]) and out[2] == pytest.approx(0.02)
    with pytest.raises(SamenspelError):
        adjust_pvalues(p, "bonferroni-ish")


def test_small_counts_use_fisher_and_large_counts_the_z_test():
    from pipeline.report.stats import proportion_test

    test, p = proportion_test(1, 12, 6, 11)
    assert test == "Fisher" and 0 < p < 1
    from scipy.stats import fisher_exact

    assert p == pytest.approx(fisher_exact([[1, 11], [6, 5]])[1])
    test, p = proportion_test(50, 100, 70, 100)
    assert test == "z" and p == pytest.approx(0.00389, abs=1e-4)


def test_correction_can_turn_a_raw_significance_into_no_claim():
    from pipeline.report.config import ReportConfig
    from pipeline.report.stats import compare

    cfg = ReportConfig.from_params(REPORT_PARAMS)
    # Each raw p is about 0.03, but with eight tests Holm lifts them above 0.05.
    items = [{"item": str(i), "name": str(i), "k_a": 40, "n_a": 200, "k_b": 60, "n_b": 200} for i in range(8)]
    out = compare(items, cfg)
    assert (out["p"] < 0.05).all() and (out["p_adj"] >= 0.05).all()
    assert not out["significant"].any()
    assert out["verdict"].str.startswith("geen aantoonbaar verschil").all()


def test_verdict_wording():
    from pipeline.report.stats import verdict

    assert verdict(0.2, 0.1, 0.3, 0.001, 0.05, 5) == "significant toegenomen"
    assert verdict(-0.02, -0.03, -0.01, 0.001, 0.05, 5).startswith("significant afgenomen, maar klein")
    assert verdict(0.01, -0.02, 0.03, 0.6, 0.05, 5) == "geen aantoonbaar verschil (te klein om iets te betekenen)"
    assert verdict(0.05, -0.04, 0.14, 0.2, 0.05, 5).startswith("geen aantoonbaar verschil (te weinig gegevens")
