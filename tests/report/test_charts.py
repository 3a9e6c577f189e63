"""pipeline/report/charts.py: what the charts show."""

from __future__ import annotations

import html

import pandas as pd

from tests.report.inputs import CODEBOOK, section_of, svg_of


def test_two_by_two_figure_has_the_article_axes_and_roles(page):
    svg = svg_of(page, "orientaties_2x2")
    for label in ("Richten", "Inrichten/verrichten", "Binnen", "Buiten", "De alliantiemanager", "strateeg",
                  "netwerker", "organisatieontwikkelaar", "procesmanager", "artikel 2016", "2016", "2026"):
        assert label in svg, label
    # Article figures are shown, labelled as reference from another instrument.
    assert "28%" in svg and "36%" in svg and "22%" in svg and "14%" in svg
    assert "ander meetinstrument" in page


def test_forest_chart_keeps_significant_and_largest_differences_in_order():
    from pipeline.report.charts import largest_differences

    comp = pd.DataFrame({"item": list("abcdef"), "diff": [0.01, -0.30, 0.05, 0.20, -0.02, float("nan")],
                         "significant": [False, False, True, False, False, False]})
    assert list(largest_differences(comp, 3)["item"]) == ["b", "c", "d"]  # c first (significant), then b, d
    assert list(largest_differences(comp, 10)["item"]) == list("abcdef")


def test_codes_have_one_short_name_everywhere(page, tmp_path):
    from pipeline.codebook import load_codebook

    shorts = {c.id: c.short for c in load_codebook(CODEBOOK).codes}
    assert shorts["strateeg"] == "Strateeg" and shorts["schijnsamenwerking"] == "Schijnsamenwerking voorkomen"
    for chart in ("orientaties_per_organisatietype", "documenten_codes", "golfvergelijking", "themas_per_golf"):
        svg = svg_of(page, chart)
        assert "alliantiemanager" not in svg, chart
        assert "Strateeg" in svg or "Belangen bespreekbaar maken" in svg, chart
    assert 'rotate(-30' in svg_of(page, "documenten_codes")  # slanted: long names do not run together
    comparison = section_of(html.unescape(page), "golfvergelijking")
    assert "<tr><td>Strateeg</td>" in comparison and "<tr><td>strateeg</td>" not in comparison
    # A codebook can name its own short names.
    book = tmp_path / "codebook.yaml"
    book.write_text(CODEBOOK.read_text(encoding="utf-8").replace(
        "naam: Schijnsamenwerking voorkomen", "naam: Schijnsamenwerking voorkomen\n    kort: Schijn"), encoding="utf-8")
    assert load_codebook(book)["schijnsamenwerking"].short == "Schijn"
