"""`pipeline.export.xlsx`: the workbook, its sheets and its formula-proof cells."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from pipeline.export.xlsx import EXCEL_MAX_CHARS, Sheet, workbook_bytes
from tests.export.example import CODES, EVIL_META, MALICIOUS, make_cfg, sheet_frame


def test_workbook_sheets_and_passages(exported, workbook, frame):
    assert workbook.sheetnames == ["Passages", "Codes per golf", "Codes per groep", "Documenten", "Codeboek",
                                   "Verantwoording"]
    ws = workbook["Passages"]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref
    table = sheet_frame(ws)
    assert len(table) == len(frame)
    assert table["passage_id"].tolist() == frame["passage_id"].tolist()
    assert table["tekst"].fillna("").tolist() == frame["clean"].tolist()
    columns = set(table.columns)
    assert {"bron", "golf", "respondent", "vraag", "pagina", "alinea", "organisatietype", "functie", "codes",
            "bewijs", "onderwerp_alle_antwoorden", "onderwerp_documenten"} <= columns
    assert {*CODES, *(f"p_{c}" for c in CODES)} <= columns
    assert not {"text", "raw", "ruwe_tekst", "text_raw"} & columns
    assert not any(c.startswith("meta_") for c in columns)
    row = table.set_index("passage_id").loc["2018/R002/rol"]
    assert row["strateeg"] == 1 and row["belangen"] == 1 and row["netwerker"] == 0
    assert row["p_strateeg"] == pytest.approx(0.91)
    assert row["soort"] == "enquête" and row["gecodeerd"] == "ja"
    assert table.set_index("passage_id").loc["2016/R002/uitdaging", "status"] == "opvulling"
    assert table.set_index("passage_id").loc["verslag/0002.1", "pagina"] == 2


def test_workbook_neutralises_formulas(workbook):
    ws = workbook["Passages"]
    header = [c.value for c in ws[1]]
    text_col, id_col = header.index("tekst"), header.index("passage_id")
    cells = {row[id_col].value: row[text_col] for row in ws.iter_rows(min_row=2)}
    from pipeline.export import clean_text

    for pid, value in MALICIOUS.items():
        cell = cells[pid]
        assert cell.data_type == "s", pid
        assert cell.value == clean_text(value), pid
        assert cell.quotePrefix, pid
    assert cells["2018/R003/rol"].value == "#N/A" and cells["2018/R003/rol"].data_type == "s"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (sheet.title, cell.coordinate, cell.value)
    functie = [c.value for c in ws[1]].index("functie")
    evil = [row[functie] for row in ws.iter_rows(min_row=2) if row[functie].value == EVIL_META]
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    groups = sheet_frame(workbook["Codes per groep"])
    assert EVIL_META in set(groups["waarde"])


def test_workbook_bytes_hold_the_export_time_only_and_every_cell_as_given():
    import openpyxl

    cfg = make_cfg(timestamp="2020-01-02T03:04:06Z")  # zip stores seconds in steps of two
    frame = pd.DataFrame({"=som": ["=1+1", "x" * (EXCEL_MAX_CHARS + 10)], "p_regie": [0.25, None],
                          "aandeel": [0.5, 1.0], "#N/A": ["#DIV/0!", "gewoon"]})
    content = workbook_bytes([Sheet("Blad", frame, wrap=("=som",))], cfg)
    assert content == workbook_bytes([Sheet("Blad", frame, wrap=("=som",))], cfg)
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2020, 1, 2, 3, 4, 6)}
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.properties.creator == "samenspel" and wb.properties.title == "samenspel test"
    assert wb.properties.created == wb.properties.modified == cfg.timestamp
    ws = wb["Blad"]
    header, first, second = ws[1], ws[2], ws[3]
    assert [c.value for c in header] == ["=som", "p_regie", "aandeel", "#N/A"]
    assert all(c.data_type == "s" and c.quotePrefix for c in (header[0], header[3], first[0], first[3]))
    assert first[0].alignment.wrap_text and ws.column_dimensions["A"].width == 70
    assert first[1].number_format == "0.000" and first[2].number_format == "0.0%"
    assert second[1].value is None and second[3].value == "gewoon" and not second[3].quotePrefix
    assert len(second[0].value) == EXCEL_MAX_CHARS and second[0].value.endswith("…")
