"""Cells of the classified table as pandas hands them over: missing values and list cells."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def as_list(value: Any) -> list[str]:
    """A list cell (an array from Parquet) as strings; a missing cell as no items."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(v) for v in value]


def is_missing(value: Any) -> bool:
    """None, pandas' NA or NaN: what an empty cell reads as, depending on the column's type."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
