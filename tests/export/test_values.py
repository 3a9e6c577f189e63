"""`pipeline.export.values`: empty and list cells as pandas reads them from Parquet."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.export.values import as_list, is_missing


def test_is_missing():
    assert all(is_missing(v) for v in (None, pd.NA, float("nan"), np.float64("nan")))
    assert not any(is_missing(v) for v in ("", 0, 0.0, "nan", [], np.array([])))


def test_as_list():
    assert as_list(np.array(["NAAM", "TELEFOON"], dtype=object)) == ["NAAM", "TELEFOON"]
    assert as_list(None) == [] and as_list(float("nan")) == [] and as_list(np.array([])) == []
    assert as_list([1, "a"]) == ["1", "a"]
