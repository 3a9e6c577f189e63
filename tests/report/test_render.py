"""pipeline/report/render.py: the page's template environment."""

from __future__ import annotations

import jinja2
import pytest

from pipeline.report.render import SECTIONS, TEMPLATES, environment


def test_the_template_filters_write_numbers_the_dutch_way():
    page = environment().from_string(
        "{{ s|pct }} {{ s|pct(1) }} {{ x|num(2) }} {{ d|pp }} {{ p|pvalue }} {{ s|pct_ci(lo, hi) }} {{ n|plural('golf', 'golven') }}")
    assert page.render(s=0.2845, x=-1.5, d=0.1, p=0.0004, lo=0.2, hi=0.35, n=2) == (
        "28% 28,4% −1,50 +10,0 pp &lt; 0,001 28% (20–35%) 2 golven")  # escaped, as all text


def test_strict_and_escaped():
    env = environment()
    assert env.from_string("{{ t }}").render(t="<b>") == "&lt;b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_every_section_of_the_contents_has_its_anchor_in_the_template():
    template = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
    assert len({anchor for anchor, _ in SECTIONS}) == len(SECTIONS)
    for anchor, _ in SECTIONS:
        assert f'<section id="{anchor}">' in template, anchor
