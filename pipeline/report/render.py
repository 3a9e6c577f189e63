"""The report as one HTML page: the Jinja template `templates/report.html.j2` filled
with the sections' context, with the Dutch number formats as filters.

Autoescaped and strict: a missing key in the context is an error, not an empty cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.dutch import number, pct
from pipeline.report.formats import pct_ci, plural, pp, pvalue

TEMPLATES = Path(__file__).parents[1] / "templates"
#: The sections of the page in order: (anchor, heading), also the table of contents.


SECTIONS = [("corpus", "Corpusoverzicht"), ("orientaties", "Oriëntaties"), ("uitdagingen", "Uitdagingen (thema's)"),
            ("golfvergelijking", "Golfvergelijking"), ("onderwerpen", "Onderwerpen"), ("documentscan", "Documentscan"),
            ("per-code", "Per code"), ("verantwoording", "Verantwoording")]


def environment():
    """The Jinja environment of the report: its templates, autoescaped and strict, with the number filters."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(pct=pct, pp=pp, pvalue=pvalue, num=number, pct_ci=pct_ci, plural=plural)
    return env


def render(context: dict[str, Any]) -> str:
    """The page for `context` (the sections' parts, the settings and the codebook)."""
    return environment().get_template("report.html.j2").render(**context)
