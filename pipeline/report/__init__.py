"""Stage `report`: one self-contained Dutch HTML report of the whole analysis.

Inputs:  classified passages (`classified.parquet`, schema `CLASSIFIED`), the ingest
         accounting (`reports/accounting/ingest.json`), the codebook, and optionally the
         topic assignments (`topics.parquet`, schema `TOPICS`), the NLP annotation (for
         spaCy's place entities) and the evaluation metrics (classifier quality per code).
Outputs: `reports/index.html` (inline CSS and inline SVG charts: opens offline), every
         chart as PNG and SVG under `reports/figures/`, the data behind the main charts as
         CSV under `reports/plots/` (DVC plots) and flat metrics `metrics/report.json`.
Params:  section `report` of params.yaml.

Sections: corpus overview and ingest accounting; the four orientations in the article's
two-by-two figure (richten vs inrichten/verrichten, binnen vs buiten) per wave and per
group; themes per wave and group with Wilson intervals; the comparison of two waves
(z-test or Fisher's exact test, Holm or Benjamini-Hochberg correction, difference in
percentage points with a Newcombe interval, and a verdict in plain Dutch); topics;
a scan of every regional document (codes with page/paragraph and a quote, places
named); the strongest evidence per code; and a methods section.

Same input, same bytes: no timestamps, fixed SVG hash salt, no SVG/PNG dates, stable
sort orders everywhere.

Modules: `config` (the settings), `load` (the inputs), `tables` and `stats` (counts,
intervals and tests), `documents` (the document scan), `figures` and `charts` (the
charts), `corpus`, `sections` and `comparison` (the sections), `render` (the page) and
`plotdata` (the CSV for DVC plots).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.codebook import load_codebook
from pipeline.errors import SamenspelError
from pipeline.files import write_json, write_text
from pipeline.progress import Say, resolve_say
from pipeline.report.charts import chart_documents
from pipeline.report.comparison import Family, comparison_section
from pipeline.report.config import CORRECTIONS, ReportConfig
from pipeline.report.corpus import corpus_section, reconcile
from pipeline.report.documents import scan_documents
from pipeline.report.figures import DOCUMENT_COLOUR, ChartWriter, wave_colours
from pipeline.report.load import (load_accounting, load_annotation, load_classified, load_evaluation,
                                  load_topics, raw_axes, waves_in_order)
from pipeline.report.plotdata import write_plot_data
from pipeline.report.render import SECTIONS, render
from pipeline.report.sections import (orientation_section, per_code_section, quality_section, theme_section,
                                      topic_section)
from pipeline.report.tables import DOCUMENTS, survey_base, topic_frame, units

__all__ = ["ReportConfig", "run"]

log = logging.getLogger(__name__)


def run(classified_path: Path, accounting_path: Path, codebook_path: Path, topics_path: Path | None,
        topics_dir: Path, out_html: Path, figures_dir: Path, plots_dir: Path, metrics_path: Path,
        cfg: ReportConfig, nlp_path: Path | None = None, evaluation_path: Path | None = None,
        say: Say | None = None) -> dict[str, Any]:
    """Write the report, its figures, the plot data and the report metrics.

    Args:
        classified_path: `classified.parquet` (CLASSIFIED).
        accounting_path: `reports/accounting/ingest.json`.
        codebook_path: the codebook (names, groups, axes of the orientations).
        topics_path: `topics.parquet` (TOPICS), or None; a missing file means no topics yet.
        topics_dir: folder with the topic summaries `<corpus>.html` (linked, not read).
        out_html: the report, e.g. `reports/index.html`.
        figures_dir: PNG and SVG per chart.
        plots_dir: CSV data of the main charts (DVC plots).
        metrics_path: flat metrics JSON.
        cfg: the `report` settings.
        nlp_path: `nlp.parquet`, for GPE/LOC entities when the nlp stage ran with NER.
        evaluation_path: `metrics/evaluate.json`, for the classifier quality per code.
        say: callback for the summary line and warnings.

    Returns:
        The metrics written to `metrics_path`.
    """
    import matplotlib

    say = resolve_say(say, log)
    cfg.validate()
    out_html, figures_dir, plots_dir = Path(out_html), Path(figures_dir), Path(plots_dir)
    codebook = load_codebook(codebook_path)
    df = load_classified(classified_path)
    missing = [c.id for c in codebook.codes if c.id not in df.columns or f"p_{c.id}" not in df.columns]
    if missing:
        raise SamenspelError(f"codes {missing} uit het codeboek staan niet in de gecodeerde passages",
                             path=classified_path, hint="train en classificeer opnieuw (`dvc repro`)")
    accounting = load_accounting(accounting_path)
    topics = load_topics(topics_path, say)
    evaluation = load_evaluation(evaluation_path)
    annotation = load_annotation(nlp_path, cfg.ner)
    entities = annotation.entities

    waves = waves_in_order(df, accounting)
    # Waves with coded answers; a wave in the accounting without any is only listed.
    survey = df[(df["kind"] == "survey")]
    with_data = set(survey.loc[survey["classified"].astype(bool), "wave"].dropna().astype(str))
    wave_labels = [w.label for w in waves if w.label in with_data]
    unknown = [w for w in cfg.compare_waves if w not in wave_labels]
    if unknown:
        raise SamenspelError(f"report.compare_waves noemt golf {', '.join(unknown)}, maar die heeft geen gecodeerde "
                             "antwoorden (onbekende golf)", hint=f"beschikbaar: {', '.join(wave_labels) or 'geen'}")
    for key, questions in (("orientation_questions", cfg.orientation_questions),
                           ("theme_questions", cfg.theme_questions)):
        absent = [q for q in questions if not (survey["question_id"] == q).any()]
        if absent and len(survey):
            say(f"report: report.{key} noemt vraag {', '.join(absent)}, maar die komt in geen enkele golf voor "
                f"(wel: {', '.join(sorted(set(survey['question_id'].dropna())))})", warn=True)

    orient, themes = codebook.group("orientatie"), codebook.group("thema")
    o_base = survey_base(df, cfg.orientation_questions)
    t_base = survey_base(df, cfg.theme_questions)
    d_base = units(df[(df["kind"] == "document") & df["classified"].astype(bool)])
    # Each wave with answers to the questions, then the documents: the columns of the figures and tables.
    series = [(w, f"golf {w}") for w in wave_labels] + ([(DOCUMENTS, "documenten")] if len(d_base) else [])
    colours = {**wave_colours(wave_labels), DOCUMENTS: DOCUMENT_COLOUR}
    charts = ChartWriter(figures_dir, out_html, cfg.figure_dpi)
    ctx: dict[str, Any] = {"cfg": cfg, "codebook": codebook, "waves": [w for w in waves if w.label in with_data],
                           "all_waves": waves, "colours": colours, "corrections": CORRECTIONS, "sections": SECTIONS,
                           "documents_key": DOCUMENTS}
    with matplotlib.rc_context(ChartWriter.rc()):
        ctx["corpus"] = corpus_section(df, accounting, wave_labels, cfg.language_min_words)
        problems = reconcile(df, ctx["corpus"])
        if problems:
            say(f"report: gecodeerde passages en verantwoording lopen uiteen ({'; '.join(problems)}); "
                "draai de pipeline opnieuw vanaf ingest (`dvc repro`)", warn=True)
        o_series, t_series = _with_answers(series, o_base), _with_answers(series, t_base)
        ctx["orientations"], o_prev = orientation_section(df, o_base, d_base, orient, raw_axes(codebook_path),
                                                          o_series, cfg, charts, colours)
        ctx["themes"], t_prev = theme_section(df, t_base, d_base, themes, t_series, cfg, charts, colours)
        tf = topic_frame(topics, df) if topics is not None else None
        ctx["topics"] = topic_section(tf, wave_labels, topics_dir, out_html, charts, colours)
        pair = list(cfg.compare_waves) if cfg.compare_waves else wave_labels[-2:]
        families = [Family(orient, o_base, cfg.orientation_questions), Family(themes, t_base, cfg.theme_questions)]
        ctx["comparison"] = comparison_section(pair, df, families, ctx["topics"]["corpora"], tf, len(wave_labels),
                                               cfg, charts)
        docs = scan_documents(df, codebook, cfg, entities)
        ctx["documents"] = {"docs": docs, "ner": bool(entities),
                            "chart": charts.save(chart_documents(docs, list(codebook.codes)), "documenten_codes",
                                                 "Codes per document") if docs else None}
    ctx["per_code"] = per_code_section(df, codebook, cfg)
    ctx["quality"] = quality_section(evaluation, codebook)
    ctx["nlp_backends"] = annotation.backends
    ctx["nlp_fallback"] = any(b.startswith("fallback") for b in ctx["nlp_backends"])

    write_text(out_html, render(ctx))
    charts.remove_stale()
    comp_rows = write_plot_data(plots_dir, o_prev, t_prev, ctx["comparison"])

    comparison = ctx["comparison"]
    metrics: dict[str, Any] = {"waves": len(wave_labels), "documents": len(docs),
                               "topic_corpora": len(ctx["topics"]["corpora"]), "charts": len(charts.written) // 2,
                               "places_named": sum(len(v) for d in docs for v in d["places"].values())}
    if comparison["possible"]:
        tested = comp_rows["getoetst"].astype(bool) if len(comp_rows) else pd.Series(dtype=bool)
        metrics.update({"compared": f"{comparison['a']}-{comparison['b']}", "correction": cfg.correction,
                        "tests": int(tested.sum()), "untestable": int((~tested).sum()),
                        "significant": int(comp_rows["significant"].sum())})
        for r in comparison["code_rows"]:
            if r["tested"]:  # an untested code has no difference to report
                metrics[f"change_pp.{r['item']}"] = round(100 * float(r["diff"]), 2)
            metrics[f"significant.{r['item']}"] = bool(r["significant"])
        change = (f"golf {comparison['a']}→{comparison['b']}: {metrics['significant']} van {metrics['tests']} "
                  "getoetste verschillen significant"
                  + (f", {metrics['untestable']} niet te toetsen" if metrics["untestable"] else ""))
    else:
        change = "geen golfvergelijking (minder dan twee golven)"
    write_json(metrics_path, metrics)
    say(f"report: {len(df)} passages, {len(wave_labels)} golven ({change}), {len(docs)} documenten, "
        f"{metrics['topic_corpora']} onderwerpcorpora, {metrics['charts']} grafieken → {out_html}")
    return metrics


def _with_answers(series: list[tuple[str, str]], base: pd.DataFrame) -> list[tuple[str, str]]:
    """The series whose wave has answers in `base` (the answers to some questions), and the documents."""
    return [(k, lbl) for k, lbl in series if k == DOCUMENTS or (base["wave"] == k).any()]
