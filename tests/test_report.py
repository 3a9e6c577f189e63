"""Tests for the report stage (pipeline/report.py) and the gazetteer (pipeline/places.py).

The inputs are built here: a tiny CLASSIFIED table with two waves, metadata and two
documents (one with pages), a TOPICS table and an ingest accounting JSON.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.codebook import load_codebook
from pipeline.errors import SamenspelError
from pipeline.files import write_table

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "corpora" / "codebook.yaml"

SECTIONS = ["Corpusoverzicht", "Oriëntaties", "Uitdagingen (thema's)", "Golfvergelijking", "Onderwerpen",
            "Documentscan", "Per code", "Verantwoording"]

REPORT_PARAMS = {
    "title": "Testrapport samenspel",
    "compare_waves": [],
    "orientation_questions": ["rol"],
    "theme_questions": ["uitdaging"],
    "groups": ["organisatietype", "functie"],
    "min_group_size": 10,
    "min_respondents": 20,
    "language_min_words": 12,
    "alpha": 0.05,
    "correction": "holm",
    "fisher_below": 5,
    "relevant_difference_pp": 5,
    "evidence_per_code": 3,
    "quote_chars": 120,
    "max_locations": 5,
    "figure_dpi": 60,
    "chart_rows": 25,
    "ner": True,
    "reference": {"label": "artikel 2016", "source": "De Caluwé, Kaats & Dees (2016)",
                  "shares": {"strateeg": 0.28, "netwerker": 0.36, "organisatieontwikkelaar": 0.22,
                             "procesmanager": 0.14}},
}

# Per wave: how many of the 80 respondents' answers carry each code. 'belangen' drops
# sharply (large, significant), 'regie' hardly moves (tiny, not significant).
N_RESP = 80
COUNTS = {
    "2016": {"rol": {"strateeg": 10, "procesmanager": 30, "netwerker": 20, "organisatieontwikkelaar": 16},
             "uitdaging": {"belangen": 50, "schijnsamenwerking": 12, "regie": 15}},
    "2026": {"rol": {"strateeg": 12, "procesmanager": 26, "netwerker": 28, "organisatieontwikkelaar": 14},
             "uitdaging": {"belangen": 8, "schijnsamenwerking": 14, "regie": 16}},
}

DOC_PARAGRAPHS = {
    "documents/01_regio_deal.pdf": [
        (1, "Regio Deal Waalvallei tussen het Rijk, de provincie Gelderland en de gemeenten Tiel en Buren."),
        (1, "De gemeenten moeten bedenken hoe zij de lokale belangen bespreekbaar maken."),
        (2, "Het algemeen bestuur voert de regie; de stuurgroep bewaakt de voortgang."),
        (3, "Buren zijn welkom op de netwerkbijeenkomst in Culemborg."),
    ],
    "documents/02_notitie.docx": [
        (None, "Notitie voor het portefeuillehoudersoverleg over de overlegstructuur."),
        (None, "Er zijn te veel overlegtafels zonder resultaat; dat is schijnsamenwerking."),
    ],
}


@functools.lru_cache(maxsize=1)
def _codebook():
    return load_codebook(CODEBOOK)


def _row(codes, p_hi: float = 0.9):
    book = _codebook()
    out = {}
    for c in book.ids:
        on = c in codes
        out[c] = int(on)
        out[f"p_{c}"] = round(p_hi - 0.001 * len(out) if on else 0.05, 6)
    out["relevance"] = 0.9 if codes else 0.05
    out["codes"] = ";".join(c for c in book.ids if c in codes)
    out["evidence"] = [f"{c}: term" for c in book.ids if c in codes]
    return out


def build_classified() -> pd.DataFrame:
    rows = []
    for wave, questions in COUNTS.items():
        for i in range(N_RESP):
            rid = f"R{wave[2:]}-{i + 1:03d}"
            meta = {"meta_organisatietype": ["gemeente", "gemeente", "provincie", "waterschap"][i % 4],
                    "meta_functie": ["beleidsadviseur", "manager"][i % 2] if i < N_RESP - 3 else "griffier",
                    "meta_regio": "Gelderland"}
            for q, counts in questions.items():
                codes = [c for c, k in counts.items() if i < k]
                status = "filler" if i == N_RESP - 1 and q == "uitdaging" else "ok"
                text = f"Antwoord {i} van {rid} op {q}: " + ", ".join(codes or ["niets bijzonders"]) + "."
                rows.append({"passage_id": f"{wave}/{rid}/{q}", "source": f"surveys/enquete_{wave}.csv",
                             "kind": "survey", "wave": wave, "respondent_id": rid, "question_id": q,
                             "row": i + 2, "page": None, "paragraph": None, "chunk": 0, "section": None,
                             "text": text if status == "ok" else "weet niet", "status": status,
                             "classified": status == "ok", **meta,
                             **_row(codes if status == "ok" else [], 0.6 + 0.004 * i)})
    doc_codes = ["belangen", "regie", "netwerker", "schijnsamenwerking"]
    for source, paras in DOC_PARAGRAPHS.items():
        stem = Path(source).stem
        for n, (page, text) in enumerate(paras, start=1):
            codes = [c for c in doc_codes if c in text.lower() or (c == "netwerker" and "netwerk" in text)
                     or (c == "belangen" and "belangen" in text)]
            rows.append({"passage_id": f"{stem}/{n:04d}", "source": source, "kind": "document", "wave": None,
                         "respondent_id": None, "question_id": None, "row": None, "page": page, "paragraph": n,
                         "chunk": 0, "section": None, "text": text, "status": "ok", "classified": True,
                         "meta_organisatietype": None, "meta_functie": None, "meta_regio": None,
                         **_row(codes, 0.8)})
    df = pd.DataFrame(rows)
    df["lang"] = "nl"
    english = df["passage_id"] == "2026/R26-001/rol"  # flagged by the nlp stage, still coded
    df.loc[english, "lang"] = "en"
    df.loc[english, "text"] = "The province should lead the network of municipalities, but nobody wants to pay for it."
    df["scrubbed"] = df["kind"] == "survey"
    df["pii_types"] = [[] for _ in range(len(df))]
    for col in ("row", "page", "paragraph", "chunk"):
        df[col] = df[col].astype("Int64")
    return df


def build_topics(df: pd.DataFrame) -> pd.DataFrame:
    survey = df[(df["kind"] == "survey") & (df["status"] == "ok")]
    rows = []
    for pid, wave in zip(survey["passage_id"], survey["wave"]):
        n = int(pid.split("-")[1].split("/")[0])
        # Topic 0 is much more common in 2016, topic 1 equally common in both.
        topic = 0 if (wave == "2016" and n <= 50) or (wave == "2026" and n <= 10) else (1 if n % 2 else -1)
        rows.append({"passage_id": pid, "corpus": "enquete", "topic": topic, "probability": 0.7,
                     "label": {0: "belang_gemeente_regio", 1: "overleg_tafel_resultaat", -1: "geen onderwerp"}[topic]})
    for pid in df.loc[df["kind"] == "document", "passage_id"]:
        rows.append({"passage_id": pid, "corpus": "documenten", "topic": 0, "probability": 0.9,
                     "label": "regio_gemeente_bestuur"})
    out = pd.DataFrame(rows)
    out["assigned_by"] = "model"
    return out


def build_accounting() -> dict:
    files = []
    for wave, date in (("2016", "2016-05-15"), ("2026", "2026-04-15")):
        files.append({"file": f"surveys/enquete_{wave}.csv", "kind": "survey", "status": "read", "wave": wave,
                      "date": date, "notes": [], "rows_read": N_RESP, "answers": 2 * N_RESP,
                      "non_empty": 2 * N_RESP - 1, "empty": 0, "na": 0, "filler": 1, "passages": 2 * N_RESP,
                      "questions": {"rol": {"answers": N_RESP, "ok": N_RESP, "empty": 0, "na": 0, "filler": 0,
                                            "column": "rol", "text": "Wat is je rol?"},
                                    "uitdaging": {"answers": N_RESP, "ok": N_RESP - 1, "empty": 0, "na": 0,
                                                  "filler": 1, "column": "uitdaging", "text": "Grootste uitdaging?"}},
                      "rows_rejected": []})
    files.append({"file": "documents/01_regio_deal.pdf", "kind": "document", "status": "read", "paragraphs": 4,
                  "passages": 4, "pages": 3, "notes": []})
    files.append({"file": "documents/02_notitie.docx", "kind": "document", "status": "read", "paragraphs": 2,
                  "passages": 2, "pages": None, "notes": []})
    files.append({"file": "documents/03_kapot.pdf", "kind": "document", "status": "skipped",
                  "reason": "PDF is versleuteld", "hint": "sla het bestand op zonder wachtwoord", "passages": 0})
    return {"stage": "ingest", "totals": {"files_read": 4, "files_skipped": 1, "passages": 326},
            "files": files, "ignored": ["surveys/README.md"]}


def write_inputs(folder: Path, topics: bool = True, waves: list[str] | None = None) -> dict[str, Path]:
    from pipeline.classify import CLASSIFIED

    folder.mkdir(parents=True, exist_ok=True)
    df = build_classified()
    if waves is not None:
        df = df[(df["kind"] == "document") | df["wave"].isin(waves)].reset_index(drop=True)
    paths = {"classified": folder / "classified.parquet", "accounting": folder / "ingest.json",
             "topics": folder / "topics.parquet"}
    write_table(paths["classified"], df, CLASSIFIED)
    paths["accounting"].write_text(json.dumps(build_accounting(), ensure_ascii=False), encoding="utf-8")
    if topics:
        build_topics(df).to_parquet(paths["topics"], index=False)
    return paths


def run_report(folder: Path, topics: bool = True, params: dict | None = None, waves: list[str] | None = None) -> dict:
    from pipeline.report import ReportConfig, run

    inputs = write_inputs(folder / "in", topics, waves)
    out = folder / "reports"
    cfg = ReportConfig.from_params(params or REPORT_PARAMS)
    messages: list[str] = []
    metrics = run(inputs["classified"], inputs["accounting"], CODEBOOK, inputs["topics"] if topics else None,
                  out / "topics", out / "index.html", out / "figures", out / "plots", folder / "metrics" / "report.json",
                  cfg, say=lambda msg, warn=False: messages.append(msg))
    return {"html": out / "index.html", "figures": out / "figures", "plots": out / "plots", "metrics": metrics,
            "messages": messages, "out": out}


@pytest.fixture(scope="session")
def report(tmp_path_factory):
    return run_report(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def page(report) -> str:
    return report["html"].read_text(encoding="utf-8")


def _svg_of(page: str, chart: str) -> str:
    m = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', page, flags=re.S)
    assert m, f"chart {chart} not inline"
    return m.group(0)


# --------------------------------------------------------------------------- the report


def test_report_has_every_section_and_one_summary_line(report, page):
    text = html.unescape(page)
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in text, title
        assert f">{title}</a>" in text  # table of contents
    assert len(report["messages"]) == 1 and report["messages"][0].startswith("report:")


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


def test_report_is_self_contained(page):
    remote = re.findall(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", page, flags=re.I)
    assert remote == []
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", page)
    # Only local links: anchors, the figures and the topic summaries next to the report,
    # and images that matplotlib embeds as data URIs.
    for href in re.findall(r'href="([^"]+)"', page):
        assert href.startswith(("#", "figures/", "topics/", "data:image/png;base64,")), href[:40]


def test_two_by_two_figure_has_the_article_axes_and_roles(page):
    svg = _svg_of(page, "orientaties_2x2")
    for label in ("Richten", "Inrichten/verrichten", "Binnen", "Buiten", "De alliantiemanager", "strateeg",
                  "netwerker", "organisatieontwikkelaar", "procesmanager", "artikel 2016", "2016", "2026"):
        assert label in svg, label
    # Article figures are shown, labelled as reference from another instrument.
    assert "28%" in svg and "36%" in svg and "22%" in svg and "14%" in svg
    assert "ander meetinstrument" in page


def test_orientation_shares_per_wave_in_plot_data(report):
    data = pd.read_csv(report["plots"] / "orientaties_per_golf.csv", dtype={"golf": str})
    assert {"golf", "orientatie", "aandeel"} <= set(data.columns)
    row = data[(data["golf"] == "2016") & (data["orientatie"] == "procesmanager")].iloc[0]
    assert row["aandeel"] == pytest.approx(30 / N_RESP, abs=1e-4)
    per_wave = data.groupby("golf")["aandeel_orientaties"].sum()
    assert list(per_wave.index) == ["2016", "2026", "documenten"]  # the coded document paragraphs next to the waves
    assert per_wave.to_numpy() == pytest.approx([1.0, 1.0, 1.0], abs=1e-3)


def test_themes_have_counts_and_wilson_intervals(report, page):
    from pipeline.report import wilson_interval

    data = pd.read_csv(report["plots"] / "themas_per_golf.csv", dtype={"golf": str})
    row = data[(data["golf"] == "2016") & (data["thema"] == "belangen")].iloc[0]
    assert (row["k"], row["n"]) == (50, N_RESP - 1)  # the filler answer is not in the base
    lo, hi = wilson_interval(50, N_RESP - 1)
    assert (row["ci_laag"], row["ci_hoog"]) == pytest.approx((lo, hi), abs=1e-4)
    assert '63% (52–73%)<br><span class="note-small">50/79</span>' in page


def test_wave_comparison_flags_large_change_and_not_tiny_one(report, page):
    comp = pd.read_csv(report["plots"] / "golfvergelijking.csv", dtype={"golf_a": str, "golf_b": str})
    codes = comp[comp["soort"] == "code"].set_index("item")
    assert (codes["golf_a"].iloc[0], codes["golf_b"].iloc[0]) == ("2016", "2026")
    big, tiny = codes.loc["belangen"], codes.loc["regie"]
    assert bool(big["significant"]) and big["conclusie"] == "significant afgenomen"
    assert big["verschil_pp"] == pytest.approx(100 * (8 / 79 - 50 / 79), abs=0.01)
    assert big["ci_laag_pp"] < big["verschil_pp"] < big["ci_hoog_pp"] < 0
    assert not bool(tiny["significant"]) and tiny["conclusie"].startswith("geen aantoonbaar verschil")
    # Never a claim the corrected test does not support.
    assert (comp["significant"] == (comp["p_gecorrigeerd"] < 0.05)).all()
    assert comp.loc[~comp["significant"], "conclusie"].str.startswith("geen aantoonbaar verschil").all()
    assert (comp["p_gecorrigeerd"] >= comp["p"] - 1e-12).all()
    assert "Holm" in page and "significant afgenomen" in page


def test_topic_shares_are_compared_when_the_corpus_spans_both_waves(report, page):
    comp = pd.read_csv(report["plots"] / "golfvergelijking.csv", dtype={"item": str})
    topics = comp[comp["soort"] == "onderwerp"]
    assert set(topics["corpus"]) == {"enquete"}  # 'documenten' has no waves
    assert bool(topics.set_index("item").loc["0", "significant"])
    assert 'href="topics/enquete.html"' in page and "belang_gemeente_regio" in page
    assert "bevat niet beide golven" in page


def test_documentscan_lists_codes_locations_quotes_and_places(page):
    scan = page[page.index('<section id="documentscan">'):page.index('<section id="per-code">')]
    assert "01_regio_deal.pdf" in scan and "02_notitie.docx" in scan
    assert "p. 1 ¶ 2" in scan  # belangen on page 1, paragraph 2
    assert "¶ 2" in scan and "Tiel" in scan and "Gelderland" in scan
    assert "Regio Deal Waalvallei" in scan
    places = re.findall(r'<dl class="places">.*?</dl>', scan, flags=re.S)[0]
    assert "Buren" in places and "Culemborg" in places
    assert ">Ede<" not in scan


def test_per_code_shows_strongest_evidence_with_source(page):
    part = page[page.index('<section id="per-code">'):page.index('<section id="verantwoording">')]
    assert part.count('<h3 id="code-') == len(load_codebook(CODEBOOK).codes)
    assert "enquete_2016.csv" in part and "respondent R16-" in part and "kans" in part


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


# --------------------------------------------------------------------------- statistics


def test_wilson_interval_known_values():
    from pipeline.report import wilson_interval

    assert wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    lo, hi = wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)


def test_holm_and_benjamini_hochberg_corrections():
    from pipeline.report import adjust_pvalues

    p = [0.01, 0.04, 0.03, 0.005]
    assert adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues(p, "fdr_bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    out = adjust_pvalues([0.01, float("nan"), 0.02], "holm")
    assert out[0] == pytest.approx(0.02) and math.isnan(out[1]) and out[2] == pytest.approx(0.02)
    with pytest.raises(SamenspelError):
        adjust_pvalues(p, "bonferroni-ish")


def test_small_counts_use_fisher_and_large_counts_the_z_test():
    from pipeline.report import proportion_test

    test, p = proportion_test(1, 12, 6, 11)
    assert test == "Fisher" and 0 < p < 1
    from scipy.stats import fisher_exact

    assert p == pytest.approx(fisher_exact([[1, 11], [6, 5]])[1])
    test, p = proportion_test(50, 100, 70, 100)
    assert test == "z" and p == pytest.approx(0.00389, abs=1e-4)


def test_correction_can_turn_a_raw_significance_into_no_claim():
    from pipeline.report import ReportConfig, compare

    cfg = ReportConfig.from_params(REPORT_PARAMS)
    # Each raw p is about 0.03, but with eight tests Holm lifts them above 0.05.
    items = [{"item": str(i), "name": str(i), "k_a": 40, "n_a": 200, "k_b": 60, "n_b": 200} for i in range(8)]
    out = compare(items, cfg)
    assert (out["p"] < 0.05).all() and (out["p_adj"] >= 0.05).all()
    assert not out["significant"].any()
    assert out["verdict"].str.startswith("geen aantoonbaar verschil").all()


def test_verdict_wording():
    from pipeline.report import verdict

    assert verdict(0.2, 0.1, 0.3, 0.001, 0.05, 5) == "significant toegenomen"
    assert verdict(-0.02, -0.03, -0.01, 0.001, 0.05, 5).startswith("significant afgenomen, maar klein")
    assert verdict(0.01, -0.02, 0.03, 0.6, 0.05, 5) == "geen aantoonbaar verschil (te klein om iets te betekenen)"
    assert verdict(0.05, -0.04, 0.14, 0.2, 0.05, 5).startswith("geen aantoonbaar verschil (te weinig gegevens")


def test_config_names_missing_and_bad_settings():
    from pipeline.report import ReportConfig

    params = dict(REPORT_PARAMS)
    del params["alpha"]
    with pytest.raises(SamenspelError, match="report.alpha"):
        ReportConfig.from_params(params)
    with pytest.raises(SamenspelError, match="correction"):
        ReportConfig.from_params({**REPORT_PARAMS, "correction": "bonferroni"})
    with pytest.raises(SamenspelError, match="compare_waves"):
        ReportConfig.from_params({**REPORT_PARAMS, "compare_waves": ["2016"]})


# --------------------------------------------------------------------------- gazetteer


def test_gazetteer_finds_places_on_word_boundaries():
    from pipeline.places import default_gazetteer

    g = default_gazetteer()
    text = "De gemeenten Tiel en Ede in Gelderland willen bedenken hoe zij samenwerken."
    found = {(m.place.name, m.place.kind) for m in g.find(text)}
    assert ("Tiel", "gemeente") in found and ("Gelderland", "provincie") in found
    assert ("Ede", "gemeente") in found  # the municipality itself ...
    assert not [m for m in g.find("We moeten bedenken wat we willen.") if m.place.name == "Ede"]  # ... not inside a word
    assert g.find("Onze buren in de regio") == []  # lower case is not a place


def test_gazetteer_covers_all_municipalities_and_provinces():
    from pipeline.places import default_gazetteer

    places = default_gazetteer().places
    assert sum(p.kind == "gemeente" for p in places) == 342
    assert sum(p.kind == "provincie" for p in places) == 12
    gemeenten = {p.name: p.province for p in places if p.kind == "gemeente"}
    assert gemeenten["Tiel"] == "Gelderland" and gemeenten["'s-Hertogenbosch"] == "Noord-Brabant"


def test_ambiguous_names_do_not_count_at_the_start_of_a_sentence():
    from pipeline.places import default_gazetteer

    g = default_gazetteer()
    assert g.find("Buren zijn belangrijk. Leiden tot niets.") == []
    assert [m.place.name for m in g.find("De raad van Buren besluit; zij werkt samen met Leiden.")] == ["Buren", "Leiden"]
    assert {m.place.name for m in g.find("Den Bosch en 's-Gravenhage")} == {"'s-Hertogenbosch", "Den Haag"}


def test_collaboration_names_and_spacy_entities():
    from pipeline.places import find_places, ner_places

    names = [(m.place.name, m.place.kind) for m in find_places(
        "Het Samenwerkingsverband Waalvallei en de regio Rivierenland werken met Regio Gooi en Vechtstreek.")]
    assert ("Samenwerkingsverband Waalvallei", "samenwerkingsverband") in names
    assert ("Regio Rivierenland", "samenwerkingsverband") in names
    assert ("Gooi en Vechtstreek", "regio") in names
    assert ner_places(["GPE:Waalvallei", "PER:Jan", "LOC:de  Waal"]) == ["Waalvallei", "de Waal"]


def test_matches_deduce_municipality_list_when_installed():
    """The shipped list agrees with deduce's reviewed list (modulo spelling variants)."""
    deduce = pytest.importorskip("deduce")
    from pipeline.places import default_gazetteer

    path = Path(deduce.__file__).parent / "data/lookup/src/locations/lst_placename/lst_municipality/items.txt"
    if not path.exists():
        pytest.skip("deduce ships no municipality list")

    def norm(s: str) -> str:
        return re.sub(r"[^a-z]", "", s.lower())

    ours = {norm(s) for s, p, _ in default_gazetteer().entries if p.kind == "gemeente"}
    theirs = {norm(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    theirs -= {norm(x) for x in ("Bonaire", "Saba", "Sint Eustatius", "Nuenen c.a.")}  # not municipalities / variant
    assert theirs <= ours


def test_truncate_cuts_on_a_word_boundary():
    from pipeline.report import truncate

    text = "Een heel lang citaat " * 20
    out = truncate(text, 60)
    assert len(out) <= 60 and out.endswith("…") and not out[:-1].endswith(" ")
    assert truncate("kort  citaat", 60) == "kort citaat"


def test_numbers_are_dutch():
    from pipeline.report import pct, pp, pvalue

    assert pct(0.284) == "28%" and pct(0.2845, 1) == "28,4%"
    assert pp(-0.0634) == "−6,3 pp" and pp(0.1) == "+10,0 pp"
    assert pvalue(0.0004) == "< 0,001" and pvalue(0.0312) == "0,031"
    assert np.isnan(float("nan")) and pct(float("nan")) == "–"


def test_forest_chart_keeps_significant_and_largest_differences_in_order():
    from pipeline.report import largest_differences

    comp = pd.DataFrame({"item": list("abcdef"), "diff": [0.01, -0.30, 0.05, 0.20, -0.02, float("nan")],
                         "significant": [False, False, True, False, False, False]})
    assert list(largest_differences(comp, 3)["item"]) == ["b", "c", "d"]  # c first (significant), then b, d
    assert list(largest_differences(comp, 10)["item"]) == list("abcdef")


def test_document_location_names_page_paragraph_and_heading():
    from pipeline.report import location

    row = {"kind": "document", "page": 3, "paragraph": 12, "chunk": 0, "section": "Artikel 4 Taken",
           "passage_id": "gr/0012"}
    assert location(row) == "p. 3, alinea 12 (Artikel 4 Taken)"
    assert location({**row, "section": None, "page": None}) == "alinea 12"
    # Nested sections, outermost first: the article is shown, not the title of the document.
    nested = "Gemeenschappelijke regeling Waalvallei 2026 › Hoofdstuk 2 Het algemeen bestuur › Artikel 7 Samenstelling"
    assert location({**row, "section": nested}) == "p. 3, alinea 12 (… › Artikel 7 Samenstelling)"
    assert location({**row, "section": "Hoofdstuk 2 › Artikel 7"}) == "p. 3, alinea 12 (Hoofdstuk 2 › Artikel 7)"
    long_article = "Regeling › Artikel 9 " + "Taken en bevoegdheden van het dagelijks bestuur " * 2
    assert location({**row, "section": long_article}).startswith("p. 3, alinea 12 (… › Artikel 9 Taken")


def test_methods_name_the_nlp_backend(tmp_path):
    from pipeline.report import ReportConfig, run

    inputs = write_inputs(tmp_path / "in")
    ids = pd.read_parquet(inputs["classified"], columns=["passage_id"])["passage_id"]
    label = "fallback:blank-nl+sentencizer+simplemma (spacy-3.8.18+simplemma-2.0.0)"
    nlp = pd.DataFrame({"passage_id": ids, "entities": [[] for _ in ids], "backend": label})
    nlp.to_parquet(tmp_path / "nlp.parquet", index=False)
    out = tmp_path / "reports"
    run(inputs["classified"], inputs["accounting"], CODEBOOK, inputs["topics"], out / "topics", out / "index.html",
        out / "figures", out / "plots", tmp_path / "report.json", ReportConfig.from_params(REPORT_PARAMS),
        nlp_path=tmp_path / "nlp.parquet", say=lambda msg, warn=False: None)
    page = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    methods = page[page.index('<section id="verantwoording">'):]
    assert f"<code>{label}</code>" in methods and "offline fallback" in methods


# --------------------------------------------------------------------------- unit of analysis


def build_waves(waves: dict[str, list[tuple[str, str, list[str] | None]]], chunked: set[str] = frozenset()
                ) -> tuple[pd.DataFrame, dict]:
    """Classified survey passages and their accounting from (respondent, question, codes) per
    wave; codes None is an NA cell. A passage id in `chunked` is split into two passages, as
    ingest splits a very long answer (only the second part carries the codes)."""
    rows, files = [], []
    for w, (wave, answers) in enumerate(waves.items()):
        counts = {"answers": 0, "non_empty": 0, "na": 0}
        questions: dict[str, dict] = {}
        for rid, qid, codes in answers:
            pid = f"{wave}/{rid}/{qid}"
            status = "na" if codes is None else "ok"
            counts["answers"] += 1
            counts["non_empty" if status == "ok" else "na"] += 1
            q = questions.setdefault(qid, {"answers": 0, "ok": 0, "empty": 0, "na": 0, "filler": 0, "column": qid,
                                          "text": ""})
            q["answers"] += 1
            q[status] += 1
            parts = [[], codes] if pid in chunked else [codes or []]
            for c, part in enumerate(parts):
                rows.append({"passage_id": pid + (f"#{c}" if len(parts) > 1 else ""), "source": f"surveys/{wave}.csv",
                             "kind": "survey", "wave": wave, "respondent_id": rid, "question_id": qid, "row": None,
                             "page": None, "paragraph": None, "chunk": c, "section": None,
                             "text": f"Antwoord van {rid} op {qid}." if status == "ok" else "NA", "status": status,
                             "classified": status == "ok", "meta_organisatietype": "gemeente",
                             "meta_functie": "manager", **_row(part if status == "ok" else [])})
        respondents = sorted({rid for rid, _, _ in answers})
        files.append({"file": f"surveys/{wave}.csv", "kind": "survey", "status": "read", "wave": wave,
                      "date": f"20{10 + w}-01-01", "notes": [], "rows_read": len(respondents), "empty": 0,
                      "filler": 0, "passages": sum(r["wave"] == wave for r in rows), "questions": questions,
                      "rows_rejected": [], **counts})
    df = pd.DataFrame(rows)
    df["lang"] = "nl"
    df["scrubbed"] = True
    df["pii_types"] = [[] for _ in range(len(df))]
    for col in ("row", "page", "paragraph", "chunk"):
        df[col] = df[col].astype("Int64")
    return df, {"stage": "ingest", "totals": {"passages": len(df)}, "files": files, "ignored": []}


def run_on(folder: Path, df: pd.DataFrame, accounting: dict, params: dict | None = None,
           topics: pd.DataFrame | None = None) -> dict:
    """The report on a hand-built table: html text, plot data of the comparison, metrics, messages."""
    from pipeline.classify import CLASSIFIED
    from pipeline.report import ReportConfig, run

    folder.mkdir(parents=True, exist_ok=True)
    write_table(folder / "classified.parquet", df, CLASSIFIED)
    (folder / "ingest.json").write_text(json.dumps(accounting), encoding="utf-8")
    if topics is not None:
        topics.to_parquet(folder / "topics.parquet", index=False)
    out = folder / "reports"
    messages: list[str] = []
    metrics = run(folder / "classified.parquet", folder / "ingest.json", CODEBOOK,
                  folder / "topics.parquet" if topics is not None else None, out / "topics", out / "index.html",
                  out / "figures", out / "plots", folder / "report.json",
                  ReportConfig.from_params(params or {**REPORT_PARAMS, "orientation_questions": [],
                                                      "theme_questions": []}),
                  say=lambda msg, warn=False: messages.append(msg))
    page = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    comp = pd.read_csv(out / "plots" / "golfvergelijking.csv", dtype={"item": str, "golf_a": str, "golf_b": str})
    return {"page": page, "comp": comp, "metrics": metrics, "messages": messages, "out": out}


def _section(page: str, name: str) -> str:
    start = page.index(f'<section id="{name}">')
    return page[start:page.index("</section>", start)]


def test_a_talkative_respondent_counts_once_in_the_wave_comparison(tmp_path):
    # Wave 'oud': respondent R0 gives 18 answers about interests, 29 others one answer without.
    # Per answer that is 18/47 against 3/30 in 'nieuw' (a significant drop); per respondent 1/30 vs 3/30.
    questions = [f"v{i}" for i in range(18)]
    oud = [("R0", q, ["belangen"]) for q in questions]
    oud += [(f"R{i}", "v0", []) for i in range(1, 30)]
    oud += [(f"R{i}", q, None) for i in range(1, 30) for q in questions[1:]]
    nieuw = [(f"N{i}", q, (["belangen"] if i < 3 else []) if q == "v0" else None) for i in range(30) for q in questions]
    df, acc = build_waves({"oud": oud, "nieuw": nieuw})
    result = run_on(tmp_path, df, acc)
    row = result["comp"].set_index("item").loc["belangen"]
    assert (row["k_a"], row["n_a"], row["k_b"], row["n_b"]) == (1, 30, 3, 30)
    assert not bool(row["significant"]) and row["conclusie"].startswith("geen aantoonbaar verschil")
    assert "een respondent telt één keer" in result["page"]


def test_no_test_below_the_minimum_of_respondents_and_the_summary_says_so(tmp_path):
    # Two respondents in 'oud' (one of them with 18 answers): too few to test anything.
    questions = [f"v{i}" for i in range(18)]
    oud = [("R0", q, ["belangen"]) for q in questions] + [("R1", "v0", ["regie"])]
    nieuw = [(f"N{i}", "v0", ["belangen"] if i < 3 else []) for i in range(69)]
    nieuw += [(f"N{i}", q, None) for i in range(69) for q in questions[1:]]
    df, acc = build_waves({"oud": oud, "nieuw": nieuw})
    result = run_on(tmp_path, df, acc)
    comp, page = result["comp"], result["page"]
    codes = comp[comp["soort"] == "code"]
    assert not codes["getoetst"].any() and not codes["significant"].any()
    assert codes["p"].isna().all() and codes["verschil_pp"].isna().all()
    assert (codes["conclusie"] == "niet te toetsen (golf oud: 2 respondenten, minimaal 20)").all()
    part = _section(page, "golfvergelijking")
    # The bold line agrees with the table beneath it.
    assert "Geen enkele code veranderde aantoonbaar" not in part
    assert "<strong>Geen enkele code is getoetst: er zijn te weinig respondenten" in part
    assert "Golf oud telt 2 respondenten met een gecodeerd antwoord" in part
    assert "verdict-up" not in part and "verdict-down" not in part and "fig-golfvergelijking" not in part
    assert result["metrics"]["tests"] == 0 and result["metrics"]["untestable"] == len(codes)
    assert "change_pp.belangen" not in result["metrics"]


def test_only_questions_both_waves_asked_are_compared(tmp_path):
    # 'oud' also asked 'extra', where every answer is about interests; 'nieuw' never asked it.
    oud = [(f"R{i}", "rol", ["netwerker"] if i < 10 else []) for i in range(40)]
    oud += [(f"R{i}", "extra", ["belangen"]) for i in range(40)]
    nieuw = [(f"N{i}", "rol", ["netwerker"] if i < 12 else []) for i in range(40)]
    df, acc = build_waves({"oud": oud, "nieuw": nieuw})
    result = run_on(tmp_path, df, acc)
    rows = result["comp"].set_index("item")
    assert (rows.loc["belangen", "k_a"], rows.loc["belangen", "n_a"]) == (0, 40)  # 'extra' left out
    assert not bool(rows.loc["belangen", "significant"])
    part = _section(result["page"], "golfvergelijking")
    assert "Niet vergeleken: <code>extra</code> (alleen in golf oud)" in part


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
    themes = _section(page, "uitdagingen")
    assert '<span class="note-small">7/35</span>' in themes  # per answer: the split answer counts once
    per_code = page[page.index('<h3 id="code-regie">'):]
    assert "7 enquêteantwoorden en 0 documentalinea's met deze code" in per_code
    assert not [m for m in result["messages"] if "lopen uiteen" in m]


def test_a_stale_accounting_is_named(tmp_path):
    df, acc = build_waves({"enkel": [(f"R{i}", "v0", []) for i in range(5)]})
    acc["files"][0]["non_empty"] = 7
    result = run_on(tmp_path, df, acc)
    assert any("5 bruikbare antwoorden tegen 7 in de verantwoording" in m for m in result["messages"])


def test_comparison_summary_agrees_with_its_rows():
    from pipeline.report import ReportConfig, compare, comparison_summary

    cfg = ReportConfig.from_params(REPORT_PARAMS)
    big = {"k_a": 10, "n_a": 100, "k_b": 60, "n_b": 100}
    same = {"k_a": 30, "n_a": 100, "k_b": 31, "n_b": 100}
    small = {"k_a": 1, "n_a": 5, "k_b": 60, "n_b": 100}
    table = compare([{"item": "a", "name": "a", **big}, {"item": "b", "name": "b", **same},
                     {"item": "c", "name": "c", **small}], cfg, ("2016", "2026"))
    assert list(table["tested"]) == [True, True, False]
    assert table.loc[2, "verdict"] == "niet te toetsen (golf 2016: 5 respondenten, minimaal 20)"
    assert comparison_summary(table, "code", "codes") == (
        "Eén code veranderde aantoonbaar (van 2 getoetst); 1 code was niet te toetsen (te weinig respondenten).")
    assert comparison_summary(table.iloc[[1]], "code", "codes") == "Geen enkele code veranderde aantoonbaar."
    assert comparison_summary(table.iloc[[2]], "code", "codes").startswith("Geen enkele code is getoetst")
    assert comparison_summary(table.iloc[[1]], "onderwerp", "onderwerpen", neuter=True) == (
        "Geen enkel onderwerp veranderde aantoonbaar.")


# --------------------------------------------------------------------------- any data


def build_documents(docs: dict[str, list[list[str]]]) -> tuple[pd.DataFrame, list[dict]]:
    """Coded document paragraphs (codes per paragraph) and their accounting entries."""
    rows, files = [], []
    for source, paragraphs in docs.items():
        stem = Path(source).stem
        for n, codes in enumerate(paragraphs, start=1):
            rows.append({"passage_id": f"{stem}/{n:04d}", "source": source, "kind": "document", "wave": None,
                         "respondent_id": None, "question_id": None, "row": None, "page": None, "paragraph": n,
                         "chunk": 0, "section": "Hoofdstuk 1 › Artikel 2", "text": f"Alinea {n} van {stem}.",
                         "status": "ok", "classified": True, "meta_organisatietype": None, "meta_functie": None,
                         **_row(codes)})
        files.append({"file": source, "kind": "document", "status": "read", "paragraphs": len(paragraphs),
                      "passages": len(paragraphs), "pages": None, "notes": []})
    df = pd.DataFrame(rows)
    df["lang"] = "nl"
    df["scrubbed"] = False
    df["pii_types"] = [[] for _ in range(len(df))]
    for col in ("row", "page", "paragraph", "chunk"):
        df[col] = df[col].astype("Int64")
    return df, files


def test_documents_alone_get_the_two_by_two_figure_and_theme_shares(tmp_path):
    paragraphs = [["strateeg", "regie"]] * 6 + [["netwerker"]] * 3 + [["procesmanager", "belangen"]] + [[]] * 10
    df, files = build_documents({"documents/regeling.md": paragraphs})
    result = run_on(tmp_path, df, {"stage": "ingest", "totals": {"passages": len(df)}, "files": files,
                                   "ignored": []})
    page = result["page"]
    assert "Geen oriëntaties te tonen" not in page and "Geen thema's te tonen" not in page
    svg = _svg_of(page, "orientaties_2x2")
    assert "documenten" in svg and "60%" in svg  # strateeg: 6 of the 10 orientation codes given
    orient = _section(page, "orientaties")
    assert '30% (15–52%)<br><span class="note-small">6/20</span>' in orient
    assert "de gecodeerde alinea's van de documenten (20 alinea's)" in orient
    themes = _section(page, "uitdagingen")
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
    orient = _section(page, "orientaties")
    assert "alle open vragen (75 antwoorden)" in orient
    svg = _svg_of(page, "orientaties_2x2")
    assert "pre1" in svg and "pre2" in svg and "documenten" in svg
    # belangen among pre1's answers to both questions
    assert '10% (4–21%)<br><span class="note-small">5/50</span>' in _section(page, "uitdagingen")
    assert not [m for m in result["messages"] if "komt in geen enkele golf voor" in m]


# --------------------------------------------------------------------------- slips


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
    corpus = _section(result["page"], "corpus")
    assert "1 passage is volgens de taalherkenning niet in het Nederlands (en: 1)" in corpus
    assert "2 korte passages of passages vol namen kregen van de taalherkenning een andere taal dan Nederlands " \
           "(fy: 2)" in corpus


def test_codes_have_one_short_name_everywhere(page, tmp_path):
    from pipeline.codebook import load_codebook

    shorts = {c.id: c.short for c in load_codebook(CODEBOOK).codes}
    assert shorts["strateeg"] == "Strateeg" and shorts["schijnsamenwerking"] == "Schijnsamenwerking voorkomen"
    for chart in ("orientaties_per_organisatietype", "documenten_codes", "golfvergelijking", "themas_per_golf"):
        svg = _svg_of(page, chart)
        assert "alliantiemanager" not in svg, chart
        assert "Strateeg" in svg or "Belangen bespreekbaar maken" in svg, chart
    assert 'rotate(-30' in _svg_of(page, "documenten_codes")  # slanted: long names do not run together
    comparison = _section(html.unescape(page), "golfvergelijking")
    assert "<tr><td>Strateeg</td>" in comparison and "<tr><td>strateeg</td>" not in comparison
    # A codebook can name its own short names.
    book = tmp_path / "codebook.yaml"
    book.write_text(CODEBOOK.read_text(encoding="utf-8").replace(
        "naam: Schijnsamenwerking voorkomen", "naam: Schijnsamenwerking voorkomen\n    kort: Schijn"), encoding="utf-8")
    assert load_codebook(book)["schijnsamenwerking"].short == "Schijn"


def test_similar_file_names_stay_distinguishable():
    from pipeline.report import distinct_labels, shorten

    names = [f"GR_Regeling_Regionaal_Historisch_Centrum_{place}_BWBR00{n}.md"
             for place, n in (("Gelderland_Oost", 11), ("Groningen_Stad", 12), ("in_Noord_Holland", 13))]
    labels = distinct_labels(names, 40)
    assert len(set(labels)) == 3 and all(len(lbl) <= 40 for lbl in labels)
    assert all(lbl.endswith(f"_BWBR00{n}.md") for lbl, n in zip(labels, (11, 12, 13)))
    assert shorten("kort.md", 40) == "kort.md"
    # The old cut kept the start only: the three looked alike.
    from pipeline.report import truncate

    assert len({truncate(n, 40) for n in names}) == 1
