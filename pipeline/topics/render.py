"""Dutch summaries of the topics per corpus, in Markdown and HTML, and an index of the corpora.

The text lives in Jinja templates in pipeline/templates (`topics_*.j2`, CSS in
`topics.css`), as the report's does. The HTML pages carry their CSS inline and no
scripts, so they open offline. Numbers follow pipeline.dutch: shares as "12,3 %",
other figures with a decimal comma and a plain hyphen for a minus.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import dutch
from pipeline.topics.result import CorpusResult, TopicInfo

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DIMENSION_NAMES = {"wave": "golf", "question_id": "vraag", "source": "bron", "code": "code"}


def _dim_name(dim: str) -> str:
    return DIMENSION_NAMES.get(dim, dim.removeprefix("meta_"))


def _mode_note(m: dict[str, Any]) -> str:
    """What an incremental run means for the reader; empty after a fit."""
    if m.get("mode") != "incremental":
        return ""
    return (f"Incrementele run: het model van een eerdere fit op {m['fitted_on']} unieke passages heeft "
            f"{m['transformed']} nieuwe passages ingedeeld; de andere houden hun onderwerp. Onderwerpnummers en "
            f"-woorden zijn die van de fit, dus vergelijkbaar tussen golven; een volledige nieuwe fit kan anders "
            f"uitvallen." + (" De vergelijking met de standaardinstellingen komt uit die fit." if "defaults_npmi" in m
                             else ""))


@dataclass
class Summary:
    """Everything a corpus summary shows, independent of the output format."""

    result: CorpusResult
    backend: str
    shares: pd.DataFrame
    codes: dict[int, list[dict[str, Any]]]
    code_names: dict[str, str]

    def __post_init__(self) -> None:
        # Grouped once: the summaries ask for every topic, twice (markdown and html).
        classes = self.shares[self.shares["dimension"] != "code"]
        self._dimensions = list(dict.fromkeys(classes["dimension"]))
        self._per_topic = {topic: part for topic, part in classes.groupby("topic", sort=False)}

    def class_shares(self, topic: int) -> list[tuple[str, list[tuple[str, int, float]]]]:
        s = self._per_topic.get(topic)
        if s is None:
            return []
        out = []
        for dim in self._dimensions:
            part = s[s["dimension"] == dim]
            out.append((_dim_name(dim), [(c, int(n), float(x)) for c, n, x in zip(part["class"], part["n"], part["share"])]))
        return [(d, v) for d, v in out if v]

    def quotes(self, info: TopicInfo) -> list[tuple[str, str]]:
        """(passage_id, text on one line) of a topic's representative passages."""
        frame = self.result.frame
        return [(str(frame.at[row, "passage_id"]), " ".join(str(frame.at[row, "text"]).split()))
                for row in info.representatives]

    def code_name(self, code: str) -> str:
        return self.code_names.get(code, code)

    @property
    def without_topic(self) -> int:
        return int((self.result.frame["topic"] == -1).sum())


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    # No autoescape: the HTML templates escape with html.escape (filter `html`), as the
    # summaries always did; Jinja's own escaping writes quotes differently (&#34; for &quot;).
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(
        pct=lambda x: dutch.pct(x, 1, space=True),
        num=lambda x, digits=3: dutch.number(x, digits, minus="-"),
        html=html.escape,
        bar_width=lambda share: max(1, round(share * 120)),  # pixels of a share's bar
    )
    return env


def _render_summary(template: str, s: Summary) -> str:
    m = s.result.metrics
    return _environment().get_template(template).render(s=s, r=s.result, m=m, note=_mode_note(m))


def render_markdown(s: Summary) -> str:
    return _render_summary("topics_corpus.md.j2", s)


def render_html(s: Summary) -> str:
    return _render_summary("topics_corpus.html.j2", s)


def render_index(results: list[CorpusResult], backend: str) -> tuple[str, str]:
    """The index of all corpora as (Markdown, HTML)."""
    env = _environment()
    md, page = (env.get_template(f"topics_index.{kind}.j2").render(results=results, backend=backend)
                for kind in ("md", "html"))
    return md, page
