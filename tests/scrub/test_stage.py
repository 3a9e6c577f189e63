"""Tests for `pipeline/scrub/__init__.py`: the stage (`run`, `ScrubConfig`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_table
from pipeline.schema import PASSAGES, SCRUBBED
from pipeline.scrub import ScrubConfig, _sources, run


def _passages() -> pd.DataFrame:
    base = {"source": "surveys/golf.csv", "kind": "survey", "wave": "2024", "question_id": "q1", "page": None,
            "paragraph": None, "chunk": 0, "section": None, "status": "ok"}
    rows = [
        {**base, "passage_id": "2024/123456782/q1", "respondent_id": "123456782", "row": 1,
         "text": "Bel mevrouw De Vries op 06-12345678 over de regio.", "meta_functie": "beleidsadviseur"},
        {**base, "passage_id": "2024/r2/q1", "respondent_id": "r2", "row": 2,
         "text": "De samenwerking in Regio Foodvalley gaat goed.", "meta_functie": "contact: j.jansen@ede.nl"},
        {**base, "passage_id": "2024/r3/q1", "respondent_id": "r3", "row": 3, "text": "", "status": "empty",
         "meta_functie": None},
    ]
    doc = {"source": "documents/nota.md", "kind": "document", "wave": None, "respondent_id": None,
           "question_id": None, "row": None, "page": None, "chunk": 0, "section": "Inleiding", "status": "ok",
           "meta_functie": None}
    rows += [
        {**doc, "passage_id": "nota/0001", "paragraph": 1, "text": "Contact: wethouder Hoekstra, 030-1234567."},
        {**doc, "passage_id": "nota/0002", "paragraph": 2, "text": "Gemeente Utrecht trekt de kar."},
    ]
    df = pd.DataFrame(rows)
    for col in ("row", "page", "paragraph", "chunk"):
        df[col] = df[col].astype("Int64")
    return df


def _config(**over) -> ScrubConfig:
    params = {"surveys": True, "documents": False, "deduce": False, "ner": False, "batch_size": 8, **over}
    return ScrubConfig.from_params(params)


def test_run_scrubs_surveys_and_leaves_documents(tmp_path, scrubber):
    src = tmp_path / "passages.parquet"
    write_table(src, _passages(), PASSAGES)
    lines: list[str] = []
    df = run(src, tmp_path / "scrubbed.parquet", tmp_path / "scrub.json", _config(deduce=True),
             say=lambda msg, warn=False: lines.append(msg))

    out = read_table(tmp_path / "scrubbed.parquet", SCRUBBED)
    assert len(out) == 5 and list(out["passage_id"]) == list(_passages()["passage_id"])
    assert list(out["scrubbed"]) == [True, True, True, False, False]
    assert out.loc[0, "text"] == "Bel mevrouw [NAAM] op [TELEFOON] over de regio."
    assert list(out.loc[0, "pii_types"]) == ["NAAM", "TELEFOON"]
    assert out.loc[1, "text"] == "De samenwerking in Regio Foodvalley gaat goed."
    assert out.loc[1, "meta_functie"] == "contact: [EMAIL]" and list(out.loc[1, "pii_types"]) == ["EMAIL"]
    assert out.loc[0, "respondent_id"] == "123456782"  # an id, even though it passes the elfproef
    assert list(out.loc[2, "pii_types"]) == []
    assert out.loc[3, "text"] == "Contact: wethouder Hoekstra, 030-1234567."  # documents: false
    assert list(out.loc[3, "pii_types"]) == []
    pd.testing.assert_frame_equal(df.reset_index(drop=True), out.reset_index(drop=True), check_dtype=False)

    metrics = json.loads((tmp_path / "scrub.json").read_text(encoding="utf-8"))
    assert metrics["passages"] == 5 and metrics["passages_scrubbed"] == 3 and metrics["passages_with_pii"] == 2
    assert metrics["pii_naam"] == 1 and metrics["pii_telefoon"] == 1 and metrics["pii_email"] == 1
    assert metrics["placeholders"] == 3 and metrics["meta_values_scrubbed"] == 1
    assert metrics["deduce"] is True and metrics["ner"] is False
    assert all(not isinstance(v, (dict, list)) for v in metrics.values())  # flat
    assert len(lines) == 1 and "scrub:" in lines[0]


def test_run_scrubs_documents_when_asked(tmp_path):
    src = tmp_path / "passages.parquet"
    write_table(src, _passages(), PASSAGES)
    out = run(src, tmp_path / "s.parquet", tmp_path / "m.json", _config(surveys=False, documents=True),
              say=lambda *a, **k: None)
    assert list(out["scrubbed"]) == [False, False, False, True, True]
    assert out.loc[0, "text"].endswith("06-12345678 over de regio.")  # surveys: false
    assert out.loc[3, "text"] == "Contact: wethouder [NAAM], [TELEFOON]."
    assert out.loc[4, "text"] == "Gemeente Utrecht trekt de kar."
    assert out.loc[1, "meta_functie"] == "contact: j.jansen@ede.nl"


def test_config_names_the_missing_key():
    with pytest.raises(SamenspelError, match="scrub.batch_size"):
        ScrubConfig.from_params({"surveys": True, "documents": False, "deduce": True, "ner": False})


def test_cache_fingerprint_covers_every_module_of_the_package():
    loaded = {Path(m.__file__) for name, m in sys.modules.items() if name.startswith("pipeline.scrub.")}
    assert loaded and loaded <= set(_sources())
