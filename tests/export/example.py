"""A small classified table for the export tests, its codebook and topics, and a run on them.

Two survey waves with respondent metadata, two documents with pages and paragraphs, and
answers written to run as spreadsheet formulas.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CODES = ("strateeg", "netwerker", "belangen")
MALICIOUS = {
    "2016/R003/rol": '=HYPERLINK("http://x","klik")',
    "2016/R003/uitdaging": "+31 6 is het netnummer niet, bel [TELEFOON]",
    "2016/R004/rol": "-1",
    "2016/R004/uitdaging": "@SUM(A1)",
    "2018/R002/rol": "   =1+2 met spaties ervoor",
    "2018/R002/uitdaging": "\t=cmd|' /C calc'!A0",
}
EVIL_META = "=cmd|' /C calc'!A0"

CODEBOOK_YAML = """\
versie: 3
codes:
  - id: strateeg
    groep: orientatie
    naam: De alliantiemanager als strateeg
    definitie: Geeft richting aan de samenwerking van de eigen organisatie & kiest positie.
    indicatoren: [koers, ambitie]
  - id: netwerker
    groep: orientatie
    naam: De alliantiemanager als <netwerker>
    definitie: Onderhoudt relaties in het regionale netwerk.
    indicatoren: [netwerk, relatie]
  - id: belangen
    groep: thema
    naam: Belangen bespreekbaar maken
    definitie: "Maakt lokale belangen tegenover de regionale opgave bespreekbaar."
    indicatoren: [belang]
"""


def _row(pid: str, text: str, codes: tuple[str, ...] = (), status: str = "ok", **prov) -> dict:
    classified = status == "ok"
    codes = codes if classified else ()
    row = {"passage_id": pid, "source": prov.pop("source"), "kind": prov.pop("kind"), "wave": None,
           "respondent_id": None, "question_id": None, "row": None, "page": None, "paragraph": None,
           "chunk": 0, "section": None, "text": text, "status": status, "scrubbed": prov.pop("kind_scrub", True),
           "pii_types": prov.pop("pii", []), "classified": classified, "relevance": 0.9 if codes else 0.0,
           "codes": ";".join(codes),
           "evidence": [f"{c}: woord, ander woord" for c in codes], "lang": "nl"}
    row.update(prov)
    for c in CODES:
        row[f"p_{c}"] = 0.91 if c in codes else (0.12 if classified else 0.0)
        row[c] = int(c in codes)
    return row


def classified_frame() -> pd.DataFrame:
    """~25 passages: waves 2016 and 2018 (meta_organisatietype, meta_functie) and two documents."""
    rows = []
    answers = {
        ("2016", "R001"): ("Ik bepaal samen met de wethouder de koers in de regio.",
                           "De lokale belangen schuren met de regionale opgave."),
        ("2016", "R002"): ("Ik ben verbinder tussen de gemeenten; [NAAM] en ik kennen het netwerk.", "weet niet"),
        ("2016", "R003"): (MALICIOUS["2016/R003/rol"], MALICIOUS["2016/R003/uitdaging"]),
        ("2016", "R004"): (MALICIOUS["2016/R004/rol"], MALICIOUS["2016/R004/uitdaging"]),
        ("2018", "R001"): ("Ons netwerk groeit; ik investeer in relaties.\r\nDat kost tijd.", ""),
        ("2018", "R002"): (MALICIOUS["2018/R002/rol"], MALICIOUS["2018/R002/uitdaging"]),
        ("2018", "R003"): ("#N/A", "We kiezen scherper: ambitie en koers, niet overal aan tafel."),
    }
    meta = {("2016", "R001"): ("gemeente", "beleidsadviseur"), ("2016", "R002"): ("provincie", EVIL_META),
            ("2016", "R003"): ("gemeente", "strateeg"), ("2016", "R004"): (None, "griffier"),
            ("2018", "R001"): ("regio", "programmamanager"), ("2018", "R002"): ("gemeente", "beleidsadviseur"),
            ("2018", "R003"): ("provincie", "secretaris")}
    coding = {"2016/R001/rol": ("strateeg",), "2016/R001/uitdaging": ("belangen",),
              "2016/R002/rol": ("netwerker",), "2016/R003/rol": ("netwerker",), "2016/R004/uitdaging": ("strateeg",),
              "2018/R001/rol": ("netwerker",), "2018/R002/rol": ("strateeg", "belangen"),
              "2018/R003/uitdaging": ("strateeg",)}
    for (wave, rid), (rol, uitdaging) in answers.items():
        org, functie = meta[(wave, rid)]
        for n, (qid, text) in enumerate((("rol", rol), ("uitdaging", uitdaging))):
            pid = f"{wave}/{rid}/{qid}"
            status = "empty" if not text else "filler" if text == "weet niet" else "na" if text == "#N/A" else "ok"
            rows.append(_row(pid, text, coding.get(pid, ()), status, source=f"surveys/golf{wave}.csv",
                             kind="survey", wave=wave, respondent_id=rid, question_id=qid,
                             row=int(rid[1:]) + 1, meta_organisatietype=org, meta_functie=functie,
                             pii=["NAAM"] if "[NAAM]" in text else []))
    # a long answer split in two parts by ingest
    for c, (text, codes) in enumerate((("Eerst de strategie: waar doen we mee?", ("strateeg",)),
                                       ("Daarna het netwerk onderhouden, met 😀 erbij.", ("netwerker",)))):
        rows.append(_row(f"2018/R004/rol#{c}", text, codes, source="surveys/golf2018.csv", kind="survey",
                         wave="2018", respondent_id="R004", question_id="rol", row=5, chunk=c,
                         meta_organisatietype="gemeente", meta_functie="wethouder"))
    docs = [
        ("documents/verslag.pdf", "verslag/0001", 1, 1, 0, "Verslag stuurgroep", "Artikel 1. De regio werkt samen.",
         ()),
        ("documents/verslag.pdf", "verslag/0002.0", 1, 2, 0, "- Inleiding", "De secretaris zet de koers uit.",
         ("strateeg",)),
        ("documents/verslag.pdf", "verslag/0002.1", 2, 2, 1, "- Inleiding", "Hij onderhoudt het netwerk.",
         ("netwerker", "strateeg")),
        ("documents/verslag.pdf", "verslag/0003", 3, 3, 0, "Besluiten", "=SUM(1,2) staat in de notulen.",
         ("belangen",)),
        ("documents/notitie.docx", "notitie/0001", None, 1, 0, None, "Een korte notitie zonder codes.", ()),
        ("documents/notitie.docx", "notitie/0002", None, 2, 0, None, "Nog een alinea.\x0cMet een paginascheiding.",
         ()),
    ]
    for source, pid, page, para, chunk, section, text, codes in docs:
        rows.append(_row(pid, text, codes, source=source, kind="document", page=page, paragraph=para,
                         chunk=chunk, section=section, kind_scrub=False))
    return pd.DataFrame(rows)


def topics_frame(df: pd.DataFrame) -> pd.DataFrame:
    ok = df[df["status"] == "ok"]
    rows = []
    for i, (pid, kind) in enumerate(zip(ok["passage_id"], ok["kind"])):
        corpus = "alle_antwoorden" if kind == "survey" else "documenten"
        topic = -1 if i % 4 == 0 else i % 2
        label = "geen onderwerp" if topic == -1 else ["koers_ambitie_regio", "netwerk_relatie"][topic]
        rows.append({"passage_id": pid, "corpus": corpus, "topic": topic, "probability": 0.5, "label": label,
                     "assigned_by": "model"})
    return pd.DataFrame(rows)


def make_cfg(**over):
    from pipeline.export import ExportConfig

    params = {"project_name": "samenspel test", "timestamp": "2016-06-22T00:00:00Z", "topic_corpora": [],
              "csv_dialect": "nl"}
    params.update(over)
    return ExportConfig.from_params(params)


def write_inputs(folder: Path) -> tuple[Path, Path, Path, pd.DataFrame]:
    from pipeline.schema import CLASSIFIED, TOPICS
    from pipeline.files import write_table
    folder.mkdir(parents=True, exist_ok=True)
    df = classified_frame()
    classified = folder / "classified.parquet"
    write_table(classified, df, CLASSIFIED)
    topics = folder / "topics.parquet"
    write_table(topics, topics_frame(df), TOPICS)
    codebook = folder / "codebook.yaml"
    codebook.write_text(CODEBOOK_YAML, encoding="utf-8")
    return classified, codebook, topics, df


def run_export(folder: Path, topics: bool = True, **cfg_over) -> dict:
    from pipeline.export import run

    classified, codebook, topics_path, _ = write_inputs(folder / "in")
    out = folder / "reports"
    lines = []
    summary = run(classified, codebook, topics_path if topics else None, out / "samenspel.xlsx",
                  out / "passages.csv", out / "samenspel.qdc", out / "samenspel.qdpx", make_cfg(**cfg_over),
                  say=lambda msg, warn=False: lines.append((msg, warn)))
    summary["_lines"] = lines
    summary["_out"] = out
    return summary



def sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def codebook(ids: tuple[str, ...] = CODES, group: str = "orientatie"):
    """A codebook with these code ids, all in one group, named after their id."""
    from pipeline.codebook import Code, Codebook

    return Codebook(tuple(Code(id=c, group=group, name=c, definition=f"{c}.", indicators=(c,)) for c in ids))
