"""pipeline/report/corpus.py: the corpus overview and its reconciliation with the ingest accounting."""

from __future__ import annotations

import html
import re

from tests.report.inputs import build_documents, build_waves, run_on, section_of


def test_lead_counts_in_dutch_plural_forms(page, tmp_path):
    lead = html.unescape(re.search(r'<p class="lead">(.*?)</p>', page, flags=re.S).group(1))
    assert "318 enquêteantwoorden uit 2 golven en 6 alinea's uit 2 regionale documenten" in lead
    assert "golfven" not in page
    df, files = build_documents({"documents/convenant.md": [["regie"]]})
    one = run_on(tmp_path, df, {"stage": "ingest", "totals": {"passages": 1}, "files": files, "ignored": []})
    lead = re.search(r'<p class="lead">(.*?)</p>', one["page"], flags=re.S).group(1)
    assert "pipeline: 1 alinea uit 1 regionaal document, automatisch" in lead  # and no "0 golfven"


def test_corpus_overview_has_waves_accounting_and_languages(page):
    part = html.unescape(page[page.index('<section id="corpus">'):page.index('<section id="orientaties">')])
    assert "2016-05-15" in part and "2026-04-15" in part
    assert "documents/03_kapot.pdf" in part and "PDF is versleuteld" in part  # skipped file with reason
    assert "surveys/README.md" in part  # ignored
    assert "1 passage" in part and "en: 1" in part  # not Dutch according to the language flag


def test_headline_counts_real_answers_and_reconcile_with_the_accounting(tmp_path):
    # 30 respondents, two questions; 'v1' is NA for 25 of them; one long answer split in two passages.
    answers = [(f"R{i}", "v0", ["regie"] if i < 6 else []) for i in range(30)]
    answers += [(f"R{i}", "v1", ["regie"] if i == 0 else ([] if i < 5 else None)) for i in range(30)]
    df, acc = build_waves({"enkel": answers}, chunked={"enkel/R0/v1"})
    assert len(df) == 61  # 60 cells, one of them in two passages
    result = run_on(tmp_path, df, acc)
    page = result["page"]
    lead = re.search(r'<p class="lead">(.*?)</p>', page, flags=re.S).group(1)
    assert "35 enquêteantwoorden uit 1 golf," in lead  # 30 + 5 answers, not 60 cells or 36 passages
    assert "alinea" not in lead  # no documents: not "0 alinea's uit 0 regionale documenten"
    assert acc["files"][0]["non_empty"] == 35
    themes = section_of(page, "uitdagingen")
    assert '<span class="note-small">7/35</span>' in themes  # per answer: the split answer counts once
    per_code = page[page.index('<h3 id="code-regie">'):]
    assert "7 enquêteantwoorden en 0 documentalinea's met deze code" in per_code
    assert not [m for m in result["messages"] if "lopen uiteen" in m]


def test_a_stale_accounting_is_named(tmp_path):
    df, acc = build_waves({"enkel": [(f"R{i}", "v0", []) for i in range(5)]})
    acc["files"][0]["non_empty"] = 7
    result = run_on(tmp_path, df, acc)
    assert any("5 bruikbare antwoorden tegen 7 in de verantwoording" in m for m in result["messages"])


def test_short_or_name_heavy_language_flags_do_not_headline(tmp_path):
    df, files = build_documents({"documents/regeling.md": [["regie"]] * 4})
    texts = {1: "Gedeputeerde Staten van Fryslân, de secretaris",  # short
             2: "Harlingen, Leeuwarden, Sneek, Dokkum, Heerenveen, Drachten, Franeker, Bolsward, Joure, Workum, "
                "Lemmer en Balk",  # names
             3: "The municipalities in the region share one board, but each council keeps its own budget for housing."}
    for n, text in texts.items():
        df.loc[n - 1, ["text", "lang"]] = [text, "fy" if n < 3 else "en"]
    result = run_on(tmp_path, df, {"stage": "ingest", "totals": {"passages": len(df)}, "files": files,
                                   "ignored": []})
    corpus = section_of(result["page"], "corpus")
    assert "1 passage is volgens de taalherkenning niet in het Nederlands (en: 1)" in corpus
    assert "2 korte passages of passages vol namen kregen van de taalherkenning een andere taal dan Nederlands " \
           "(fy: 2)" in corpus


def test_a_language_flag_tells_on_enough_words_that_are_not_names():
    from pipeline.report.corpus import language_flag_is_telling

    english = "The municipalities in the region share one board, but each council keeps its own budget."
    assert language_flag_is_telling(english, 12)
    assert not language_flag_is_telling("Gedeputeerde Staten van Fryslân", 12)  # too short
    assert not language_flag_is_telling(", ".join(["Harlingen", "Leeuwarden", "Sneek", "Dokkum"] * 4), 12)  # names
