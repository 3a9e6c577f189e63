"""`pipeline.export.tables`: the summary sheets (codes per wave and group, documents, codebook, accounting)."""

from __future__ import annotations

import pytest

from pipeline.errors import SamenspelError
from pipeline.export.tables import codes_per_group, codes_per_wave, passage_table
from tests.export.example import CODES, classified_frame, codebook, sheet_frame


def test_summary_sheets(workbook, frame):
    waves = sheet_frame(workbook["Codes per golf"]).set_index("code")
    ok16 = frame[(frame["wave"] == "2016") & (frame["status"] == "ok")]
    assert waves.loc["(basis)", "2016 passages"] == len(ok16)
    assert waves.loc["strateeg", "2016 passages"] == int(ok16["strateeg"].sum())
    assert waves.loc["strateeg", "2016 aandeel passages"] == pytest.approx(ok16["strateeg"].mean())
    assert waves.loc["netwerker", "2018 respondenten"] == 2  # R001 and R004 (two parts, one respondent)
    assert "alle golven passages" in waves.columns

    groups = sheet_frame(workbook["Codes per groep"])
    assert set(groups["kenmerk"]) == {"organisatietype", "functie"}
    assert "(onbekend)" in set(groups["waarde"])
    gem16 = groups[(groups["kenmerk"] == "organisatietype") & (groups["waarde"] == "gemeente")
                   & (groups["golf"] == "2016")].iloc[0]
    assert gem16["gecodeerde passages"] == 4 and gem16["strateeg passages"] == 1

    docs = sheet_frame(workbook["Documenten"])
    strat = docs[(docs["document"] == "documents/verslag.pdf") & (docs["code"] == "strateeg")].iloc[0]
    assert strat["passages met code"] == 2
    assert strat["vindplaatsen"] == "p. 1, alinea 2; p. 2, alinea 2"
    assert docs[docs["document"] == "documents/notitie.docx"]["naam"].tolist() == ["(geen codes)"]

    book = sheet_frame(workbook["Codeboek"])
    assert book.columns.tolist()[:4] == ["id", "groep", "naam", "definitie"]
    assert book["id"].tolist() == list(CODES)

    acc = dict(sheet_frame(workbook["Verantwoording"]).iloc[:, :2].values)
    assert acc["Passages"] == len(frame)
    assert acc["Gecodeerd (inhoudelijke passages)"] == int((frame["status"] == "ok").sum())
    assert acc["  leeg"] == 1 and acc["  opvulling (bijv. 'weet niet')"] == 1 and acc["  ontbrekend (NA-waarde)"] == 1


def test_a_code_id_that_is_an_export_column_is_a_user_error():
    df = classified_frame().rename(columns={"belangen": "tekst", "p_belangen": "p_tekst"})
    with pytest.raises(SamenspelError, match="code-id\\('s\\) tekst botsen"):
        passage_table(df, codebook(("strateeg", "netwerker", "tekst")))


def test_metadata_keeps_its_prefix_where_its_name_is_taken():
    df = classified_frame().assign(meta_status="x", meta_strateeg="y")
    columns = passage_table(df, codebook()).columns.tolist()
    assert {"meta_status", "meta_strateeg", "organisatietype", "functie"} <= set(columns)
    assert columns.count("status") == 1 and columns.count("strateeg") == 1


def test_one_wave_has_no_column_for_all_waves_and_no_surveys_give_a_note():
    df = classified_frame()
    one = codes_per_wave(df[df["wave"] != "2018"], codebook())
    assert not any(c.startswith("alle golven") for c in one.columns) and "2016 passages" in one.columns
    docs = df[df["kind"] == "document"]
    assert codes_per_wave(docs, codebook()).columns.tolist() == ["toelichting"]
    assert codes_per_group(docs, codebook()).columns.tolist() == ["toelichting"]
