"""Stage `ingest`: passages, accounting, skips with reasons, --strict."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline import ingest
from pipeline.errors import SamenspelError
from pipeline.readers import SURVEY_READERS
from pipeline.text import split_long
from tests import factory


def run(tmp_path, cfg, surveys=None, documents=None):
    out = tmp_path / "out"
    df = ingest.run(surveys, documents, out / "passages.parquet", out / "accounting.json", out / "metrics.json", cfg)
    return df, json.loads((out / "accounting.json").read_text()), json.loads((out / "metrics.json").read_text())


@pytest.fixture
def corpus(tmp_path):
    surveys = tmp_path / "surveys"
    documents = tmp_path / "documents"
    surveys.mkdir()
    documents.mkdir()
    rows = factory.survey_rows(12)
    rows[3]["antwoord_rol"] = "NA"
    rows[4]["antwoord_rol"] = "N.v.t."
    factory.write_csv(surveys / "golf2030.csv", rows, encoding="cp1252")
    factory.write_spec(surveys / "golf2030.yaml", "golf2030.csv")
    factory.write_pdf(documents / "gr.pdf")
    factory.write_docx(documents / "convenant.docx")
    (documents / "agenda.html").write_text(factory.HTML, encoding="utf-8")
    (documents / "README.md").write_text("Uitleg, geen document.", encoding="utf-8")
    return surveys, documents, rows


def test_every_non_empty_answer_becomes_a_passage(tmp_path, ingest_cfg, corpus):
    surveys, documents, rows = corpus
    df, acc, metrics = run(tmp_path, ingest_cfg, surveys, documents)
    # Independent count from the source file itself.
    raw = pd.read_csv(surveys / "golf2030.csv", sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    for _, r in raw.iterrows():
        for qid, col in (("rol", "antwoord_rol"), ("uitdaging", "antwoord_uitdaging")):
            hit = df[df["passage_id"] == f"2030/{r['respondent']}/{qid}"]
            assert len(hit) == 1
            assert hit["text"].iloc[0] == r[col].strip()
    ok = df[(df["kind"] == "survey") & (df["status"] == "ok")]
    assert len(ok) == metrics["answers_non_empty"]
    assert metrics["answers"] == 2 * len(rows) == metrics["answers_non_empty"] + metrics["answers_empty"] \
        + metrics["answers_na"] + metrics["answers_filler"]
    assert metrics["answers_na"] == 1
    assert set(df.loc[df["text"].isin(["weet niet", "N.v.t."]), "status"]) == {"filler"}


def test_provenance_and_metadata(tmp_path, ingest_cfg, corpus):
    surveys, documents, _ = corpus
    df, acc, _ = run(tmp_path, ingest_cfg, surveys, documents)
    first = df[df["passage_id"] == "2030/R001/rol"].iloc[0]
    assert first["source"] == "surveys/golf2030.csv" and first["row"] == 2 and first["wave"] == "2030"
    assert first["meta_organisatie"] == "gemeente"
    pdf = df[df["source"] == "documents/gr.pdf"]
    assert pdf["page"].tolist() == [1, 1, 1, 2, 2, 2] and pdf["paragraph"].tolist() == [1, 2, 3, 4, 5, 6]
    assert pdf["passage_id"].iloc[0] == "gr/0001"
    assert acc["ignored"] == ["documents/README.md"]
    docs = {e["file"]: e for e in acc["files"] if e["kind"] == "document"}
    assert sum(e["passages"] for e in docs.values()) == (df["kind"] == "document").sum()


def test_bad_files_are_skipped_with_reason(tmp_path, ingest_cfg, corpus):
    surveys, documents, _ = corpus
    (documents / "kapot.docx").write_text("dit is geen Word-bestand", encoding="utf-8")
    factory.write_csv(surveys / "dubbel.csv", factory.survey_rows(3) + factory.survey_rows(2))
    factory.write_spec(surveys / "dubbel.yaml", "dubbel.csv", wave="dubbel")
    factory.write_csv(surveys / "fout.csv", factory.survey_rows(3))
    factory.write_spec(surveys / "fout.yaml", "fout.csv", wave="fout", metadata={"regio": "regio_kolom"})
    df, acc, metrics = run(tmp_path, ingest_cfg, surveys, documents)
    skipped = {e["file"]: e["reason"] for e in acc["files"] if e["status"] == "skipped"}
    assert "documents/kapot.docx" in skipped and "extensie" in skipped["documents/kapot.docx"]
    assert "dubbele respondent-id" in skipped["surveys/dubbel.csv"]
    assert "regio_kolom" in skipped["surveys/fout.csv"]
    assert metrics["files_skipped"] == 3
    assert (df["kind"] == "survey").sum() == 24  # the good wave is still there


def test_strict_stops_on_first_bad_file(tmp_path, ingest_cfg, corpus):
    surveys, documents, _ = corpus
    (documents / "leeg.pdf").write_bytes(b"")
    ingest_cfg.strict = True
    with pytest.raises(SamenspelError, match="leeg"):
        run(tmp_path, ingest_cfg, surveys, documents)


def test_document_signature_block_is_kept_with_its_status(tmp_path, ingest_cfg):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "besluit.md").write_text("##Besluit regionale samenwerking\n\n###Artikel 1\n\n"
                                          "De regio werkt samen.\n\nDen Haag, 3 maart 2024\n\n"
                                          "De Minister van Binnenlandse Zaken,\nw.g. J. Jansen\n", encoding="utf-8")
    df, acc, metrics = run(tmp_path, ingest_cfg, documents=documents)
    assert df["status"].tolist() == ["ok", "signature", "signature"]
    assert set(df["section"]) == {"Besluit regionale samenwerking › Artikel 1"}
    assert acc["files"][0]["signature_passages"] == 2 and metrics["passages_ok"] == 1


def test_without_yaml_open_columns_are_detected_and_reported(tmp_path, ingest_cfg):
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    rows = [{"ResponseId": f"x{i}", "leeftijd": str(30 + i), "sector": "gemeente",
             "toelichting": f"Antwoord {i}: " + factory.ANSWERS[i % 2] + f" Dat zie ik al {i} jaar zo."}
            for i in range(10)]
    factory.write_csv(surveys / "export.csv", rows, sep=",")
    messages = []
    df, acc, _ = ingest.run(surveys, None, tmp_path / "p.parquet", tmp_path / "a.json", tmp_path / "m.json",
                            ingest_cfg, say=lambda m, warn=False: messages.append(m)), \
        json.loads((tmp_path / "a.json").read_text()), None
    entry = acc["files"][0]
    assert entry["autodetected"]["open_columns"] == ["toelichting"]
    assert entry["autodetected"]["id_column"] == "ResponseId"
    assert any("toelichting" in m for m in messages)
    assert len(df) == 10 and df["meta_sector"].eq("gemeente").all()


def test_warnings_for_duplicate_ids_and_a_plain_text_page_are_on_screen(tmp_path, ingest_cfg):
    from tests import battery

    surveys, documents = tmp_path / "surveys", tmp_path / "documents"
    surveys.mkdir()
    documents.mkdir()
    battery.csv_duplicate_ids_no_yaml(surveys)
    battery.html_deeply_nested(documents)
    messages = []
    ingest.run(surveys, documents, tmp_path / "p.parquet", tmp_path / "a.json", tmp_path / "m.json", ingest_cfg,
               say=lambda m, warn=False: messages.append((m, warn)))
    warnings = [m for m, warn in messages if warn]
    assert len(warnings) == 2
    assert warnings[0].startswith("surveys/csv_duplicate_ids_no_yaml.csv: LET OP:")
    assert "R001 (rij 2, 5); R002 (rij 3, 6)" in warnings[0]
    assert warnings[1].startswith("documents/html_deeply_nested.html: LET OP:")
    assert "platte tekst van de hele pagina" in warnings[1]


def test_long_paragraph_split_on_sentences_loses_nothing():
    text = " ".join(f"Zin nummer {i} gaat over de regionale samenwerking in de regio." for i in range(200))
    chunks = split_long(text, 500)
    assert len(chunks) > 10 and all(len(c) <= 500 for c in chunks)
    assert " ".join(chunks) == text
    assert all(c.endswith(".") for c in chunks)


def test_oversized_answer_without_punctuation_is_cut_not_lost():
    text = "woord " * 200_000
    chunks = split_long(text.strip(), 1500)
    assert " ".join(chunks) == text.strip()


def test_wrong_declared_encoding_is_warned_and_recorded(tmp_path, ingest_cfg):
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    rows = factory.survey_rows(3)
    rows[0]["antwoord_rol"] = "Overleg in het café."
    factory.write_csv(surveys / "golf2030.csv", rows, encoding="utf-8")
    factory.write_spec(surveys / "golf2030.yaml", "golf2030.csv", encoding="cp1252")
    messages = []
    out = tmp_path / "out"
    ingest.run(surveys, None, out / "p.parquet", out / "a.json", out / "m.json", ingest_cfg,
               say=lambda m, warn=False: messages.append((m, warn)))
    warned = [m for m, w in messages if w and "UTF-8" in m]
    assert warned and "golf2030.csv" in warned[0]
    acc = json.loads((out / "a.json").read_text())
    assert any("UTF-8" in n for n in acc["files"][0]["notes"])


# ------------------------------------------------------------------ exports without a YAML


@pytest.mark.parametrize("build, name", [(factory.limesurvey_export, "limesurvey.csv"),
                                         (factory.qualtrics_export, "qualtrics.csv"),
                                         (factory.spss_export, "spss.sav")])
def test_autodetect_takes_every_answer_and_no_timing_or_code_column(tmp_path, ingest_cfg, build, name):
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    path, expected = build(surveys / name)
    messages = []
    df = ingest.run(surveys, None, tmp_path / "p.parquet", tmp_path / "a.json", tmp_path / "m.json", ingest_cfg,
                    say=lambda m, warn=False: messages.append(m))
    (entry,) = json.loads((tmp_path / "a.json").read_text())["files"]
    taken = {q["column"]: q["ok"] + q["filler"] for q in entry["questions"].values()}
    assert taken == expected
    assert df["status"].isin(["ok", "filler"]).sum() == sum(expected.values())
    # Every column is accounted for, with a reason; timings, codes, numbers and dates are never taken.
    columns = {c["column"]: c for c in entry["autodetected"]["columns"]}
    assert list(columns) == list(SURVEY_READERS[path.suffix](path).data.columns)
    assert all(c["reason"] and c["taken"] == (c["kind"] == "open") for c in columns.values())
    assert {c["kind"] for c in columns.values() if not c["taken"]} <= {"id", "empty", "timing", "number", "date",
                                                                       "code", "choice", "short"}
    kinds = {name: c["kind"] for name, c in columns.items()}
    for timing in ("interviewtime", "groupTime123", "12X3X45time", "Q7_First Click", "Q7_Page Submit"):
        assert kinds.get(timing, "timing") == "timing"
    for code in ("A1", "Q2[SQ001]", "startlanguage", "IPAddress", "UserLanguage", "code"):
        assert kinds.get(code, "code") == "code"
    for other in ("seed", "lastpage", "Progress", "Q3_1", "duur"):
        assert kinds.get(other, "number") == "number"
    for date in ("submitdate", "StartDate", "startdatum"):
        assert kinds.get(date, "date") == "date"
    for choice in ("tevreden", "Q1", "organisatie"):
        assert kinds.get(choice, "choice") == "choice"
    # On screen: one compact line for the file, details in the accounting.
    (line,) = [m for m in messages if m.startswith(f"surveys/{name}")]
    assert f"{len(expected)} van {len(columns)} kolommen als open vraag genomen" in line
    assert "niet genomen:" in line and "verantwoording" in line


def test_autodetect_accounts_for_the_columns_of_a_skipped_export(tmp_path, ingest_cfg):
    surveys, documents = tmp_path / "surveys", tmp_path / "documents"
    surveys.mkdir()
    documents.mkdir()
    factory.write_csv(surveys / "codes.csv", [{"id": str(i), "A1": f"A{i % 3}", "duur": str(30 + i)} for i in range(6)])
    factory.limesurvey_export(surveys / "golf.csv")
    df, acc, _ = run(tmp_path, ingest_cfg, surveys)
    skipped = next(e for e in acc["files"] if e["file"] == "surveys/codes.csv")
    assert skipped["status"] == "skipped" and "geen open-antwoordkolommen" in skipped["reason"]
    assert {c["column"]: c["kind"] for c in skipped["autodetected"]["columns"]} == {
        "id": "id", "A1": "code", "duur": "number"}


def test_no_answer_from_any_survey_stops_ingest(tmp_path, ingest_cfg, capsys):
    from pipeline.cli import main

    surveys, documents = tmp_path / "surveys", tmp_path / "documents"
    surveys.mkdir()
    documents.mkdir()
    (documents / "notitie.txt").write_text("Een notitie over de regio.\n", encoding="utf-8")
    factory.write_csv(surveys / "codes.csv", [{"id": str(i), "A1": f"A{i % 3}", "duur": str(30 + i)} for i in range(6)])
    factory.write_csv(surveys / "leeg.csv", [{"id": str(i), "opmerking": "NA"} for i in range(4)])
    with pytest.raises(SamenspelError, match="geen enkel antwoord gelezen uit 2 enquêtebestand"):
        run(tmp_path, ingest_cfg, surveys, documents)
    out = tmp_path / "cli"
    code = main(["ingest", "--surveys", str(surveys), "--documents", str(documents), "--output",
                 str(out / "p.parquet"), "--accounting", str(out / "a.json"), "--metrics", str(out / "m.json")])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("fout:")]
    assert code == 2 and len(lines) == 1 and "geen enkel antwoord" in lines[0]


def test_documents_without_any_survey_file_are_fine(tmp_path, ingest_cfg):
    surveys, documents = tmp_path / "surveys", tmp_path / "documents"
    surveys.mkdir()
    documents.mkdir()
    (surveys / "README.md").write_text("Hier komen de exports.", encoding="utf-8")
    (documents / "notitie.txt").write_text("Een notitie over de regio.\n", encoding="utf-8")
    df, acc, metrics = run(tmp_path, ingest_cfg, surveys, documents)
    assert len(df) == 1 and metrics["survey_files"] == 0
