"""One end-to-end `dvc repro` on a tiny configuration, then a second one that does nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests import factory
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def dvc(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "DVC_NO_ANALYTICS": "1"}
    return subprocess.run([str(bindir / "dvc"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1200)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    ws = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "pipeline", ws / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "dvc.yaml", ws / "dvc.yaml")
    (ws / "corpora" / "annotations").mkdir(parents=True)
    shutil.copy(ROOT / "corpora" / "codebook.yaml", ws / "corpora" / "codebook.yaml")
    shutil.copy(ROOT / "corpora" / "annotations" / "train_enquete_a.jsonl", ws / "corpora" / "annotations")
    test = [json.loads(l) for l in (ROOT / "corpora" / "annotations" / "train_beleid_a.jsonl")
            .read_text(encoding="utf-8").splitlines()[:40]]
    with (ws / "corpora" / "annotations" / "test.jsonl").open("w", encoding="utf-8") as fh:
        for rec in test:
            fh.write(json.dumps({**rec, "id": "t-" + rec["id"], "split": "test"}, ensure_ascii=False) + "\n")
    surveys = ws / "corpora" / "surveys"
    documents = ws / "corpora" / "documents"
    surveys.mkdir()
    documents.mkdir()
    rows = factory.survey_rows(30)
    rows[2]["antwoord_rol"] = "Mail me op j.jansen@example.nl of bel 06-12345678."
    factory.write_csv(surveys / "golf2030.csv", rows, encoding="cp1252")
    factory.write_spec(surveys / "golf2030.yaml", "golf2030.csv")
    factory.write_pdf(documents / "regeling.pdf")
    factory.write_docx(documents / "convenant.docx")
    (documents / "kapot.docx").write_text("geen docx", encoding="utf-8")

    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["scrub"]["deduce"] = False  # deduce is covered by test_scrub; its cold start is slow
    params["nlp"]["backend"] = "fallback"
    params["train"]["cv_folds"] = 3
    params["train"]["candidates"] = {"lemma_char_svm": {"char": True, "model": "linearsvc", "C": 0.5}}
    (ws / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    init = dvc(["init", "--no-scm", "-q"], ws)
    assert init.returncode == 0, init.stderr
    first = dvc(["repro"], ws)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    return ws, params, first


def test_repro_writes_every_stage_output(workspace):
    ws, params, _ = workspace
    for key in ("passages", "scrubbed", "nlp", "model", "classified", "ingest_accounting", "evaluate_metrics"):
        assert (ws / params["paths"][key]).exists(), key


def test_accounting_reconciles_and_bad_file_is_recorded(workspace):
    ws, params, _ = workspace
    acc = json.loads((ws / params["paths"]["ingest_accounting"]).read_text())
    skipped = [f for f in acc["files"] if f["status"] == "skipped"]
    assert [f["file"] for f in skipped] == ["documents/kapot.docx"] and skipped[0]["reason"]
    classified = pd.read_parquet(ws / params["paths"]["classified"])
    totals = acc["totals"]
    assert len(classified) == totals["passages"]
    survey = classified[classified["kind"] == "survey"]
    assert int(survey["classified"].sum()) == totals["answers_non_empty"]
    assert len(survey) == totals["answers"]


def test_no_personal_data_after_scrub(workspace):
    ws, params, _ = workspace
    for key in ("scrubbed", "classified"):
        text = " ".join(pd.read_parquet(ws / params["paths"][key])["text"])
        assert "j.jansen@example.nl" not in text and "06-12345678" not in text


def test_backend_is_recorded(workspace):
    ws, params, _ = workspace
    nlp_metrics = json.loads((ws / params["paths"]["nlp_metrics"]).read_text())
    assert nlp_metrics["backend"].startswith("fallback")


def test_second_repro_does_nothing(workspace):
    ws, _, _ = workspace
    second = dvc(["repro"], ws)
    assert second.returncode == 0
    assert "Running stage" not in second.stdout
    status = dvc(["status"], ws)
    assert "up to date" in status.stdout.lower()
