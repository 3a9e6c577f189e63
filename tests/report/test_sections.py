"""pipeline/report/sections.py: orientations, themes, topics and the evidence per code."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.codebook import load_codebook
from tests.report.inputs import CODEBOOK, N_RESP, build_documents, build_waves, run_on, section_of, svg_of


def test_themes_have_counts_and_wilson_intervals(report, page):
    from pipeline.report.stats import wilson_interval

    data = pd.read_csv(report["plots"] / "themas_per_golf.csv", dtype={"golf": str})
    row = data[(data["golf"] == "2016") & (data["thema"] == "belangen")].iloc[0]
    assert (row["k"], row["n"]) == (50, N_RESP - 1)  # the filler answer is not in the base
    lo, hi = wilson_interval(50, N_RESP - 1)
    assert (row["ci_laag"], row["ci_hoog"]) == pytest.approx((lo, hi), abs=1e-4)
    assert '63% (52–73%)<br><span class="note-small">50/79</span>' in page


def test_per_code_shows_strongest_evidence_with_source(page):
    part = page[page.index('<section id="per-code">'):page.index('<section id="verantwoording">')]
    assert part.count('<h3 id="code-') == len(load_codebook(CODEBOOK).codes)
    assert "enquete_2016.csv" in part and "respondent R16-" in part and "kans" in part


def test_documents_alone_get_the_two_by_two_figure_and_theme_shares(tmp_path):
    paragraphs = [["strateeg", "regie"]] * 6 + [["netwerker"]] * 3 + [["procesmanager", "belangen"]] + [[]] * 10
    df, files = build_documents({"documents/regeling.md": paragraphs})
    result = run_on(tmp_path, df, {"stage": "ingest", "totals": {"passages": len(df)}, "files": files,
                                   "ignored": []})
    page = result["page"]
    assert "Geen oriëntaties te tonen" not in page and "Geen thema's te tonen" not in page
    svg = svg_of(page, "orientaties_2x2")
    assert "documenten" in svg and "60%" in svg  # strateeg: 6 of the 10 orientation codes given
    orient = section_of(page, "orientaties")
    assert '30% (15–52%)<br><span class="note-small">6/20</span>' in orient
    assert "de gecodeerde alinea's van de documenten (20 alinea's)" in orient
    themes = section_of(page, "uitdagingen")
    assert 'data-chart="themas_per_golf"' in themes and '<span class="note-small">6/20</span>' in themes  # regie
    data = pd.read_csv(result["out"] / "plots" / "orientaties_per_golf.csv")
    assert set(data["golf"]) == {"documenten"}


def test_any_survey_question_counts_by_default(tmp_path):
    # Question ids of a real export, none of them the example's 'rol' or 'uitdaging'.
    answers = {"pre1": [(f"R{i}", "suggestion", ["netwerker"] if i % 2 else ["strateeg"]) for i in range(25)]
               + [(f"R{i}", "extraQuestions_vraag1", ["belangen"] if i < 5 else []) for i in range(25)],
               "pre2": [(f"N{i}", "suggestion", ["netwerker"]) for i in range(25)]}
    df, acc = build_waves(answers)
    docs, files = build_documents({"documents/convenant.md": [["organisatieontwikkelaar"], ["schijnsamenwerking"]]})
    acc["files"] += files
    acc["totals"]["passages"] += len(docs)
    result = run_on(tmp_path, pd.concat([df, docs], ignore_index=True), acc)  # [] = all open questions
    page = result["page"]
    orient = section_of(page, "orientaties")
    assert "alle open vragen (75 antwoorden)" in orient
    svg = svg_of(page, "orientaties_2x2")
    assert "pre1" in svg and "pre2" in svg and "documenten" in svg
    # belangen among pre1's answers to both questions
    assert '10% (4–21%)<br><span class="note-small">5/50</span>' in section_of(page, "uitdagingen")
    assert not [m for m in result["messages"] if "komt in geen enkele golf voor" in m]
