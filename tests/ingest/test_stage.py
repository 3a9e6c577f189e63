"""Tests for the `ingest` stage (`pipeline.ingest.run`): passages, accounting, skips with reasons, --strict."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import ingest
from pipeline.errors import SamenspelError
from tests import factory
from tests.ingest.helpers import run


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
