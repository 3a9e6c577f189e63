"""Tests for `pipeline.ingest.columns`: exports without a YAML, every column judged and accounted for."""

from __future__ import annotations

import json

import pytest

from pipeline import ingest
from pipeline.readers import SURVEY_READERS
from tests import factory
from tests.ingest.helpers import run


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
