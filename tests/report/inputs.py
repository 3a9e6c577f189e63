"""Inputs of the report tests, built here: a tiny CLASSIFIED table with two waves, metadata
and two documents (one with pages), a TOPICS table and an ingest accounting JSON; and
builders for hand-made waves and documents, with `run_report` and `run_on` to run the stage.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

import pandas as pd

from pipeline.codebook import load_codebook
from pipeline.files import write_table

ROOT = Path(__file__).resolve().parents[2]


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
    df = classified_table(rows, scrubbed=False)
    english = df["passage_id"] == "2026/R26-001/rol"  # flagged by the nlp stage, still coded
    df.loc[english, "lang"] = "en"
    df.loc[english, "text"] = "The province should lead the network of municipalities, but nobody wants to pay for it."
    df["scrubbed"] = df["kind"] == "survey"
    return df


def classified_table(rows: list[dict], scrubbed: bool) -> pd.DataFrame:
    """Passage rows completed to a CLASSIFIED table: Dutch, no personal data found, and the
    page, paragraph and chunk as nullable integers, as ingest writes them."""
    df = pd.DataFrame(rows)
    df["lang"] = "nl"
    df["scrubbed"] = scrubbed
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
    df = classified_table(rows, scrubbed=True)
    return df, {"stage": "ingest", "totals": {"passages": len(df)}, "files": files, "ignored": []}


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
    df = classified_table(rows, scrubbed=False)
    return df, files


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


def svg_of(page: str, chart: str) -> str:
    """The inline SVG of one chart in the page."""
    m = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', page, flags=re.S)
    assert m, f"chart {chart} not inline"
    return m.group(0)


def section_of(page: str, name: str) -> str:
    """The HTML of one section of the page, by its anchor."""
    start = page.index(f'<section id="{name}">')
    return page[start:page.index("</section>", start)]
