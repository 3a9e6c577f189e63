"""Tests for `pipeline.export`: workbook, CSV and REFI-QDA outputs on a small classified table.

The input is built here (two survey waves with respondent metadata, two documents with
pages and paragraphs) and includes answers written to run as spreadsheet formulas.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from pipeline.errors import SamenspelError

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


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    return run_export(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="session")
def exported_tools(tmp_path_factory):
    return run_export(tmp_path_factory.mktemp("export_tools"), csv_dialect="tools")


@pytest.fixture(scope="session")
def frame():
    from pipeline.export import clean_text

    df = classified_frame()
    df["clean"] = [clean_text(t) for t in df["text"]]
    return df


@pytest.fixture(scope="session")
def workbook(exported):
    import openpyxl

    return openpyxl.load_workbook(exported["_out"] / "samenspel.xlsx")


def sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("value, risky", [
    ("=1+1", True), ("+31 6 1234", True), ("-1", True), ("@SUM(A1)", True), ("  =A1", True),
    ("\t=A1", True), ("\rx", True), ("\u00a0=A1", True), ("gewoon", False), ("", False), ("a=b", False),
    ("[NAAM] zegt -1", False),
])
def test_is_formula_like(value, risky):
    from pipeline.files import is_formula_like, neutralise

    assert is_formula_like(value) is risky
    assert neutralise(value) == ("'" + value if risky else value)


def test_config_timestamp_forms():
    assert make_cfg(timestamp=dt.datetime(2020, 1, 2, 3, 4, 5)).timestamp == dt.datetime(2020, 1, 2, 3, 4, 5)
    assert make_cfg(timestamp=dt.date(2020, 1, 2)).timestamp == dt.datetime(2020, 1, 2)
    assert make_cfg(timestamp="2020-01-02T05:00:00+02:00").timestamp == dt.datetime(2020, 1, 2, 3)
    with pytest.raises(SamenspelError, match="timestamp"):
        make_cfg(timestamp="gisteren")
    with pytest.raises(SamenspelError, match="export.project_name"):
        from pipeline.export import ExportConfig

        ExportConfig.from_params({"timestamp": "2020-01-01", "topic_corpora": []})
    with pytest.raises(SamenspelError, match="export.csv_dialect 'excel' bestaat niet") as err:
        make_cfg(csv_dialect="excel")
    assert "nl of tools" in err.value.hint


# --------------------------------------------------------------------------- workbook


def test_workbook_sheets_and_passages(exported, workbook, frame):
    assert workbook.sheetnames == ["Passages", "Codes per golf", "Codes per groep", "Documenten", "Codeboek",
                                   "Verantwoording"]
    ws = workbook["Passages"]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref
    table = sheet_frame(ws)
    assert len(table) == len(frame)
    assert table["passage_id"].tolist() == frame["passage_id"].tolist()
    assert table["tekst"].fillna("").tolist() == frame["clean"].tolist()
    columns = set(table.columns)
    assert {"bron", "golf", "respondent", "vraag", "pagina", "alinea", "organisatietype", "functie", "codes",
            "bewijs", "onderwerp_alle_antwoorden", "onderwerp_documenten"} <= columns
    assert {*CODES, *(f"p_{c}" for c in CODES)} <= columns
    assert not {"text", "raw", "ruwe_tekst", "text_raw"} & columns
    assert not any(c.startswith("meta_") for c in columns)
    row = table.set_index("passage_id").loc["2018/R002/rol"]
    assert row["strateeg"] == 1 and row["belangen"] == 1 and row["netwerker"] == 0
    assert row["p_strateeg"] == pytest.approx(0.91)
    assert row["soort"] == "enquête" and row["gecodeerd"] == "ja"
    assert table.set_index("passage_id").loc["2016/R002/uitdaging", "status"] == "opvulling"
    assert table.set_index("passage_id").loc["verslag/0002.1", "pagina"] == 2


def test_workbook_neutralises_formulas(workbook):
    ws = workbook["Passages"]
    header = [c.value for c in ws[1]]
    text_col, id_col = header.index("tekst"), header.index("passage_id")
    cells = {row[id_col].value: row[text_col] for row in ws.iter_rows(min_row=2)}
    from pipeline.export import clean_text

    for pid, value in MALICIOUS.items():
        cell = cells[pid]
        assert cell.data_type == "s", pid
        assert cell.value == clean_text(value), pid
        assert cell.quotePrefix, pid
    assert cells["2018/R003/rol"].value == "#N/A" and cells["2018/R003/rol"].data_type == "s"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (sheet.title, cell.coordinate, cell.value)
    functie = [c.value for c in ws[1]].index("functie")
    evil = [row[functie] for row in ws.iter_rows(min_row=2) if row[functie].value == EVIL_META]
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    groups = sheet_frame(workbook["Codes per groep"])
    assert EVIL_META in set(groups["waarde"])


def test_summary_sheets(workbook, frame):
    waves = sheet_frame(workbook["Codes per golf"]).set_index("code")
    ok16 = frame[(frame["wave"] == "2016") & (frame["status"] == "ok")]
    assert waves.loc["(basis)", "2016 passages"] == len(ok16)
    assert waves.loc["strateeg", "2016 passages"] == int(ok16["strateeg"].sum())
    assert waves.loc["strateeg", "2016 aandeel passages"] == pytest.approx(ok16["strateeg"].mean())
    assert waves.loc["netwerker", "2018 respondenten"] == 2  # R001 and R004 (two parts, one respondent)
    assert "alle golven passages" in waves.columns

    groups = sheet_frame(workbook["Codes per groep"])
    assert set(groups["kenmerk"]) == {"organisatietype", "functie"}
    assert "(onbekend)" in set(groups["waarde"])
    gem16 = groups[(groups["kenmerk"] == "organisatietype") & (groups["waarde"] == "gemeente")
                   & (groups["golf"] == "2016")].iloc[0]
    assert gem16["gecodeerde passages"] == 4 and gem16["strateeg passages"] == 1

    docs = sheet_frame(workbook["Documenten"])
    strat = docs[(docs["document"] == "documents/verslag.pdf") & (docs["code"] == "strateeg")].iloc[0]
    assert strat["passages met code"] == 2
    assert strat["vindplaatsen"] == "p. 1, alinea 2; p. 2, alinea 2"
    assert docs[docs["document"] == "documents/notitie.docx"]["naam"].tolist() == ["(geen codes)"]

    book = sheet_frame(workbook["Codeboek"])
    assert book.columns.tolist()[:4] == ["id", "groep", "naam", "definitie"]
    assert book["id"].tolist() == list(CODES)

    acc = dict(sheet_frame(workbook["Verantwoording"]).iloc[:, :2].values)
    assert acc["Passages"] == len(frame)
    assert acc["Gecodeerd (inhoudelijke passages)"] == int((frame["status"] == "ok").sum())
    assert acc["  leeg"] == 1 and acc["  opvulling (bijv. 'weet niet')"] == 1 and acc["  ontbrekend (NA-waarde)"] == 1


# --------------------------------------------------------------------------- CSV


#: Per dialect: pandas' options to read it back, how the file starts, a probability as written.
DIALECTS = {
    "nl": ({"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}, b"\xef\xbb\xbfpassage_id;bron;soort;", b";0,91;"),
    "tools": ({"sep": ",", "decimal": ".", "encoding": "utf-8"}, b"passage_id,bron,soort,", b",0.91,"),
}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_csv_dialect_reads_back_with_text_neutralised(request, dialect, frame):
    from pipeline.export import clean_text
    from pipeline.files import is_formula_like

    exported = request.getfixturevalue("exported" if dialect == "nl" else "exported_tools")
    path = exported["_out"] / "passages.csv"
    options, start, probability = DIALECTS[dialect]
    raw = path.read_bytes()
    assert raw.startswith(start) and b"\r\n" not in raw  # BOM only for Excel; the separator right after
    assert probability in raw and (b"0.91" if dialect == "nl" else b"0,91") not in raw
    text = {k: v for k, v in options.items() if k != "decimal"}
    table = pd.read_csv(path, dtype=str, keep_default_na=False, **text)
    assert len(table) == len(frame) and "tekst" in table.columns  # split into columns, not one
    assert table["passage_id"].tolist() == frame["passage_id"].tolist()
    texts = table.set_index("passage_id")["tekst"]
    for pid, value in MALICIOUS.items():
        assert texts[pid] == "'" + clean_text(value)
    assert texts["2016/R001/rol"] == frame.set_index("passage_id").loc["2016/R001/rol", "text"]
    assert texts["2016/R002/rol"].startswith("Ik ben verbinder tussen de gemeenten; [NAAM]")  # ';' in a field
    for col in table.columns:
        assert not any(is_formula_like(v) for v in table[col]), col
    assert "'" + EVIL_META in set(table["functie"])
    assert table.set_index("passage_id").loc["2016/R001/rol", "rij"] == "2"  # integers stay integers
    numbers = pd.read_csv(path, keep_default_na=False, **options)
    for c in CODES:
        assert numbers[f"p_{c}"].dtype == float and numbers[f"p_{c}"].tolist() == frame[f"p_{c}"].tolist()
    assert numbers.set_index("passage_id").loc["2018/R002/rol", "codes"] == "strateeg;belangen"
    assert "CSV-dialect " + dialect in exported["_lines"][-1][0]


# --------------------------------------------------------------------------- REFI-QDA

P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
# Element order of the QDA-XML 1.0 schema types used here (Project.xsd, March 2019).
ORDER = {
    "Project": ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                "Description", "NoteRef"],
    "Code": ["Description", "NoteRef", "Code"],
    "Case": ["Description", "CodeRef", "VariableValue", "SourceRef", "SelectionRef"],
    "TextSource": ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"],
    "PlainTextSelection": ["Description", "Coding", "NoteRef"],
    "Coding": ["CodeRef", "NoteRef"],
    "VariableValue": ["VariableRef", "TextValue"],
    "Set": ["Description", "MemberCode", "MemberSource", "MemberNote"],
}


def local(el) -> str:
    return etree.QName(el).localname


def assert_schema_order(root) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str) or local(el) not in ORDER:
            continue
        allowed = ORDER[local(el)]
        seen = [allowed.index(local(child)) for child in el]  # ValueError: child not allowed here
        assert seen == sorted(seen), (local(el), [local(c) for c in el])


@pytest.fixture(scope="session")
def qdpx(exported):
    with zipfile.ZipFile(exported["_out"] / "samenspel.qdpx") as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    return etree.fromstring(files["project.qde"]), files


def test_qdc_structure(exported):
    root = etree.parse(str(exported["_out"] / "samenspel.qdc")).getroot()
    assert root.tag == f"{C}CodeBook" and root.get("origin") == "samenspel"
    codes = root.find(f"{C}Codes")
    parents = codes.findall(f"{C}Code")
    assert [p.get("name") for p in parents] == ["Oriëntaties", "Thema's"]
    assert all(p.get("isCodable") == "false" for p in parents)
    leaves = root.findall(f".//{C}Code/{C}Code")
    assert [c.get("isCodable") for c in leaves] == ["true"] * 3
    assert "De alliantiemanager als <netwerker>" in [c.get("name") for c in leaves]
    assert "& kiest positie" in leaves[0].findtext(f"{C}Description")
    guids = [c.get("guid") for c in root.iter(f"{C}Code")]
    assert all(GUID.match(g) for g in guids) and len(set(guids)) == len(guids)
    for code in root.iter(f"{C}Code"):
        assert code.get("name") and code.get("isCodable") in ("true", "false")
        assert [local(c) for c in code] == sorted((local(c) for c in code), key=["Description", "Code"].index)


def test_qdpx_structure(exported, qdpx, frame):
    root, files = qdpx
    assert root.tag == f"{P}Project"
    assert root.get("name") == "samenspel test" and root.get("origin") == "samenspel"
    assert root.get("creationDateTime") == "2016-06-22T00:00:00Z"
    assert_schema_order(root)
    users = root.findall(f"{P}Users/{P}User")
    assert [u.get("name") for u in users] == ["samenspel"]
    user = users[0].get("guid")
    assert root.get("creatingUserGUID") == user

    guids = [el.get("guid") for el in root.iter() if isinstance(el.tag, str) and el.get("guid") is not None]
    assert all(GUID.match(g) for g in guids), [g for g in guids if not GUID.match(g)]
    assert len(set(guids)) == len(guids)

    code_els = root.findall(f"{P}CodeBook/{P}Codes//{P}Code")
    codes = {c.get("guid"): c for c in code_els}
    assert all(c.get("name") and c.get("isCodable") in ("true", "false") for c in code_els)
    codable = {g for g, c in codes.items() if c.get("isCodable") == "true"}
    qdc = etree.parse(str(exported["_out"] / "samenspel.qdc")).getroot()
    assert {c.get("guid") for c in qdc.iter(f"{C}Code")} == set(codes)  # same GUIDs as the .qdc

    variables = {v.get("guid"): v.get("name") for v in root.findall(f"{P}Variables/{P}Variable")}
    assert set(variables.values()) == {"golf", "organisatietype", "functie"}
    assert all(v.get("typeOfVariable") == "Text" for v in root.iter(f"{P}Variable"))
    sources = {s.get("guid"): s for s in root.findall(f"{P}Sources/{P}TextSource")}
    for ref in root.iter(f"{P}VariableRef"):
        assert ref.get("targetGUID") in variables
    for ref in root.iter(f"{P}SourceRef"):
        assert ref.get("targetGUID") in sources
    for ref in root.iter(f"{P}MemberSource"):
        assert ref.get("targetGUID") in sources
    for ref in root.iter(f"{P}CodeRef"):
        assert ref.get("targetGUID") in codable

    cases = root.findall(f"{P}Cases/{P}Case")
    assert len(cases) == 8  # 7 respondents in 2016/2018 plus R004 in 2018 (the split answer)
    case = next(c for c in cases if c.get("name") == "2016/R002")
    values = {variables[vv.find(f"{P}VariableRef").get("targetGUID")]: vv.findtext(f"{P}TextValue")
              for vv in case.findall(f"{P}VariableValue")}
    assert values == {"golf": "2016", "organisatietype": "provincie", "functie": EVIL_META}
    assert len(sources) == 8 + 2
    assert {s.get("name") for s in sources.values()} >= {"documents/verslag.pdf", "documents/notitie.docx"}

    by_id = frame.set_index("passage_id")
    selected = {}
    for src in sources.values():
        path = src.get("plainTextPath")
        assert path == f"internal://{src.get('guid')}.txt"
        name = "sources/" + path[len("internal://"):]
        assert name in files
        text = files[name].decode("utf-8")
        assert not text.startswith("\ufeff")
        for sel in src.findall(f"{P}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= start < end <= len(text)
            pid = sel.get("name")
            assert text[start:end] == by_id.loc[pid, "clean"].strip()
            assert sel.get("creatingUser") == user and sel.get("creationDateTime")
            codings = sel.findall(f"{P}Coding")
            got = {codes[c.find(f"{P}CodeRef").get("targetGUID")].get("name") for c in codings}
            assert len(got) == len(codings) == len(by_id.loc[pid, "codes"].split(";"))
            assert all(c.get("creatingUser") == user for c in codings)
            selected[pid] = got
    coded = frame.loc[frame["codes"] != "", "passage_id"]
    assert set(selected) == set(coded)
    assert selected["verslag/0002.1"] == {"De alliantiemanager als strateeg", "De alliantiemanager als <netwerker>"}
    referenced = {"sources/" + s.get("plainTextPath")[len("internal://"):] for s in sources.values()}
    assert referenced == {n for n in files if n.startswith("sources/")}


def test_qdpx_source_layout(qdpx):
    root, files = qdpx
    sources = {s.get("name"): s for s in root.iter(f"{P}TextSource")}

    def text(name):
        return files["sources/" + sources[name].get("plainTextPath")[len("internal://"):]].decode("utf-8")

    assert text("2016/R002") == ("Vraag: rol\nIk ben verbinder tussen de gemeenten; [NAAM] en ik kennen het "
                                 "netwerk.\n\nVraag: uitdaging\nweet niet")
    assert text("2018/R004") == ("Vraag: rol\nEerst de strategie: waar doen we mee? Daarna het netwerk "
                                 "onderhouden, met 😀 erbij.")
    paragraphs = text("documents/verslag.pdf").split("\n\n")
    assert paragraphs[1] == "De secretaris zet de koers uit. Hij onderhoudt het netwerk."
    assert "\r" not in text("2018/R001")
    sets = {s.get("name") for s in root.iter(f"{P}Set")}
    assert sets == {"Enquête golf 2016", "Enquête golf 2018", "Documenten"}


# --------------------------------------------------------------------------- reruns and errors


def test_rerun_gives_identical_bytes(exported, tmp_path):
    again = run_export(tmp_path)
    for name in ("samenspel.xlsx", "passages.csv", "samenspel.qdc", "samenspel.qdpx"):
        assert (again["_out"] / name).read_bytes() == (exported["_out"] / name).read_bytes(), name


def test_summary_line(exported):
    lines = [msg for msg, warn in exported["_lines"] if not warn]
    assert len(lines) == 1 and lines[0].startswith("export: ")
    assert exported["qda_selections"] == int((classified_frame()["codes"] != "").sum())


def test_without_topics(tmp_path):
    import openpyxl

    summary = run_export(tmp_path, topics=False)
    ws = openpyxl.load_workbook(summary["_out"] / "samenspel.xlsx")["Passages"]
    assert not any(str(c.value).startswith("onderwerp_") for c in ws[1])


def test_topic_corpora_choice_and_missing_corpus(tmp_path):
    summary = run_export(tmp_path, topic_corpora=["documenten", "bestaat_niet"])
    assert summary["topic_columns"] == ["onderwerp_documenten"]
    assert any(warn and "bestaat_niet" in msg for msg, warn in summary["_lines"])


def test_codebook_mismatch_is_a_user_error(tmp_path):
    from pipeline.export import run

    classified, codebook, _, _ = write_inputs(tmp_path)
    codebook.write_text(CODEBOOK_YAML.replace("id: belangen", "id: regie"), encoding="utf-8")
    with pytest.raises(SamenspelError, match="regie"):
        run(classified, codebook, None, tmp_path / "a.xlsx", tmp_path / "a.csv", tmp_path / "a.qdc",
            tmp_path / "a.qdpx", make_cfg())
    assert not (tmp_path / "a.xlsx").exists()


def test_missing_topics_file_is_a_user_error(tmp_path):
    from pipeline.export import run

    classified, codebook, _, _ = write_inputs(tmp_path)
    with pytest.raises(SamenspelError, match="--no-topics"):
        run(classified, codebook, tmp_path / "nope.parquet", tmp_path / "a.xlsx", tmp_path / "a.csv",
            tmp_path / "a.qdc", tmp_path / "a.qdpx", make_cfg())
