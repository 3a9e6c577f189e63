"""pipeline/report/plotdata.py: the CSV behind the main charts."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.report.inputs import N_RESP


def test_orientation_shares_per_wave_in_plot_data(report):
    data = pd.read_csv(report["plots"] / "orientaties_per_golf.csv", dtype={"golf": str})
    assert {"golf", "orientatie", "aandeel"} <= set(data.columns)
    row = data[(data["golf"] == "2016") & (data["orientatie"] == "procesmanager")].iloc[0]
    assert row["aandeel"] == pytest.approx(30 / N_RESP, abs=1e-4)
    per_wave = data.groupby("golf")["aandeel_orientaties"].sum()
    assert list(per_wave.index) == ["2016", "2026", "documenten"]  # the coded document paragraphs next to the waves
    assert per_wave.to_numpy() == pytest.approx([1.0, 1.0, 1.0], abs=1e-3)
