"""The report's own number formats, built on `pipeline.dutch`.

A share with its interval, a difference in percentage points, a p-value and a counted
noun are written only in the report; plain numbers and percentages come from
`pipeline.dutch`, so that the report writes them as every other output does.
"""

from __future__ import annotations

import math

from pipeline.dutch import MISSING, number, pct


def pct_ci(share: float, lo: float, hi: float) -> str:
    """'28% (25–37%)': a share with its confidence interval."""
    if math.isnan(share):
        return MISSING
    return f"{pct(share)} ({number(100 * lo, 0)}–{number(100 * hi, 0)}%)"


def pp(x: float | None, digits: int = 1) -> str:
    """A difference of two shares in percentage points, with its sign: '+10,0 pp', '−6,3 pp'."""
    if x is None or math.isnan(x):
        return MISSING
    sign = "+" if x > 0 else ""
    return f"{sign}{number(100 * x, digits)} pp"


def pvalue(p: float | None) -> str:
    """'0,031', or '< 0,001': smaller p-values are not told apart."""
    if p is None or math.isnan(p):
        return MISSING
    return "< 0,001" if p < 0.001 else number(p, 3)


def plural(n: int, singular: str, plural_: str) -> str:
    """'1 golf', '2 golven', '0 golven': the count with the right Dutch form."""
    return f"{n} {singular if n == 1 else plural_}"
