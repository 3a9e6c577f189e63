"""Section `golfvergelijking`: two survey waves compared, code by code and topic by topic.

Each family (the orientations, the themes, the topics of one corpus) is tested and
corrected for multiple testing on its own; the sentence above each table says only
what its rows bear out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.codebook import Code
from pipeline.report.charts import chart_forest, largest_differences
from pipeline.report.config import ReportConfig
from pipeline.report.figures import ChartWriter
from pipeline.report.stats import compare
from pipeline.report.tables import NO_TOPIC, per_respondent
from pipeline.report.text import shorten


def comparison_summary(rows: pd.DataFrame, singular: str, plural_: str, neuter: bool = False) -> str:
    """One sentence on a comparison table that its rows bear out: how many items were
    tested, how many changed, and how many could not be tested.

    `neuter`: a het-word ('onderwerp'), which takes 'geen enkel' instead of 'geen enkele'.
    """
    none = "geen enkel" if neuter else "geen enkele"
    if rows is None or rows.empty:
        return f"Er zijn geen {plural_} te vergelijken."
    tested = int(rows["tested"].sum())
    n_sig = int(rows["significant"].sum())
    untested = len(rows) - tested
    if tested == 0:
        return (f"{none.capitalize()} {singular} is getoetst: er zijn te weinig respondenten "
                f"({rows['reason'].iloc[0]}).")
    if n_sig == 0:
        if untested == 0:
            text = f"{none.capitalize()} {singular} veranderde aantoonbaar"
        elif tested == 1:
            text = f"De enige getoetste {singular} veranderde niet aantoonbaar"
        else:
            text = f"Van de {tested} getoetste {plural_} veranderde {none} aantoonbaar"
    elif n_sig == 1:
        text = f"Eén {singular} veranderde aantoonbaar" + (f" (van {tested} getoetst)" if untested else "")
    else:
        text = f"{n_sig} {plural_} veranderden aantoonbaar" + (f" (van {tested} getoetst)" if untested else "")
    if untested:
        text += (f"; {untested} {singular if untested == 1 else plural_} "
                 f"{'was' if untested == 1 else 'waren'} niet te toetsen (te weinig respondenten)")
    return text + "."


def _tested(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a comparison that were tested (an empty comparison has no columns)."""
    return table[table["tested"]] if len(table) else table


@dataclass
class Family:
    """Codes compared together, on the answers to some questions (empty: all)."""

    codes: list[Code]
    base: pd.DataFrame
    questions: list[str]


def comparison_section(pair: list[str], df: pd.DataFrame, families: list[Family], corpora: list[dict[str, Any]],
                       tf: pd.DataFrame | None, n_waves: int, cfg: ReportConfig,
                       charts: ChartWriter) -> dict[str, Any]:
    """Codes (one family) and the topics of each corpus spanning both waves (a family each).

    Per respondent: a respondent counts once per code or topic, with it when at least one
    of their answers has it. Only questions both waves asked are compared; a wave with
    fewer respondents than `cfg.min_respondents` is not tested.
    """
    if len(pair) != 2:
        return {"possible": False, "n_waves": n_waves}
    a, b = pair
    survey = df[df["kind"] == "survey"]
    asked = {w: set(survey.loc[survey["wave"] == w, "question_id"].dropna().astype(str)) for w in pair}
    common = sorted(asked[a] & asked[b])
    # Left-out questions worth naming: those a family would have compared.
    wanted = None if any(not f.questions for f in families) else {q for f in families for q in f.questions}
    only = {w: sorted(q for q in asked[w] - asked[a if w == b else b] if wanted is None or q in wanted)
            for w in pair}
    items = []
    for fam in families:
        base = fam.base[fam.base["question_id"].isin(common)]
        ids = [c.id for c in fam.codes]
        n_a, k_a = per_respondent(base, ids, a)
        n_b, k_b = per_respondent(base, ids, b)
        items += [{"item": c.id, "name": c.short, "k_a": k_a[c.id], "n_a": n_a, "k_b": k_b[c.id], "n_b": n_b}
                  for c in fam.codes]
    codes_comp = compare(items, cfg, (a, b))
    compared = pd.concat([f.base for f in families])
    compared = compared[compared["question_id"].isin(common)]
    respondents = {w: int(compared.loc[compared["wave"] == w, "respondent_id"].nunique()) for w in pair}
    section: dict[str, Any] = {"possible": True, "n_waves": n_waves, "a": a, "b": b, "codes": codes_comp,
                               "code_rows": codes_comp.to_dict("records"), "topics": [], "charts": [],
                               "common": common, "only": only, "respondents": respondents,
                               "small": [w for w in pair if respondents[w] < cfg.min_respondents],
                               "summary": comparison_summary(codes_comp, "code", "codes")}
    tested = _tested(codes_comp)
    if len(tested):
        labels = list(tested["name"])
        section["charts"].append(charts.save(
            chart_forest(tested, labels, f"Codes: golf {shorten(b, 24)} vergeleken met golf {shorten(a, 24)}",
                         cfg.relevant_difference_pp),
            "golfvergelijking", f"Golfvergelijking {a}–{b}: codes"))
    for corpus in corpora:
        part = (tf[(tf["corpus"] == corpus["name"]) & (tf["kind"] == "survey") & tf["question_id"].isin(common)]
                if tf is not None else pd.DataFrame(columns=["wave"]))
        cwaves = [w for w in pair if (part["wave"] == w).any()]
        entry: dict[str, Any] = {"corpus": corpus["name"], "waves": cwaves, "table": None, "rows": [],
                                 "chart": None, "chart_note": "", "summary": ""}
        if cwaves == pair:
            n_wave = {w: int(part.loc[part["wave"] == w, "respondent_id"].nunique()) for w in pair}
            with_topic = part.drop_duplicates(["topic", "wave", "respondent_id"]).groupby(["topic", "wave"]).size()
            t_items = [{"item": str(t["topic"]), "name": f"{t['topic']}: {t['label']}",
                        "k_a": int(with_topic.get((t["topic"], a), 0)), "n_a": n_wave[a],
                        "k_b": int(with_topic.get((t["topic"], b), 0)), "n_b": n_wave[b]}
                       for t in corpus["topics"] if t["topic"] != NO_TOPIC]
            table = compare(t_items, cfg, (a, b))
            entry.update(table=table, rows=table.to_dict("records"),
                         summary=comparison_summary(table, "onderwerp", "onderwerpen", neuter=True))
            tested = _tested(table)
            if len(tested):
                shown = largest_differences(tested, cfg.chart_rows)
                entry["chart_note"] = (f"De grafiek toont de {len(shown)} grootste verschillen van {len(tested)} "
                                       "getoetste onderwerpen (significante eerst); de tabel toont ze allemaal."
                                       if len(shown) < len(tested) else "")
                entry["chart"] = charts.save(
                    chart_forest(shown, list(shown["name"]), f"Onderwerpen in {corpus['name']}: golf "
                                 f"{shorten(b, 24)} vergeleken met {shorten(a, 24)}", cfg.relevant_difference_pp),
                    f"golfvergelijking_{corpus['name']}", f"Golfvergelijking {a}–{b}: onderwerpen in {corpus['name']}")
        section["topics"].append(entry)
    return section
