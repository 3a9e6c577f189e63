"""The data behind the main charts as CSV, for `dvc plots` (declared in dvc.yaml).

Column names are Dutch (users read them in DVC's plots); floats with four decimals and
Unix line ends, so that the same input gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.files import atomic_path


def write_csv(path: Path, df: pd.DataFrame) -> None:
    with atomic_path(path, suffix=".csv") as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n", float_format="%.4f")


def write_plot_data(plots_dir: Path, o_prev: pd.DataFrame, t_prev: pd.DataFrame,
                    comparison: dict[str, Any]) -> pd.DataFrame:
    """The data behind the main charts, for `dvc plots`; returns the comparison rows."""
    plots_dir.mkdir(parents=True, exist_ok=True)

    def series(prev: pd.DataFrame) -> pd.Series:
        return prev["class"].astype(str) + " · " + prev["code"].astype(str)

    write_csv(plots_dir / "orientaties_per_golf.csv", pd.DataFrame({
        "golf": o_prev["class"], "orientatie": o_prev["code"], "reeks": series(o_prev), "aandeel": o_prev["share"],
        "aandeel_orientaties": o_prev["dist"], "n": o_prev["n"], "k": o_prev["k"], "ci_laag": o_prev["lo"],
        "ci_hoog": o_prev["hi"]}))
    write_csv(plots_dir / "themas_per_golf.csv", pd.DataFrame({
        "golf": t_prev["class"], "thema": t_prev["code"], "reeks": series(t_prev), "aandeel": t_prev["share"],
        "n": t_prev["n"], "k": t_prev["k"], "ci_laag": t_prev["lo"], "ci_hoog": t_prev["hi"]}))
    columns = ["soort", "corpus", "item", "naam", "golf_a", "golf_b", "k_a", "n_a", "k_b", "n_b", "aandeel_a",
               "aandeel_b", "verschil_pp", "ci_laag_pp", "ci_hoog_pp", "toets", "p", "p_gecorrigeerd", "getoetst",
               "significant", "conclusie"]
    rows = []
    if comparison["possible"]:
        tables = [("code", "", comparison["codes"])] + [("onderwerp", t["corpus"], t["table"])
                                                        for t in comparison["topics"] if t["table"] is not None]
        for kind, corpus, table in tables:
            for r in table.to_dict("records"):
                rows.append([kind, corpus, r["item"], r["name"], comparison["a"], comparison["b"], r["k_a"], r["n_a"],
                             r["k_b"], r["n_b"], r["share_a"], r["share_b"], 100 * r["diff"], 100 * r["lo"],
                             100 * r["hi"], r["test"], r["p"], r["p_adj"], bool(r["tested"]), bool(r["significant"]),
                             r["verdict"]])
    out = pd.DataFrame(rows, columns=columns)
    write_csv(plots_dir / "golfvergelijking.csv", out)
    return out
