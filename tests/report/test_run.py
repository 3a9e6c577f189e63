"""pipeline/report/__init__.py: the stage `run`, end to end."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from pipeline.files import write_table
from pipeline.schema import NLP
from tests.report.inputs import CODEBOOK, REPORT_PARAMS, SECTIONS, run_report, write_inputs


def test_report_has_every_section_and_one_summary_line(report, page):
    text = html.unescape(page)
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in text, title
        assert f">{title}</a>" in text  # table of contents
    assert len(report["messages"]) == 1 and report["messages"][0].startswith("report:")


def test_report_is_self_contained(page):
    remote = re.findall(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", page, flags=re.I)
    assert remote == []
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", page)
    # Only local links: anchors, the figures and the topic summaries next to the report,
    # and images that matplotlib embeds as data URIs.
    for href in re.findall(r'href="([^"]+)"', page):
        assert href.startswith(("#", "figures/", "topics/", "data:image/png;base64,")), href[:40]


def test_same_input_gives_the_same_bytes(report, tmp_path):
    again = run_report(tmp_path)
    assert again["html"].read_bytes() == report["html"].read_bytes()
    for f in sorted(report["figures"].iterdir()):
        assert (again["figures"] / f.name).read_bytes() == f.read_bytes(), f.name
    for f in sorted(report["plots"].iterdir()):
        assert (again["plots"] / f.name).read_bytes() == f.read_bytes(), f.name


def test_without_topics_the_section_says_so(tmp_path):
    result = run_report(tmp_path, topics=False)
    page = result["html"].read_text(encoding="utf-8")
    assert "Nog geen onderwerpen" in page
    assert result["metrics"]["topic_corpora"] == 0


def test_unknown_wave_to_compare_is_a_user_error(tmp_path):
    params = {**REPORT_PARAMS, "compare_waves": ["2016", "2030"]}
    with pytest.raises(SamenspelError, match="onbekende golf"):
        run_report(tmp_path, params=params)


def test_one_wave_only_says_comparison_is_impossible(tmp_path):
    result = run_report(tmp_path, topics=False, waves=["2026"])
    page = result["html"].read_text(encoding="utf-8")
    assert "is maar één golf" in page and "compared" not in result["metrics"]


def test_methods_name_the_nlp_backend(tmp_path):
    from pipeline.report import ReportConfig, run

    inputs = write_inputs(tmp_path / "in")
    ids = pd.read_parquet(inputs["classified"], columns=["passage_id"])["passage_id"]
    label = "fallback:blank-nl+sentencizer+simplemma (spacy-3.8.18+simplemma-2.0.0)"
    empty = [[] for _ in ids]
    # A whole nlp.parquet: the report reads it with its schema (NLP).
    nlp = pd.DataFrame({"passage_id": ids, "tokens": empty, "lemmas": empty, "content_lemmas": empty,
                        "n_sentences": 1, "entities": empty, "lang": "nl", "backend": label})
    write_table(tmp_path / "nlp.parquet", nlp, NLP)
    out = tmp_path / "reports"
    run(inputs["classified"], inputs["accounting"], CODEBOOK, inputs["topics"], out / "topics", out / "index.html",
        out / "figures", out / "plots", tmp_path / "report.json", ReportConfig.from_params(REPORT_PARAMS),
        nlp_path=tmp_path / "nlp.parquet", say=lambda msg, warn=False: None)
    page = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    methods = page[page.index('<section id="verantwoording">'):]
    assert f"<code>{label}</code>" in methods and "offline fallback" in methods
