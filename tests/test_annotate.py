"""Annotation round-trip: export uncertain passages, import the coded files back."""

from __future__ import annotations

import json

import openpyxl
import pytest

from pipeline import annotate
from pipeline.annotations import load_annotations
from pipeline.codebook import load_codebook
from pipeline.errors import SamenspelError
from tests.conftest import ROOT
from tests.conftest import CODEBOOK


@pytest.fixture
def classified(tmp_path, trained, params):
    """A classified table from the project's own pipeline stages on a few passages."""
    import pandas as pd

    from pipeline import classify
    from pipeline.files import write_table
    from pipeline.nlp import NlpConfig
    from pipeline import nlp as nlp_stage
    from pipeline.schema import SCRUBBED
    from tests.nlp.helpers import scrubbed_table

    _, out = trained
    texts = ["Ik ben penvoerder van de regio deal en bereid de stuurgroep voor.",
             "Iedere gemeente kijkt naar het eigen belang.", "Het glasvezelnetwerk is klaar.",
             "We vergaderen veel maar er komt niets uit.", "Ik coach collega's in de regio."]
    write_table(tmp_path / "s.parquet", scrubbed_table(texts), SCRUBBED)
    cfg = NlpConfig.from_params({**params["nlp"], "backend": "fallback"})
    nlp_stage.run(tmp_path / "s.parquet", tmp_path / "n.parquet", tmp_path / "nm.json", cfg)
    classify.run(tmp_path / "s.parquet", tmp_path / "n.parquet", out / "classifier.skops", tmp_path / "c.parquet",
                 tmp_path / "cm.json", tmp_path / "co.csv")
    return tmp_path / "c.parquet", out / "classifier.skops"


def test_export_then_import_round_trip(tmp_path, classified, annotations_dir):
    c_path, model = classified
    ann = tmp_path / "ann"
    ann.mkdir()
    for f in annotations_dir.glob("*.jsonl"):
        (ann / f.name).write_bytes(f.read_bytes())
    sheet = annotate.export(c_path, model, CODEBOOK, tmp_path / "a.xlsx", tmp_path / "ls.json", n=3)
    assert len(sheet) == 3
    tasks = json.loads((tmp_path / "ls.json").read_text())
    assert [t["data"]["passage_id"] for t in tasks] == sheet["id"].tolist()
    assert 'choice="multiple"' in (tmp_path / "ls.config.xml").read_text()

    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    ws = wb["annoteren"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("regie") + 1, value="1")
    ws.cell(row=3, column=header.index("belangen") + 1, value="x")
    wb.save(tmp_path / "a.xlsx")
    # Label Studio: the third passage, coded there.
    tasks[2]["annotations"] = [{"result": [{"value": {"choices": ["procesmanager"]}}]}]
    tasks = tasks[2:]
    (tmp_path / "ls_export.json").write_text(json.dumps(tasks), encoding="utf-8")

    out = annotate.import_([tmp_path / "a.xlsx", tmp_path / "ls_export.json"], c_path, CODEBOOK, ann,
                           annotator="tester", date="2030-01-01")
    new = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    by_id = {r["id"]: r for r in new}
    first = f"ann-{sheet['id'][0]}"
    assert by_id[first]["codes"] == ["regie"] and by_id[first]["annotator"] == "tester"
    assert by_id[first]["date"] == "2030-01-01" and by_id[first]["split"] == "train"
    assert by_id[f"ann-{sheet['id'][2]}"]["codes"] == ["procesmanager"]
    # The merged corpus still loads and contains the new passages.
    assert first in set(load_annotations(ann, load_codebook(CODEBOOK))["id"])
    # Importing the same file twice is refused.
    with pytest.raises(SamenspelError, match="al geannoteerd"):
        annotate.import_([tmp_path / "a.xlsx"], c_path, CODEBOOK, ann, annotator="tester", date="2030-01-01")


def test_import_rejects_unknown_codes_and_mismatched_rows(tmp_path, classified):
    c_path, model = classified
    annotate.export(c_path, model, CODEBOOK, tmp_path / "a.xlsx", tmp_path / "ls.json", n=2)
    tasks = json.loads((tmp_path / "ls.json").read_text())
    tasks[0]["annotations"] = [{"result": [{"value": {"choices": ["vertrouwen"]}}]}]
    (tmp_path / "bad.json").write_text(json.dumps(tasks), encoding="utf-8")
    with pytest.raises(SamenspelError, match="onbekende code"):
        annotate.import_([tmp_path / "bad.json"], c_path, CODEBOOK, ROOT / "corpora" / "annotations", "x")
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    wb["annoteren"].cell(row=2, column=2, value="Een andere tekst dan de passage.")
    wb["annoteren"].cell(row=2, column=6, value="1")
    wb.save(tmp_path / "changed.xlsx")
    with pytest.raises(SamenspelError, match="wijkt af"):
        annotate.import_([tmp_path / "changed.xlsx"], c_path, CODEBOOK, ROOT / "corpora" / "annotations", "x")
