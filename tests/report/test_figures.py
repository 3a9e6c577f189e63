"""pipeline/report/figures.py: charts written as PNG, SVG and inline SVG."""

from __future__ import annotations

import re


def test_every_chart_is_written_as_png_and_svg(report, page):
    charts = re.findall(r'<figure class="chart" id="fig-([^"]+)"', page)
    assert {"orientaties_2x2", "orientaties_per_golf", "themas_per_golf", "golfvergelijking",
            "orientaties_per_organisatietype", "themas_per_functie", "documenten_codes",
            "onderwerpen_enquete"} <= set(charts)
    for name in charts:
        png = report["figures"] / f"{name}.png"
        svg = report["figures"] / f"{name}.svg"
        assert png.read_bytes().startswith(b"\x89PNG"), name
        assert "<svg" in svg.read_text(encoding="utf-8"), name
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids must be unique across inline charts"


def test_a_saved_chart_is_inlined_with_its_own_ids_and_linked_relatively(tmp_path):
    import matplotlib

    from pipeline.report.figures import CHART_PREFIXES, ChartWriter, figure

    charts = ChartWriter(tmp_path / "reports" / "figures", tmp_path / "reports" / "index.html", dpi=30)
    with matplotlib.rc_context(ChartWriter.rc()):
        fig = figure(2, 1)
        fig.add_subplot().plot([0, 1], [0, 1])
        chart = charts.save(fig, "themas_test", "Een <test>")
    assert (chart.png_href, chart.svg_href) == ("figures/themas_test.png", "figures/themas_test.svg")
    assert chart.svg.startswith('<svg role="img" aria-label="Een &lt;test&gt;"')
    assert "<?xml" not in chart.svg and "<metadata>" not in chart.svg
    ids = re.findall(r'\bid="([^"]+)"', chart.svg)
    assert ids and all(i.startswith("themas_test-") for i in ids)
    # Only this run's charts stay; other files in the folder are left alone.
    stale, other = charts.figures_dir / "themas_oud.svg", charts.figures_dir / "notities.svg"
    stale.write_text("<svg/>")
    other.write_text("<svg/>")
    assert stale.stem.startswith(CHART_PREFIXES)
    charts.remove_stale()
    assert not stale.exists() and other.exists() and (charts.figures_dir / "themas_test.png").exists()
