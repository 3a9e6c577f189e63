"""The sections of the report on shares: orientations, themes (each per wave and per
group), topics, the strongest evidence per code and the classifier's quality.

Each `*_section` returns the part of the template context it fills, and saves its
charts with the `ChartWriter` it is given. The corpus overview and the wave comparison
have modules of their own (`corpus`, `comparison`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.codebook import Code, Codebook
from pipeline.report.charts import chart_heatmap, chart_orientations, chart_quadrant, chart_themes, chart_topics
from pipeline.report.config import ReportConfig
from pipeline.report.figures import ChartWriter, href
from pipeline.report.tables import (UNKNOWN, and_documents, distribution, evidence, nested, prevalence, series_base,
                                    topic_tables, units)
from pipeline.report.text import file_name, location, truncate


def _group_column(group: str) -> str:
    return group if group.startswith("meta_") else f"meta_{group}"


def _group_label(group: str) -> str:
    return group.removeprefix("meta_").replace("_", " ")


def group_sections(df: pd.DataFrame, base: pd.DataFrame, codes: list[Code], cfg: ReportConfig, charts: ChartWriter,
                   title: str, prefix: str) -> list[dict[str, Any]]:
    """Per metadata group (organisation type, function, ...): shares with CI, table and heatmap."""
    out = []
    for group in cfg.groups:
        col, label = _group_column(group), _group_label(group)
        if col not in df.columns:
            out.append({"label": label, "missing": True})
            continue
        # Largest groups first, ties by name.
        classes = list(base[col].fillna(UNKNOWN).astype(str).value_counts().sort_index()
                       .sort_values(ascending=False, kind="mergesort").index)
        prev = prevalence(base, [c.id for c in codes], col, cfg.alpha, classes)
        chart = None
        if classes and codes:
            chart = charts.save(chart_heatmap(prev, codes, classes, cfg.min_group_size,
                                              f"{title} per {label} (alle golven)"),
                                f"{prefix}_per_{label.replace(' ', '_')}", f"{title} per {label}")
        out.append({"label": label, "missing": False, "classes": classes, "table": nested(prev), "chart": chart})
    return out


def _series_shares(base: pd.DataFrame, docs: pd.DataFrame, codes: list[Code], series: list[tuple[str, str]],
                   alpha: float) -> pd.DataFrame:
    """Shares of each code per series: per wave among the answers in `base`, and among the document paragraphs."""
    return prevalence(series_base(base, docs), [c.id for c in codes], "series", alpha, [k for k, _ in series])


def _bases(codes: list[Code], questions: list[str], base: pd.DataFrame, docs: pd.DataFrame,
           series: list[tuple[str, str]]) -> dict[str, Any]:
    """What the orientation and theme sections say about their shares: codes, questions and denominators."""
    return {"codes": codes, "questions": questions, "n": len(base), "n_documents": len(docs),
            "series": [{"key": k, "label": lbl} for k, lbl in series]}


def orientation_section(df: pd.DataFrame, base: pd.DataFrame, docs: pd.DataFrame, orient: list[Code],
                        raw_axes: dict[str, dict[str, str]], series: list[tuple[str, str]], cfg: ReportConfig,
                        charts: ChartWriter, colours: dict[str, str]) -> tuple[dict[str, Any], pd.DataFrame]:
    prev = (distribution(_series_shares(base, docs, orient, series, cfg.alpha))
            if orient else pd.DataFrame(columns=["class", "code", "n", "k", "share", "lo", "hi", "dist"]))
    section: dict[str, Any] = {**_bases(orient, cfg.orientation_questions, base, docs, series),
                               "axis_text": raw_axes, "quadrant": None, "bars": None, "table": {}}
    if orient and series:
        # The axes in codebook order (richten before inrichten/verrichten, binnen before buiten).
        axes = {a: list(raw_axes.get(a, {})) or list(dict.fromkeys(c.axes.get(a) for c in orient))
                for a in ("niveau", "focus")}
        two_by_two = (len(axes["niveau"]) == 2 and len(axes["focus"]) == 2
                      and all(c.axes.get("niveau") in axes["niveau"] and c.axes.get("focus") in axes["focus"]
                              for c in orient))
        if two_by_two:
            section["quadrant"] = charts.save(chart_quadrant(orient, axes, prev, series, cfg.reference, colours),
                                              "orientaties_2x2",
                                              "De vier oriëntaties in het twee-bij-twee-figuur van het artikel")
        section["bars"] = charts.save(chart_orientations(prev, prev, orient, series, cfg.reference, colours),
                                      "orientaties_per_golf", "Oriëntaties per golf" + and_documents(series))
        section["table"] = nested(prev)
    section["groups"] = (group_sections(df, base, orient, cfg, charts, "Oriëntaties", "orientaties")
                         if len(base) else [])
    return section, prev


def theme_section(df: pd.DataFrame, base: pd.DataFrame, docs: pd.DataFrame, themes: list[Code],
                  series: list[tuple[str, str]], cfg: ReportConfig, charts: ChartWriter,
                  colours: dict[str, str]) -> tuple[dict[str, Any], pd.DataFrame]:
    prev = _series_shares(base, docs, themes, series, cfg.alpha)
    section: dict[str, Any] = {**_bases(themes, cfg.theme_questions, base, docs, series),
                               "table": nested(prev), "chart": None}
    if themes and series:
        section["chart"] = charts.save(chart_themes(prev, themes, series, colours), "themas_per_golf",
                                       "Thema's per golf" + and_documents(series))
    section["groups"] = group_sections(df, base, themes, cfg, charts, "Thema's", "themas") if len(base) else []
    return section, prev


def topic_section(tf: pd.DataFrame | None, wave_labels: list[str], topics_dir: Path,
                  out_html: Path, charts: ChartWriter, colours: dict[str, str]) -> dict[str, Any]:
    corpora = topic_tables(tf, wave_labels) if tf is not None else []
    for corpus in corpora:
        corpus["href"] = href(Path(topics_dir) / f"{corpus['name']}.html", out_html)
        corpus["chart"] = (charts.save(chart_topics(corpus, colours), f"onderwerpen_{corpus['name']}",
                                       f"Onderwerpen in {corpus['name']}") if corpus["n_topics"] else None)
    return {"present": tf is not None, "corpora": corpora,
            "index_href": href(Path(topics_dir) / "index.html", out_html)}


def per_code_section(df: pd.DataFrame, codebook: Codebook, cfg: ReportConfig) -> list[dict[str, Any]]:
    answers = units(df[df["classified"].astype(bool)])  # per answer and paragraph, as the accounting counts
    out = []
    for c in codebook.codes:
        rows = [{"quote": truncate(r["text"], cfg.quote_chars), "file": file_name(r["source"]), "where": location(r),
                 "p": float(r[f"p_{c.id}"]), "kind": r["kind"]}
                for _, r in evidence(df, c.id, cfg.evidence_per_code).iterrows()]
        out.append({"code": c, "rows": rows,
                    "n_survey": int(answers.loc[answers["kind"] == "survey", c.id].sum()),
                    "n_document": int(answers.loc[answers["kind"] == "document", c.id].sum())})
    return out


def quality_section(evaluation: dict[str, Any], codebook: Codebook) -> dict[str, Any]:
    """Classifier quality per code (keys of metrics/evaluate.json): on the held-out
    annotations in the project's own register, and on real text (`realdev.`)."""
    rows = []
    for c in codebook.codes:
        key = f"heldout.classifier.{c.id}"
        real = f"realdev.adjudicated.{c.id}"
        if f"{key}.f1" in evaluation:
            rows.append({"code": c, "precision": evaluation.get(f"{key}.precision"),
                         "recall": evaluation.get(f"{key}.recall"), "f1": evaluation.get(f"{key}.f1"),
                         "real_precision": evaluation.get(f"{real}.precision"),
                         "real_recall": evaluation.get(f"{real}.recall"), "real_f1": evaluation.get(f"{real}.f1")})
    real = None
    if "realdev.passages" in evaluation:
        real = {k: evaluation.get(f"realdev.{k}") for k in (
            "passages", "coded_passages", "current", "offdomain.passages", "offdomain.rate",
            "adjudicated.passage.precision", "adjudicated.passage.recall", "adjudicated.micro.precision",
            "adjudicated.micro.recall", "adjudicated.micro.f1", "kappa.passage")}
    return {"rows": rows, "heldout": evaluation.get("heldout_passages"),
            "macro_f1": evaluation.get("heldout.classifier.macro.f1"), "real": real}
