"""The statistics of the report: intervals for shares, the test of two waves, the
correction for multiple testing, and what a comparison may claim in plain Dutch.

statsmodels and scipy are imported where they are used: reading the settings and the
command line does not load them.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from pipeline.dutch import number
from pipeline.errors import SamenspelError
from pipeline.report.config import CORRECTIONS, ReportConfig
from pipeline.report.formats import plural


def wilson_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials; (nan, nan) when n is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(int(k), int(n), alpha=alpha, method="wilson")
    return (max(0.0, float(lo)), min(1.0, float(hi)))


def difference_interval(k_a: int, n_a: int, k_b: int, n_b: int, alpha: float = 0.05) -> tuple[float, float]:
    """Newcombe's hybrid score interval (from Wilson intervals) for p_b - p_a."""
    if n_a <= 0 or n_b <= 0:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import confint_proportions_2indep

    lo, hi = confint_proportions_2indep(int(k_b), int(n_b), int(k_a), int(n_a), method="newcomb",
                                        compare="diff", alpha=alpha)
    return (float(lo), float(hi))


def proportion_test(k_a: int, n_a: int, k_b: int, n_b: int, fisher_below: float = 5) -> tuple[str, float]:
    """Two-sided test of p_a == p_b: ('z', p) or ('Fisher', p).

    The pooled two-proportion z-test, unless an expected cell count of the 2x2 table
    is below `fisher_below`; then Fisher's exact test.
    """
    if n_a <= 0 or n_b <= 0:
        return ("–", math.nan)
    table = np.array([[k_a, n_a - k_a], [k_b, n_b - k_b]], dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if expected.min() < fisher_below:
        from scipy.stats import fisher_exact

        return ("Fisher", float(fisher_exact(table.astype(int), alternative="two-sided")[1]))
    from statsmodels.stats.proportion import proportions_ztest

    _, p = proportions_ztest([int(k_a), int(k_b)], [int(n_a), int(n_b)])
    return ("z", float(p))


def adjust_pvalues(pvalues: Sequence[float], method: str) -> np.ndarray:
    """P-values corrected for multiple testing (`holm` or `fdr_bh`); NaN stays NaN."""
    if method not in CORRECTIONS:
        raise SamenspelError(f"onbekende correctie '{method}'", hint=f"kies uit: {', '.join(CORRECTIONS)}")
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        from statsmodels.stats.multitest import multipletests

        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def verdict(diff: float, lo: float, hi: float, p_adjusted: float, alpha: float, relevant_pp: float) -> str:
    """Plain Dutch: what the comparison shows, never more than the corrected test allows."""
    if math.isnan(p_adjusted):
        return "niet te toetsen (geen antwoorden in een van de golven)"
    relevant = relevant_pp / 100
    if p_adjusted < alpha:
        word = "toegenomen" if diff > 0 else "afgenomen"
        if abs(diff) < relevant:
            return f"significant {word}, maar klein (minder dan {number(relevant_pp, 0)} procentpunt)"
        return f"significant {word}"
    if -relevant < lo and hi < relevant:
        return "geen aantoonbaar verschil (te klein om iets te betekenen)"
    return "geen aantoonbaar verschil (te weinig gegevens om een verschil van betekenis uit te sluiten)"


def too_few(n_a: int, n_b: int, waves: tuple[str, str], minimum: int) -> str | None:
    """Why two waves cannot be tested against each other, in words; None when they can."""
    short = [(w, n) for w, n in zip(waves, (n_a, n_b)) if n < minimum]
    if not short:
        return None
    return "; ".join(f"golf {w}: {'geen respondenten' if n == 0 else plural(n, 'respondent', 'respondenten')}"
                     for w, n in short) + f", minimaal {minimum}"


def compare(items: list[dict[str, Any]], cfg: ReportConfig, waves: tuple[str, str] = ("a", "b")) -> pd.DataFrame:
    """Test every item (k_a/n_a vs k_b/n_b) and correct the family for multiple testing.

    An item whose n_a or n_b is below `cfg.min_respondents` is not tested: it keeps its
    shares (for information) but gets no difference, interval, p-value or claim, and its
    verdict says why. It does not count towards the correction either.
    """
    rows = []
    for it in items:
        k_a, n_a, k_b, n_b = it["k_a"], it["n_a"], it["k_b"], it["n_b"]
        share_a = k_a / n_a if n_a else math.nan
        share_b = k_b / n_b if n_b else math.nan
        reason = too_few(n_a, n_b, waves, cfg.min_respondents)
        if reason is None:
            test, p = proportion_test(k_a, n_a, k_b, n_b, cfg.fisher_below)
            lo, hi = difference_interval(k_a, n_a, k_b, n_b, cfg.alpha)
            diff = share_b - share_a
        else:
            test, p, lo, hi, diff = "–", math.nan, math.nan, math.nan, math.nan
        rows.append({**it, "share_a": share_a, "share_b": share_b, "diff": diff,
                     "lo": lo, "hi": hi, "test": test, "p": p, "tested": reason is None, "reason": reason})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["p_adj"] = adjust_pvalues(out["p"].to_numpy(), cfg.correction)
    out["significant"] = out["tested"] & (out["p_adj"] < cfg.alpha)
    out["verdict"] = [verdict(d, lo, hi, p, cfg.alpha, cfg.relevant_difference_pp) if reason is None
                      else f"niet te toetsen ({reason})"
                      for d, lo, hi, p, reason in zip(out["diff"], out["lo"], out["hi"], out["p_adj"], out["reason"])]
    return out
