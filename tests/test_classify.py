"""Tests for the one-off `samenspel classify INPUT --output OUT.csv` (`classify_file`, `read_input`).

Fixtures are written here: a survey CSV with several text columns and NA, empty and filler
cells, a LimeSurvey-shaped export (tests/factory.py), a Markdown regulation with nested
headings and a signature block, and a PDF with pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline import classify
from pipeline.errors import SamenspelError
from tests import factory

#: pandas' options to read OUT.csv back in each `export.csv_dialect`.
READ = {"nl": {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"},
        "tools": {"sep": ",", "decimal": ".", "encoding": "utf-8"}}

ANSWERS = {  # nr -> (rol, uitdaging)
    "a": ("Ik zorg dat de stukken voor de stuurgroep op tijd klaar zijn.",
          "Iedere gemeente kijkt alleen naar het eigen belang; bel me op 06-12345678."),
    "b": ("weet niet", "NA"),
    "c": ("", "=1+1 is hoe wethouders rekenen met het eigen belang van hun gemeente."),
    "d": ("Het glasvezelnetwerk in het buitengebied is bijna klaar.", "-"),
}

REGULATION_MD = """\
# Gemeenschappelijke regeling Waalvallei

## Hoofdstuk 1 Algemeen

###Artikel 1 Begrippen

1. De deelnemers bepalen samen de koers en de ambitie van de regio voor de komende jaren.

## Hoofdstuk 2 Bestuur

### Artikel 2 Taken

Het bestuur bereidt het overleg voor, bewaakt de planning en zorgt dat afspraken worden nagekomen.

Den Haag, 3 maart 2010

De Minister van Binnenlandse Zaken,

w.g. J. Jansen
"""


@pytest.fixture(scope="module")
def configs(params):
    from pipeline.ingest import IngestConfig
    from pipeline.nlp import NlpConfig
    from pipeline.scrub import ScrubConfig

    return (IngestConfig.from_params(params["ingest"]), ScrubConfig.from_params({**params["scrub"], "deduce": False}),
            NlpConfig.from_params({**params["nlp"], "backend": "fallback"}))


def run_file(path: Path, out: Path, trained, configs, dialect: str, text_columns=None, id_column=None,
             lines: list | None = None) -> pd.DataFrame:
    """Code `path` into `out` and read OUT.csv back the way the dialect says."""
    _, model_dir = trained
    say = (lambda msg, warn=False: lines.append((msg, warn))) if lines is not None else None
    classify.classify_file(path, out, model_dir / "classifier.skops", text_columns, id_column, *configs, dialect,
                           say=say)
    return pd.read_csv(out, keep_default_na=False, dtype={"id": str, "section": str}, **READ[dialect])


def answers_csv(path: Path) -> Path:
    rows = [{"nr": nr, "rol": rol, "uitdaging": uitdaging, "leeftijd": str(30 + i)}
            for i, (nr, (rol, uitdaging)) in enumerate(ANSWERS.items())]
    return factory.write_csv(path, rows, sep=";")


def test_several_text_columns_one_row_per_id_and_column_with_status(tmp_path, trained, configs):
    from pipeline.model import Classifier

    codes = Classifier.load(trained[1] / "classifier.skops").codes
    lines: list = []
    got = run_file(answers_csv(tmp_path / "antwoorden.csv"), tmp_path / "out.csv", trained, configs, "nl",
                   ["rol", "uitdaging", "rol"], "nr", lines)
    assert list(got.columns) == ["id", "column", "text", "status", *[f"p_{c}" for c in codes], *codes, "relevance",
                                 "codes"]
    assert list(zip(got["id"], got["column"])) == [(nr, col) for nr in ANSWERS for col in ("rol", "uitdaging")]
    assert got["status"].tolist() == ["ok", "ok", "filler", "na", "empty", "ok", "ok", "filler"]
    # an NA cell is not "coded, no code": its status says so, and it has no probabilities
    na = got[got["status"] == "na"].iloc[0]
    assert na["codes"] == "" and all(na[f"p_{c}"] == 0 for c in codes)
    ok = got[got["status"] == "ok"]
    assert (ok[[f"p_{c}" for c in codes]].sum(axis=1) > 0).all()  # every ok row was coded
    assert (got.loc[got["status"] != "ok", [f"p_{c}" for c in codes]].to_numpy() == 0).all()
    assert "06-12345678" not in got.loc[1, "text"]
    assert got.loc[5, "text"].startswith("'=1+1 is hoe")  # neutralised, as in passages.csv
    clf = Classifier.load(trained[1] / "classifier.skops")
    for _, row in ok.iterrows():
        assert row["codes"] == ";".join(c for c in codes if row[c] == 1)
        relevant = row["relevance"] >= clf.relevance_threshold - 1e-6
        assert all(row[c] == int(relevant and row[f"p_{c}"] >= clf.thresholds[c] - 1e-6) for c in codes)
    assert "4 van 8 teksten uit rol, uitdaging gecodeerd" in lines[-1][0] and "CSV-dialect nl" in lines[-1][0]


@pytest.mark.parametrize("dialect", READ)
def test_output_follows_the_csv_dialect(tmp_path, trained, configs, dialect):
    out = tmp_path / "out.csv"
    got = run_file(answers_csv(tmp_path / "antwoorden.csv"), out, trained, configs, dialect, ["uitdaging"], "nr")
    raw = out.read_bytes()
    header = {"nl": b"\xef\xbb\xbfid;column;text;status;p_", "tools": b"id,column,text,status,p_"}[dialect]
    assert raw.startswith(header)
    as_written = pd.read_csv(out, dtype=str, keep_default_na=False,
                             **{k: v for k, v in READ[dialect].items() if k != "decimal"})
    decimal = re.escape(READ[dialect]["decimal"])
    assert as_written["p_regie"].str.fullmatch(rf"[01]{decimal}\d+").all()  # 0,0 / 0,730426 or 0.0 / 0.730426
    assert got["p_regie"].dtype == float and got["p_regie"].max() > 0  # read back as numbers
    # the ';' in the first answer stays inside its field in both dialects
    assert got.loc[0, "text"].startswith("Iedere gemeente kijkt alleen naar het eigen belang; bel me op")


def test_unknown_dialect_is_refused_before_any_work(tmp_path, trained, configs):
    with pytest.raises(SamenspelError, match="export.csv_dialect 'excel' bestaat niet"):
        run_file(answers_csv(tmp_path / "a.csv"), tmp_path / "out.csv", trained, configs, "excel")
    assert not (tmp_path / "out.csv").exists()


def test_missing_text_columns_are_named(tmp_path, configs):
    with pytest.raises(SamenspelError, match="'vraag9', 'opmerking' bestaan niet") as err:
        classify.read_input(answers_csv(tmp_path / "a.csv"), ["rol", "vraag9", "opmerking"], "nr", configs[0])
    assert "beschikbaar: nr, rol, uitdaging, leeftijd" in err.value.hint


def test_without_text_column_every_open_column_ingest_takes_with_its_statuses(tmp_path, ingest_cfg):
    from pipeline import ingest

    surveys = tmp_path / "surveys"
    surveys.mkdir()
    export, expected = factory.limesurvey_export(surveys / "golf.csv")
    passages = ingest.run(surveys, None, tmp_path / "p.parquet", tmp_path / "a.json", tmp_path / "m.json", ingest_cfg)
    got = classify.read_input(export, None, None, ingest_cfg)
    assert list(dict.fromkeys(got["column"])) == list(expected)
    assert got["id"].tolist() == passages["respondent_id"].tolist()
    assert got["status"].tolist() == passages["status"].tolist()
    assert got["text"].tolist() == passages["text"].tolist()
    assert {"ok", "na", "filler"} <= set(got["status"])


def test_document_rows_carry_page_paragraph_and_section(tmp_path, trained, configs):
    md = tmp_path / "regeling.md"
    md.write_text(REGULATION_MD, encoding="utf-8")
    lines: list = []
    got = run_file(md, tmp_path / "out.csv", trained, configs, "nl", ["rol"], lines=lines)
    assert list(got.columns[:6]) == ["id", "page", "paragraph", "section", "text", "status"]
    assert "column" not in got.columns
    assert got["id"].tolist() == [f"regeling/{n:04d}" for n in range(1, len(got) + 1)]
    assert got["paragraph"].tolist() == list(range(1, len(got) + 1))
    assert got.loc[0, "section"] == ("Gemeenschappelijke regeling Waalvallei › Hoofdstuk 1 Algemeen › "
                                     "Artikel 1 Begrippen")
    assert got.loc[1, "section"].endswith("Hoofdstuk 2 Bestuur › Artikel 2 Taken")
    assert got["page"].tolist() == [""] * len(got)  # Markdown has no pages
    assert got["status"].tolist()[:2] == ["ok", "ok"] and set(got["status"][2:]) == {"signature"}
    assert (got.loc[got["status"] == "signature", "codes"] == "").all()  # a signature is not coded
    assert any(warn and "--text-column geldt alleen voor tabellen" in msg for msg, warn in lines)

    pdf = factory.write_pdf(tmp_path / "verslag.pdf", pages=2)
    pages = run_file(pdf, tmp_path / "pdf.csv", trained, configs, "tools")
    assert pages["page"].tolist() == sorted(pages["page"]) and set(pages["page"]) == {1, 2}
    assert pages["paragraph"].tolist() == list(range(1, len(pages) + 1))


def test_the_cli_codes_several_columns_in_the_params_dialect(tmp_path, trained, params):
    import yaml

    from pipeline.cli import main

    own = {**params, "scrub": {**params["scrub"], "deduce": False}, "nlp": {**params["nlp"], "backend": "fallback"},
           "export": {**params["export"], "csv_dialect": "tools"}}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    code = main(["classify", str(answers_csv(tmp_path / "antwoorden.csv")), "--output", str(tmp_path / "out.csv"),
                 "--text-column", "rol", "--text-column", "uitdaging", "--id-column", "nr",
                 "--model", str(trained[1] / "classifier.skops"), "--params", str(tmp_path / "params.yaml")])
    assert code in (0, None)
    got = pd.read_csv(tmp_path / "out.csv", keep_default_na=False, **READ["tools"])
    assert got["column"].tolist() == ["rol", "uitdaging"] * len(ANSWERS)
    assert got["status"].tolist() == ["ok", "ok", "filler", "na", "empty", "ok", "ok", "filler"]
