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

#: Personal data planted in the tiny survey; none of these values may leave `scrub`.
PLANTED = ["j.jansen@example.nl", "06-12345678", "NL91ABNA0417164300", "111222333", "3511 AB", "Stationsstraat 12",
           "+31 20 555 1234", "GB-12-HJ", "p.devries@voorbeeld.nl"]
PLANTED_ANSWERS = [
    "Mijn IBAN is NL91ABNA0417164300 voor de declaratie van de regiodag.",
    "BSN 111222333 stond per ongeluk in het formulier van de regio.",
    "Het regiokantoor zit op Stationsstraat 12, 3511 AB Utrecht, bel +31 20 555 1234.",
    "De dienstauto GB-12-HJ staat bij de GGD; vragen aan p.devries@voorbeeld.nl.",
]


def dvc(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "DVC_NO_ANALYTICS": "1"}
    return subprocess.run([str(bindir / "dvc"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1200)


def make_workspace(ws: Path) -> dict:
    """A tiny copy of the project: code, dvc.yaml, adapted params, small corpora."""
    shutil.copytree(ROOT / "pipeline", ws / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "dvc.yaml", ws / "dvc.yaml")
    (ws / "corpora" / "annotations").mkdir(parents=True)
    shutil.copy(ROOT / "corpora" / "codebook.yaml", ws / "corpora" / "codebook.yaml")
    # the committed real-text measurement and relevance threshold (inputs of train and evaluate)
    shutil.copytree(ROOT / "corpora" / "devset", ws / "corpora" / "devset")
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
    for i, text in enumerate(PLANTED_ANSWERS):
        rows[5 + i]["antwoord_uitdaging"] = text
    factory.write_csv(surveys / "golf2030.csv", rows, encoding="cp1252")
    factory.write_spec(surveys / "golf2030.yaml", "golf2030.csv")
    factory.write_pdf(documents / "regeling.pdf")
    factory.write_docx(documents / "convenant.docx")
    (documents / "kapot.docx").write_text("geen docx", encoding="utf-8")

    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["scrub"]["deduce"] = False  # deduce is covered by tests/scrub; its cold start is slow
    params["nlp"]["backend"] = "fallback"
    params["train"]["cv_folds"] = 3
    params["train"]["candidates"] = {"lemma_char_svm": {"char": True, "model": "linearsvc", "C": 0.5}}
    (ws / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    init = dvc(["init", "--no-scm", "-q"], ws)
    assert init.returncode == 0, init.stderr
    return params


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    ws = tmp_path_factory.mktemp("repo")
    params = make_workspace(ws)
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


def test_classified_table_has_the_documented_code_columns(workspace):
    from pipeline.codebook import load_codebook

    ws, params, _ = workspace
    classified = pd.read_parquet(ws / params["paths"]["classified"])
    ids = load_codebook(ws / params["paths"]["codebook"]).ids
    for c in ids:
        assert set(classified[c].unique()) <= {0, 1}
        assert classified[f"p_{c}"].between(0, 1).all()
    joined = classified[ids].apply(lambda row: ";".join(c for c in ids if row[c] == 1), axis=1)
    assert (joined == classified["codes"]).all()
    assert (classified.loc[~classified["classified"], ids] == 0).all().all()


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


def _artefact_texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) for a pipeline artefact: Parquet as its cell values, zip containers
    (xlsx, qdpx, skops) member by member, everything else as bytes decoded leniently."""
    import zipfile

    if path.suffix == ".parquet":
        return [(str(path), pd.read_parquet(path).to_csv(index=False))]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return [(f"{path}!{n}", zf.read(n).decode("utf-8", "replace")) for n in zf.namelist()]
    return [(str(path), path.read_bytes().decode("utf-8", "replace"))]


def test_no_planted_value_in_any_artefact(workspace):
    """Every file the pipeline writes after `ingest` is free of the planted personal data.

    `data/ingest/` (raw passages) and the DVC cache hold the unscrubbed text by design,
    like the exports themselves; everything downstream of `scrub` must not.
    """
    ws, _, _ = workspace
    roots = [ws / "data" / d for d in ("scrub", "nlp", "train", "classify", "topics")]
    roots += [ws / "models", ws / "reports", ws / "metrics", ws / ".samenspel-cache"]
    files = [f for r in roots if r.exists() for f in r.rglob("*") if f.is_file()]
    assert any(f.suffix == ".xlsx" for f in files) and any(f.suffix == ".qdpx" for f in files)
    assert any(f.name == "index.html" for f in files)
    leaks = [(where, value) for f in files for where, text in _artefact_texts(f) for value in PLANTED
             if value in text or value.replace(" ", "") in text.replace(" ", "")]
    assert not leaks, leaks[:5]
    raw = pd.read_parquet(ws / "data" / "ingest" / "passages.parquet")
    assert "NL91ABNA0417164300" in " ".join(raw["text"])  # the values really were planted


def test_two_clean_runs_are_identical(workspace, tmp_path):
    """Two `dvc repro` runs from a clean state give byte-identical Parquet and identical metrics."""
    ws, _, _ = workspace
    other = tmp_path / "again"
    other.mkdir()
    make_workspace(other)
    run = dvc(["repro"], other)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    tables = sorted(p.relative_to(ws) for p in (ws / "data").rglob("*.parquet"))
    assert len(tables) >= 6
    for rel in tables:
        assert (ws / rel).read_bytes() == (other / rel).read_bytes(), rel
    for rel in sorted(p.relative_to(ws) for p in (ws / "metrics").glob("*.json")):
        assert json.loads((ws / rel).read_text()) == json.loads((other / rel).read_text()), rel
