"""`pipeline.export.run`: the stage as a whole: the CSV, reruns, the summary line and user errors."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from tests.export.example import (CODEBOOK_YAML, CODES, EVIL_META, MALICIOUS, classified_frame, make_cfg, run_export,
                                  write_inputs)


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
