"""pipeline/report/formats.py: the report's number formats."""

from __future__ import annotations

import numpy as np


def test_numbers_are_dutch():
    from pipeline.dutch import pct
    from pipeline.report.formats import pp, pvalue

    assert pct(0.284) == "28%" and pct(0.2845, 1) == "28,4%"
    assert pp(-0.0634) == "−6,3 pp" and pp(0.1) == "+10,0 pp"
    assert pvalue(0.0004) == "< 0,001" and pvalue(0.0312) == "0,031"
    assert np.isnan(float("nan")) and pct(float("nan")) == "–"


def test_share_with_interval_and_counted_nouns():
    from pipeline.report.formats import pct_ci, plural

    assert pct_ci(0.63, 0.521, 0.734) == "63% (52–73%)"
    assert pct_ci(float("nan"), 0.1, 0.2) == "–"
    assert plural(1, "golf", "golven") == "1 golf" and plural(0, "golf", "golven") == "0 golven"
