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
