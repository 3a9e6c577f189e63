"""Tests for `pipeline.ingest.surveys`: one export with its wave spec."""

from __future__ import annotations

import json

from pipeline import ingest
from tests import factory


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
