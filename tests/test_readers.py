"""Every reader on inputs written by tests/factory.py, and their refusals."""

from __future__ import annotations

import pytest

from pipeline.errors import InputFileError
from pipeline.readers import DOCUMENT_READERS, SURVEY_READERS
from pipeline.readers.tabular import SurveyOptions
from tests import factory


def read_survey(path, **opts):
    return SURVEY_READERS[path.suffix.lower()](path, SurveyOptions(**opts))


def read_doc(path):
    return DOCUMENT_READERS[path.suffix.lower()](path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_csv_detects_encoding_and_delimiter(tmp_path, encoding, sep):
    rows = factory.survey_rows()
    rows[0]["antwoord_rol"] = "Café-overleg met de wethouder; daarna \"afstemming\",\nop twee regels."
    path = factory.write_csv(tmp_path / "golf.csv", rows, sep=sep, encoding=encoding)
    table = read_survey(path)
    assert list(table.data.columns) == list(rows[0])
    assert table.data["antwoord_rol"].tolist() == [r["antwoord_rol"] for r in rows]
    assert table.rows == list(range(2, 2 + len(rows)))


@pytest.mark.parametrize("declared,written,warned", [("cp1252", "utf-8", True), ("cp1252", "cp1252", False),
                                                      ("utf-8", "utf-8", False), ("latin-1", "utf-8", True)])
def test_csv_declared_8bit_encoding_on_a_utf8_file_is_flagged(tmp_path, declared, written, warned):
    from pipeline.readers import WARNING_PREFIX

    rows = factory.survey_rows()
    rows[0]["antwoord_rol"] = "Overleg in het café met de coördinator."
    path = factory.write_csv(tmp_path / "golf.csv", rows, sep=";", encoding=written)
    table = read_survey(path, encoding=declared)
    flagged = [n for n in table.notes if n.startswith(WARNING_PREFIX)]
    assert bool(flagged) == warned
    if warned:
        assert "utf-8" in flagged[0] and declared in flagged[0]


def test_csv_ragged_rows_are_reported_not_dropped_silently(tmp_path):
    path = tmp_path / "golf.csv"
    path.write_text("id;a;b\n1;x;y\n2;x\n3;x;y;extra;more\n", encoding="utf-8")
    table = read_survey(path)
    assert table.data["id"].tolist() == ["1", "2"]
    assert table.data["b"].tolist() == ["y", ""]  # short row padded
    assert len(table.rejected) == 1 and "rij 4" in table.rejected[0]


def test_csv_stray_nul_bytes_are_removed_and_noted(tmp_path):
    path = tmp_path / "golf.csv"
    path.write_bytes(b"id;antwoord\n1;goed\x00 overleg met de regio\n2;prima\n")
    table = read_survey(path)
    assert table.data["antwoord"][0] == "goed overleg met de regio"
    assert any("NUL" in n for n in table.notes)


def test_xlsx_with_limesurvey_question_row_detected(tmp_path):
    rows = factory.survey_rows()
    for r in rows:
        r["duur"] = "123"
    qrow = ["Respondent", "Organisatie", "Functie", "Wat is je rol?", "Grootste uitdaging?", "Duur in seconden"]
    path = factory.write_xlsx(tmp_path / "golf.xlsx", rows, header_rows=[qrow])
    table = read_survey(path)
    assert len(table.data) == len(rows)
    assert table.question_texts["antwoord_rol"] == "Wat is je rol?"
    assert table.rows[0] == 3


def test_xlsx_qualtrics_three_header_rows(tmp_path):
    rows = factory.survey_rows()
    qrow = ["Respondent", "Organisatie", "Functie", "Wat is je rol?", "Grootste uitdaging?"]
    import_row = ['{"ImportId":"QID%d"}' % i for i in range(5)]
    path = factory.write_xlsx(tmp_path / "golf.xlsx", rows, header_rows=[qrow, import_row])
    table = read_survey(path, extra_header_rows=2)
    assert table.data["respondent"].tolist() == [r["respondent"] for r in rows]
    assert table.question_texts["antwoord_uitdaging"] == "Grootste uitdaging?"


def test_sav_applies_value_labels(tmp_path):
    rows = factory.survey_rows()
    path = factory.write_sav(tmp_path / "golf.sav", rows)
    table = read_survey(path)
    assert table.data["organisatie"].tolist() == [r["organisatie"] for r in rows]
    assert table.data["antwoord_rol"].tolist() == [r["antwoord_rol"] for r in rows]
    assert table.question_texts["antwoord_rol"] == "Wat is je rol?"


def test_pdf_pages_headers_and_hyphenation(tmp_path):
    paras = read_doc(factory.write_pdf(tmp_path / "gr.pdf", pages=2))
    texts = [p.text for p in paras]
    assert len(paras) == 6
    assert {p.page for p in paras} == {1, 2}
    assert not any("versie 2030" in t or "Pagina" in t for t in texts)
    assert any("penvoerder van de samenwerkingsagenda" in t for t in texts)


def test_pdf_headings_become_sections(tmp_path):
    paras = read_doc(factory.write_pdf_with_headings(tmp_path / "gr.pdf"))
    got = [(p.text, p.section) for p in paras]
    assert got == [
        ("Deze regeling regelt de samenwerking van de gemeenten in de Testregio.",
         "Gemeenschappelijke regeling Testregio"),  # larger font
        ("De deelnemers werken samen op het gebied van wonen, werken en mobiliteit en stemmen hun beleid daarover af.",
         "Hoofdstuk 1 Algemene bepalingen"),  # bold
        ("Het algemeen bestuur stelt jaarlijks de begroting vast en legt verantwoording af aan de raden van de "
         "deelnemende gemeenten.", "2.1 Taken van het bestuur"),  # numbered
        ("De gemeenten kiezen voor:", "2.1 Taken van het bestuur"),
        ("1. wonen 2. mobiliteit", "2.1 Taken van het bestuur"),  # a list, not headings
        ("Artikel 2. Het dagelijks bestuur voert de besluiten uit.", "2.1 Taken van het bestuur"),  # a sentence
    ]


def test_pdf_without_text_layer_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="tekstlaag"):
        read_doc(factory.write_pdf(tmp_path / "scan.pdf", image_only=True))


def test_encrypted_pdf_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="versleuteld"):
        read_doc(factory.write_pdf(tmp_path / "geheim.pdf", encrypt="geheim"))


def test_truncated_pdf_is_refused(tmp_path):
    good = factory.write_pdf(tmp_path / "heel.pdf").read_bytes()
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(good[: len(good) // 3])
    with pytest.raises(InputFileError):
        read_doc(bad)


def test_docx_paragraphs_headings_tables(tmp_path):
    paras = read_doc(factory.write_docx(tmp_path / "convenant.docx"))
    assert [p.text for p in paras] == [
        "Partijen komen overeen de woningbouwopgave samen op te pakken.",
        "Het portefeuillehoudersoverleg heeft de regie over de uitvoering.",
        "Gemeente | Aantal woningen",
        "Arnhem | 1200",
    ]
    assert paras[1].section == "Governance"


def test_docx_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "oud.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # a .doc renamed
    with pytest.raises(InputFileError, match="oud Office-formaat|versleuteld"):
        read_doc(path)


def test_zip_bomb_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="zip-bom"):
        read_doc(factory.zip_bomb(tmp_path / "bom.docx"))


def test_html_keeps_main_text_only(tmp_path):
    path = tmp_path / "agenda.html"
    path.write_text(factory.HTML, encoding="utf-8")
    texts = [p.text for p in read_doc(path)]
    assert any("netwerkbijeenkomst" in t for t in texts)
    assert not any("cookies" in t or "Postbus" in t or t == "Home" for t in texts)


def test_txt_and_markdown(tmp_path):
    txt = tmp_path / "notitie.txt"
    txt.write_text("Eerste alinea\nloopt door.\n\n\nTweede alinea.\n", encoding="cp1252")
    assert [p.text for p in read_doc(txt)] == ["Eerste alinea loopt door.", "Tweede alinea."]
    md = tmp_path / "evaluatie.md"
    md.write_text("# Evaluatie\n\nDe **samenwerking** loopt [goed](http://x).\n\n- punt een\n- punt twee\n",
                  encoding="utf-8")
    paras = read_doc(md)
    assert [p.text for p in paras] == ["De samenwerking loopt goed.", "punt een", "punt twee"]
    assert paras[0].section == "Evaluatie"


def test_binary_named_txt_is_refused(tmp_path):
    path = tmp_path / "plaatje.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(InputFileError, match="binaire"):
        read_doc(path)


@pytest.mark.parametrize("name", ["leeg.csv", "leeg.pdf", "leeg.docx", "leeg.txt", "leeg.xlsx"])
def test_empty_files_are_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    reader = SURVEY_READERS.get(path.suffix) or DOCUMENT_READERS[path.suffix]
    with pytest.raises(InputFileError, match="leeg"):
        reader(path)


# Markdown as real renderings of Dutch regulations write it (text written for these tests).
REGELING_MD = """\
##Regeling samenwerking Regio Waalvallei

###Hoofdstuk 1

####Algemene bepalingen

###Artikel 1

In deze regeling wordt verstaan onder regio: de Regio Waalvallei.

###Hoofdstuk 2

####Bestuur

####*Artikel 7*

1. Het algemeen bestuur bestaat uit vijf leden.
2. Het dagelijks bestuur bestaat uit drie leden, onder wie de voorzitter.

###*Toelichting*

Het tweede lid volgt de praktijk van 2019<sup>1</sup> en 2021<sup>*</sup>.

| --- | --- |
|:---|:---|
| Gemeente Waalstad | € 120.000 |

*Eerste lid:*De regio stelt een *begroting* vast en zendt die toe.

**
"""


def test_markdown_headings_without_space_nest_as_a_path(tmp_path):
    path = tmp_path / "regeling.md"
    path.write_text(REGELING_MD, encoding="utf-8")
    paras = read_doc(path)
    by_start = {p.text.split()[0]: p.section for p in paras}
    top = "Regeling samenwerking Regio Waalvallei"
    assert by_start["In"] == f"{top} › Hoofdstuk 1 Algemene bepalingen › Artikel 1"
    assert by_start["1."] == by_start["2."] == f"{top} › Hoofdstuk 2 Bestuur › Artikel 7"
    assert by_start["Het"] == f"{top} › Hoofdstuk 2 Bestuur › Artikel 7 › Toelichting"
    assert not any(p.text.startswith("#") or p.text in ("Hoofdstuk 1", "Artikel 7", "Bestuur") for p in paras)


def test_markdown_sections_follow_heading_levels(tmp_path):
    path = tmp_path / "evaluatie.md"
    path.write_text("# Evaluatie\n\n## Aanpak\n\nWe spraken twaalf partners.\n\n### Interviews\n\n"
                    "Elk gesprek duurde een uur.\n\n## Resultaten\n\nDe regie is versterkt.\n", encoding="utf-8")
    assert [p.section for p in read_doc(path)] == [
        "Evaluatie › Aanpak", "Evaluatie › Aanpak › Interviews", "Evaluatie › Resultaten"]


def test_markdown_keeps_lid_numbers_and_drops_markup(tmp_path):
    path = tmp_path / "regeling.md"
    path.write_text(REGELING_MD, encoding="utf-8")
    texts = [p.text for p in read_doc(path)]
    assert "1. Het algemeen bestuur bestaat uit vijf leden." in texts
    assert "2. Het dagelijks bestuur bestaat uit drie leden, onder wie de voorzitter." in texts
    assert "Het tweede lid volgt de praktijk van 2019 en 2021." in texts  # not "20191" or "2021*"
    assert "Gemeente Waalstad | € 120.000" in texts
    assert "Eerste lid: De regio stelt een begroting vast en zendt die toe." in texts
    assert not any("*" in t or "---" in t or not any(ch.isalnum() for ch in t) for t in texts)
    assert all(p.status == "ok" for p in read_doc(path))


def test_markdown_footnote_written_out_in_sup_keeps_its_words(tmp_path):
    path = tmp_path / "noot.md"
    path.write_text("Zie artikel 4<sup>2 Gewijzigd bij besluit van 2 mei 2012.</sup> voor de taken.\n",
                    encoding="utf-8")
    assert [p.text for p in read_doc(path)] == ["Zie artikel 4 Gewijzigd bij besluit van 2 mei 2012. voor de taken."]


def test_markdown_signature_block_is_a_passage_with_a_status(tmp_path):
    path = tmp_path / "besluit.md"
    path.write_text("""\
###Artikel 12

Deze regeling treedt in werking op 1 januari 2025.

Den Haag, 3 maart 2024

De Minister van Binnenlandse Zaken,
w.g. J. Jansen

###Artikel 13

a. het algemeen bestuur,
b. het dagelijks bestuur,

De voorzitter,

A.B. de Vries
""", encoding="utf-8")
    got = [(p.text, p.status, p.section) for p in read_doc(path)]
    assert got == [
        ("Deze regeling treedt in werking op 1 januari 2025.", "ok", "Artikel 12"),
        ("Den Haag, 3 maart 2024", "signature", "Artikel 12"),
        ("De Minister van Binnenlandse Zaken, w.g. J. Jansen", "signature", "Artikel 12"),
        ("a. het algemeen bestuur, b. het dagelijks bestuur,", "ok", "Artikel 13"),
        ("De voorzitter,", "signature", "Artikel 13"),
        ("A.B. de Vries", "signature", "Artikel 13"),
    ]
