"""Shares per class: of the units in each class (a wave, a group, a topic), how many have a property.

One count for the outputs that show shares: the report's shares of coded answers per
wave and per group (`pipeline.report.tables.prevalence`, which adds Wilson intervals),
export's sheets Codes per golf and Codes per groep (`pipeline.export.tables`) and the
topic shares of `breakdown.csv` (`pipeline.topics.breakdown`).

The caller chooses the unit by the rows it passes: one row per answer, per paragraph or
per respondent (aggregate first, e.g. `groupby(["wave", "respondent_id"])[codes].max()`).
A property is a 0/1 (or boolean) column: a code, or a topic made into indicator columns.
"""

from __future__ import annotations

import math
from typing import Sequence

import pandas as pd

#: The columns of a `shares` table, in order.
COLUMNS = ["class", "column", "n", "k", "share"]


def shares(rows: pd.DataFrame, columns: Sequence[str], by: str | None = None,
           classes: Sequence[str] | None = None, missing: str | None = None,
           overall: str = "alle") -> pd.DataFrame:
    """Per class of `by` and per 0/1 column: the rows in the class, those with the column set, and their share.

    Args:
        rows: one row per unit counted.
        columns: 0/1 or boolean columns of `rows`, e.g. the code columns of CLASSIFIED.
        by: the column whose values (as strings) are the classes; None: all rows are one
            class named `overall`.
        classes: the classes in the order wanted, also ones without rows (n 0, share NaN);
            default: the classes present, sorted.
        missing: the class of rows without a value in `by`; None leaves those rows out.
        overall: the name of the one class when `by` is None.

    Returns:
        One row per class and column (classes in order, columns in the given order) with
        `class`, `column`, `n` (rows in the class), `k` (of them with the column set) and
        `share` (k / n; NaN when n is 0).
    """
    if by is None:
        groups = [(overall, rows)]
    else:
        values = rows[by]
        if missing is None:
            rows, values = rows[values.notna()], values[values.notna()]
        keys = values.fillna(missing).astype(str) if missing is not None else values.astype(str)
        order = list(classes) if classes is not None else sorted(set(keys))
        groups = [(c, rows[keys == c]) for c in order]
    out = []
    for cls, part in groups:
        n = len(part)
        for column in columns:
            k = int(part[column].sum()) if n else 0
            out.append({"class": cls, "column": column, "n": n, "k": k, "share": k / n if n else math.nan})
    return pd.DataFrame(out, columns=COLUMNS)
