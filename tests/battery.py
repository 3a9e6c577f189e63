"""Builders for the battery of malformed and awkward input files (tests/test_battery.py).

Every builder writes its file(s) into the folder it is given (the surveys or the
documents folder of a test corpus) and returns the file the accounting should name.
Names are unique across builders, and each survey wave is labelled with its builder's
name, so all files can also be written into one folder and ingested at once.
Nothing binary is committed: the bytes are made here, from `tests/factory.py` where
it has a builder.
"""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

import yaml

from tests import factory

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER = ["respondent", "organisatie", "functie", "antwoord_rol", "antwoord_uitdaging"]
CAFE = "Café-overleg met de wethouder; daarna \"afstemming\",\nop twee regels."
FORMULA = "=cmd|' /C calc'!A0"
EMOJI = ["😀😀😀", "👍🏽", "👨‍👩‍👧 🎉"]
WHITESPACE = ["   ", "\t", "\u00a0\u00a0", " \u3000 "]  # spaces, tab, no-break spaces, ideographic space
ENGLISH = ["We mostly coordinate between the municipalities and the province.",
           "Too many meetings, too little decided; the region lacks a clear mandate."]
ONE_COLUMN = ["We overleggen met de gemeenten, de provincie en het waterschap.",
              "De regio, dat zijn wij; niet de provincie.",
              "Goed"]
#: Over 1 MB in one answer: a pasted document, sentence after sentence.
BIG_ANSWER = " ".join(f"Zin {i}: de samenwerking in de regio vraagt om vertrouwen, tijd en duidelijke afspraken."
                      for i in range(12_000))
#: A single line without any newline or full stop.
LONG_LINE = " ".join(f"woord{i}" for i in range(40_000))


def rows(n: int = 6) -> list[dict[str, str]]:
    """factory.survey_rows with accents, quotes, a delimiter and a newline in the first answer."""
    out = factory.survey_rows(n)
    out[0]["antwoord_rol"] = CAFE
    return out


def _rng(name: str) -> random.Random:
    return random.Random(name)  # a fixed seed per builder: the same bytes every run


def _wave(folder: Path, name: str, export: str | None = None, **spec) -> None:
    """The wave YAML `<name>.yaml` for export `<export>` (default `<name>.csv`), wave label `name`."""
    factory.write_spec(folder / f"{name}.yaml", export or f"{name}.csv", wave=name, **spec)


def _csv(folder: Path, name: str, data: list[dict[str, str]] | None = None, sep: str = ";",
         file_encoding: str = "utf-8", **spec) -> Path:
    """`<name>.csv` from `data` (default `rows()`) and its YAML with the extra keys in `spec`."""
    path = factory.write_csv(folder / f"{name}.csv", data or rows(), sep=sep, encoding=file_encoding)
    _wave(folder, name, **spec)
    return path


def _zip_copy(src: bytes, dest: Path, change: dict[str, object]) -> Path:
    """Copy a zip, replacing members: a callable gets the old bytes."""
    import io

    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in change:
                new = change[info.filename]
                data = new(data) if callable(new) else new
            zout.writestr(info.filename, data)
    return dest


def _bitrot(src: bytes, dest: Path, member: str) -> Path:
    """Flip bits inside one member's compressed data (the zip directory stays intact)."""
    import io

    data = bytearray(src)
    with zipfile.ZipFile(io.BytesIO(src)) as zf:
        info = zf.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 8, start + info.compress_size - 8):
        data[i] ^= 0x5A
    dest.write_bytes(bytes(data))
    return dest


def _claim_size(path: Path, size: int) -> Path:
    """Make the central directory claim `size` unpacked bytes for every member (nothing is unpacked)."""
    data = bytearray(path.read_bytes())
    i = data.find(b"PK\x01\x02")
    while i != -1:
        struct.pack_into("<I", data, i + 24, size)  # uncompressed size field
        i = data.find(b"PK\x01\x02", i + 4)
    path.write_bytes(bytes(data))
    return path


def _ole(path: Path, stream: str) -> Path:
    """An OLE compound file as Office writes it: the header, a directory entry name, then noise."""
    name = stream.encode("utf-16-le")
    header = OLE + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 476
    path.write_bytes(header + name + _rng(path.name).randbytes(8192))
    return path


# ------------------------------------------------------------------ surveys: empty and header-only


def csv_empty(folder: Path) -> Path:
    _wave(folder, "csv_empty")
    path = folder / "csv_empty.csv"
    path.write_bytes(b"")
    return path


def csv_header_only(folder: Path) -> Path:
    _wave(folder, "csv_header_only")
    path = folder / "csv_header_only.csv"
    path.write_text(";".join(HEADER) + "\r\n", encoding="utf-8")
    return path


def csv_header_only_no_yaml(folder: Path) -> Path:
    path = folder / "csv_header_only_no_yaml.csv"
    path.write_text(";".join(HEADER) + "\r\n", encoding="utf-8")
    return path


def csv_whitespace_file(folder: Path) -> Path:
    _wave(folder, "csv_whitespace_file")
    path = folder / "csv_whitespace_file.csv"
    path.write_bytes(b"\xef\xbb\xbf \r\n\t\r\n")
    return path


def xlsx_empty(folder: Path) -> Path:
    _wave(folder, "xlsx_empty", "xlsx_empty.xlsx")
    path = folder / "xlsx_empty.xlsx"
    path.write_bytes(b"")
    return path


def xlsx_header_only(folder: Path) -> Path:
    import openpyxl

    _wave(folder, "xlsx_header_only", "xlsx_header_only.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.save(folder / "xlsx_header_only.xlsx")
    return folder / "xlsx_header_only.xlsx"


# ------------------------------------------------------------------ surveys: encodings and delimiters


def csv_utf8_semicolon(folder: Path) -> Path:
    return _csv(folder, "csv_utf8_semicolon", sep=";", file_encoding="utf-8")


def csv_utf8_bom_comma(folder: Path) -> Path:
    return _csv(folder, "csv_utf8_bom_comma", sep=",", file_encoding="utf-8-sig")


def csv_cp1252_tab(folder: Path) -> Path:
    return _csv(folder, "csv_cp1252_tab", sep="\t", file_encoding="cp1252")


def csv_utf16_comma(folder: Path) -> Path:
    return _csv(folder, "csv_utf16_comma", sep=",", file_encoding="utf-16")


def csv_utf16_tab(folder: Path) -> Path:
    """Excel's "Unicode text": UTF-16 LE with a BOM and tabs."""
    return _csv(folder, "csv_utf16_tab", sep="\t", file_encoding="utf-16")


def csv_utf16_no_bom(folder: Path) -> Path:
    return _csv(folder, "csv_utf16_no_bom", sep=";", file_encoding="utf-16-le")


def csv_cr_line_ends(folder: Path) -> Path:
    """Old Mac line ends: a lone CR between records."""
    path = _csv(folder, "csv_cr_line_ends")
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r"))
    return path


def yaml_wrong_encoding(folder: Path) -> Path:
    return _csv(folder, "yaml_wrong_encoding", file_encoding="cp1252", encoding="utf-8")


def yaml_unknown_encoding(folder: Path) -> Path:
    return _csv(folder, "yaml_unknown_encoding", encoding="utf-9")


def yaml_wrong_delimiter(folder: Path) -> Path:
    return _csv(folder, "yaml_wrong_delimiter", sep=";", delimiter=",")


def yaml_tab_not_escaped(folder: Path) -> Path:
    """`delimiter: '\\t'` in single quotes is a backslash and a t, not a tab."""
    return _csv(folder, "yaml_tab_not_escaped", sep="\t", delimiter="\\t")


def yaml_header_rows_text(folder: Path) -> Path:
    """`extra_header_rows: twee`: the YAML is refused, and so its export."""
    _csv(folder, "yaml_header_rows_text", extra_header_rows="twee")
    return folder / "yaml_header_rows_text.yaml"


# ------------------------------------------------------------------ surveys: records


def csv_ragged(folder: Path) -> Path:
    _wave(folder, "csv_ragged")
    path = folder / "csv_ragged.csv"
    lines = [";".join(HEADER),
             "R001;gemeente;adviseur;Korte rij zonder laatste veld",  # one field short: padded
             "R002;provincie;adviseur;Goed antwoord;Nog een antwoord",
             "R003;gemeente;adviseur;Te veel velden;antwoord;extra;nog meer"]  # rejected, reported
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def quoted_newline_rows() -> list[dict[str, str]]:
    data = rows(3)
    data[1]["antwoord_uitdaging"] = "Eerste regel\r\ntweede regel;\r\n\r\nderde alinea, met \"citaat\"."
    return data


def csv_quoted_newlines(folder: Path) -> Path:
    return _csv(folder, "csv_quoted_newlines", quoted_newline_rows())


def csv_nul_bytes(folder: Path) -> Path:
    path = _csv(folder, "csv_nul_bytes")
    path.write_bytes(path.read_bytes().replace(b"Arnhem", b"Arn\x00hem").replace(b"penvoerder", b"pen\x00voerder"))
    return path


def csv_binary(folder: Path) -> Path:
    """Mostly NUL bytes: a binary file that got a .csv name."""
    _wave(folder, "csv_binary")
    path = folder / "csv_binary.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 2000 + _rng("csv").randbytes(2000))
    return path


def csv_one_column(folder: Path) -> Path:
    """One column of answers that hold commas and a semicolon: nothing to split on."""
    path = folder / "csv_one_column.csv"
    path.write_text("antwoord\n" + "\n".join(ONE_COLUMN) + "\n", encoding="utf-8")
    spec = {"wave": "csv_one_column", "file": path.name, "questions": {"antwoord": "antwoord"}}
    (folder / "csv_one_column.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def csv_duplicate_columns(folder: Path) -> Path:
    """Two columns named antwoord_rol; the second is renamed antwoord_rol.1 and can be asked for."""
    path = folder / "csv_duplicate_columns.csv"
    path.write_text("respondent;antwoord_rol;antwoord_rol\r\nR001;eerste vraag;tweede vraag\r\n"
                    "R002;nog een;en nog een\r\n", encoding="utf-8")
    spec = {"wave": "csv_duplicate_columns", "file": path.name, "id_column": "respondent",
            "questions": {"eerste": "antwoord_rol", "tweede": "antwoord_rol.1"}}
    (folder / "csv_duplicate_columns.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def formula_rows() -> list[dict[str, str]]:
    data = rows(3)
    for r, value in zip(data, [FORMULA, "+31 6 12345678", "@SUM(A1:A9)"]):
        r["antwoord_rol"] = value
    return data


def csv_formula(folder: Path) -> Path:
    return _csv(folder, "csv_formula", formula_rows())


def big_answer_rows() -> list[dict[str, str]]:
    data = rows(3)
    data[1]["antwoord_rol"] = BIG_ANSWER
    return data


def csv_big_answer(folder: Path) -> Path:
    return _csv(folder, "csv_big_answer", big_answer_rows())


def emoji_rows() -> list[dict[str, str]]:
    data = rows(3)
    for r, value in zip(data, EMOJI):
        r["antwoord_rol"] = value
    return data


def csv_emoji_only(folder: Path) -> Path:
    return _csv(folder, "csv_emoji_only", emoji_rows())


def whitespace_rows() -> list[dict[str, str]]:
    data = rows(4)
    for r, value in zip(data, WHITESPACE):
        r["antwoord_rol"] = value
    return data


def csv_whitespace_answers(folder: Path) -> Path:
    return _csv(folder, "csv_whitespace_answers", whitespace_rows())


def english_rows() -> list[dict[str, str]]:
    data = rows(2)
    for r, value in zip(data, ENGLISH):
        r["antwoord_rol"] = value
    return data


def csv_english(folder: Path) -> Path:
    return _csv(folder, "csv_english", english_rows())


def csv_duplicate_ids(folder: Path) -> Path:
    return _csv(folder, "csv_duplicate_ids", rows(3) + rows(2))


def csv_random_bytes(folder: Path) -> Path:
    _wave(folder, "csv_random_bytes")
    path = folder / "csv_random_bytes.csv"
    path.write_bytes(random_text_bytes("csv_random_bytes"))
    return path


def csv_duplicate_ids_no_yaml(folder: Path) -> Path:
    """Without a YAML, the `respondent` column holds R001 and R002 twice: a double submission."""
    path = folder / "csv_duplicate_ids_no_yaml.csv"
    factory.write_csv(path, rows(3) + rows(2))
    return path


def csv_empty_ids(folder: Path) -> Path:
    data = rows(4)
    data[2]["respondent"] = " "
    return _csv(folder, "csv_empty_ids", data)


# ------------------------------------------------------------------ surveys: the YAML


def yaml_missing_columns(folder: Path) -> Path:
    return _csv(folder, "yaml_missing_columns", metadata={"regio": "regio_kolom"})


def yaml_invalid_syntax(folder: Path) -> Path:
    """A broken YAML: returned; its export beside it must not be read with guessed columns."""
    factory.write_csv(folder / "yaml_invalid_syntax.csv", rows())
    path = folder / "yaml_invalid_syntax.yaml"
    path.write_text("wave: yaml_invalid_syntax\nquestions:\n  rol: {column: antwoord_rol\n\tuitdaging: x\n",
                    encoding="utf-8")
    return path


def yaml_missing_export(folder: Path) -> Path:
    _wave(folder, "yaml_missing_export", "bestaat_niet.csv")
    return folder / "yaml_missing_export.yaml"


# ------------------------------------------------------------------ surveys: other formats and names


def xlsx_corrupt(folder: Path) -> Path:
    _wave(folder, "xlsx_corrupt", "xlsx_corrupt.xlsx")
    path = folder / "xlsx_corrupt.xlsx"
    path.write_bytes(b"PK\x03\x04" + _rng("xlsx").randbytes(4000))
    return path


def xlsx_truncated(folder: Path) -> Path:
    good = factory.write_xlsx(folder / "xlsx_truncated.xlsx", rows()).read_bytes()
    (folder / "xlsx_truncated.xlsx").write_bytes(good[: len(good) // 2])
    _wave(folder, "xlsx_truncated", "xlsx_truncated.xlsx")
    return folder / "xlsx_truncated.xlsx"


def xlsx_encrypted(folder: Path) -> Path:
    _wave(folder, "xlsx_encrypted", "xlsx_encrypted.xlsx")
    return _ole(folder / "xlsx_encrypted.xlsx", "EncryptionInfo")


def xlsx_bitrot(folder: Path) -> Path:
    """Damaged sheet data behind an intact zip directory: fails while the rows are read."""
    good = factory.write_xlsx(folder / "xlsx_bitrot.xlsx", rows()).read_bytes()
    _wave(folder, "xlsx_bitrot", "xlsx_bitrot.xlsx")
    return _bitrot(good, folder / "xlsx_bitrot.xlsx", "xl/worksheets/sheet1.xml")


def xlsx_xml_truncated(folder: Path) -> Path:
    good = factory.write_xlsx(folder / "xlsx_xml_truncated.xlsx", rows()).read_bytes()
    _wave(folder, "xlsx_xml_truncated", "xlsx_xml_truncated.xlsx")
    return _zip_copy(good, folder / "xlsx_xml_truncated.xlsx",
                     {"xl/worksheets/sheet1.xml": lambda b: b[: len(b) // 2]})


def xlsx_not_a_workbook(folder: Path) -> Path:
    path = folder / "xlsx_not_a_workbook.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notitie.txt", "een zip, maar geen werkmap")
    _wave(folder, "xlsx_not_a_workbook", path.name)
    return path


def _two_sheets(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Leeg"
    data = wb.create_sheet("Data")
    data.append(HEADER)
    for r in rows():
        data.append(list(r.values()))
    wb.save(path)
    return path


def xlsx_empty_first_sheet(folder: Path) -> Path:
    _wave(folder, "xlsx_empty_first_sheet", "xlsx_empty_first_sheet.xlsx")
    return _two_sheets(folder / "xlsx_empty_first_sheet.xlsx")


def xlsx_sheet_named_in_yaml(folder: Path) -> Path:
    _wave(folder, "xlsx_sheet_named_in_yaml", "xlsx_sheet_named_in_yaml.xlsx", sheet="Data")
    return _two_sheets(folder / "xlsx_sheet_named_in_yaml.xlsx")


def xlsx_sheet_index_too_high(folder: Path) -> Path:
    """`sheet: 1` meant as "the first sheet"; sheets count from 0."""
    path = factory.write_xlsx(folder / "xlsx_sheet_index_too_high.xlsx", rows())
    _wave(folder, "xlsx_sheet_index_too_high", path.name, sheet=1)
    return path


def xlsx_zip_bomb(folder: Path) -> Path:
    path = folder / "xlsx_zip_bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))  # 8 MB -> 8 KB on disk
    _wave(folder, "xlsx_zip_bomb", path.name)
    return path


def sav_valid(folder: Path) -> Path:
    path = factory.write_sav(folder / "sav_valid.sav", rows())
    _wave(folder, "sav_valid", path.name)
    return path


def sav_is_csv(folder: Path) -> Path:
    path = folder / "sav_is_csv.sav"
    path.write_bytes(factory.csv_text(rows()).encode("utf-8"))
    _wave(folder, "sav_is_csv", path.name)
    return path


def survey_unsupported_ods(folder: Path) -> Path:
    path = folder / "survey_unsupported_ods.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    return path


def survey_name_spaces_accents(folder: Path) -> Path:
    path = factory.write_csv(folder / "Enquête één – najaar 2030.csv", rows())
    factory.write_spec(folder / "Enquête één – najaar 2030.yaml", path.name, wave="survey_name_spaces_accents")
    return path


def survey_yaml_points_at_folder(folder: Path) -> Path:
    """The export named in the YAML is a folder called like a file."""
    path = folder / "survey_yaml_points_at_folder.csv"
    path.mkdir()
    _wave(folder, "survey_yaml_points_at_folder")
    return path


def survey_folder_named_yaml(folder: Path) -> Path:
    """An empty folder called like a wave YAML: not a file, nothing to account for."""
    path = folder / "survey_folder_named_yaml.yaml"
    path.mkdir()
    return path


def excel_owner_file(folder: Path) -> Path:
    """`~$name.xlsx`: Excel's lock file while a workbook is open, never data."""
    path = folder / "~$excel_owner_file.xlsx"
    path.write_bytes(b"\x0bJan Jansen" + b"\x00" * 40 + b"\x0bJan Jansen" + b"\x20" * 100)
    return path


# ------------------------------------------------------------------ documents


def txt_binary(folder: Path) -> Path:
    path = folder / "txt_binary.txt"
    path.write_bytes(_rng("txt").randbytes(6000))
    return path


def random_text_bytes(name: str) -> bytes:
    """4 KB of random bytes in three blocks, without the control bytes that give binary data away:
    any single-byte codec decodes them into letters, accents and symbols."""
    alphabet = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\r")
    rng = _rng(name)
    return b"\n\n".join(bytes(rng.choice(alphabet) for _ in range(1365)) for _ in range(3))


def txt_random_bytes(folder: Path) -> Path:
    path = folder / "txt_random_bytes.txt"
    path.write_bytes(random_text_bytes("txt_random_bytes"))
    return path


def md_random_bytes(folder: Path) -> Path:
    path = folder / "md_random_bytes.md"
    path.write_bytes(random_text_bytes("md_random_bytes"))
    return path


def html_random_bytes(folder: Path) -> Path:
    """Random bytes named .html: no main text, and the plain-text fallback must not read them either."""
    path = folder / "html_random_bytes.html"
    path.write_bytes(random_text_bytes("html_random_bytes"))
    return path


def txt_empty(folder: Path) -> Path:
    path = folder / "txt_empty.txt"
    path.write_bytes(b"")
    return path


def txt_whitespace(folder: Path) -> Path:
    path = folder / "txt_whitespace.txt"
    path.write_text(" \n\t\n\u00a0\n\n", encoding="utf-8")
    return path


def txt_long_line(folder: Path) -> Path:
    path = folder / "txt_long_line.txt"
    path.write_text(LONG_LINE, encoding="utf-8")
    return path


def txt_english(folder: Path) -> Path:
    path = folder / "txt_english.txt"
    path.write_text("\n\n".join(ENGLISH) + "\n", encoding="utf-8")
    return path


def txt_name_spaces_accents(folder: Path) -> Path:
    path = folder / "Notitie café – regio overleg.txt"
    path.write_text("Eerste alinea over de regio.\n\nTweede alinea.\n", encoding="utf-8")
    return path


def doc_renamed_docx(folder: Path) -> Path:
    return _ole(folder / "doc_renamed_docx.docx", "WordDocument")


def docx_encrypted(folder: Path) -> Path:
    return _ole(folder / "docx_encrypted.docx", "EncryptionInfo")


def docx_corrupt(folder: Path) -> Path:
    path = folder / "docx_corrupt.docx"
    path.write_bytes(b"PK\x03\x04" + _rng("docx").randbytes(4000))
    return path


def docx_truncated(folder: Path) -> Path:
    good = factory.write_docx(folder / "docx_truncated.docx").read_bytes()
    (folder / "docx_truncated.docx").write_bytes(good[: len(good) // 2])
    return folder / "docx_truncated.docx"


def docx_bitrot(folder: Path) -> Path:
    good = factory.write_docx(folder / "docx_bitrot.docx").read_bytes()
    return _bitrot(good, folder / "docx_bitrot.docx", "word/document.xml")


def docx_xml_truncated(folder: Path) -> Path:
    good = factory.write_docx(folder / "docx_xml_truncated.docx").read_bytes()
    return _zip_copy(good, folder / "docx_xml_truncated.docx", {"word/document.xml": lambda b: b[: len(b) // 2]})


def docx_zip_bomb(folder: Path) -> Path:
    """A small, highly compressible member: 8 MB of zeros in 8 KB."""
    return factory.zip_bomb(folder / "docx_zip_bomb.docx", megabytes=8)


def docx_zip_bomb_gigabytes(folder: Path) -> Path:
    """A real .docx whose zip directory claims 4 GB per member: refused before unpacking."""
    path = factory.write_docx(folder / "docx_zip_bomb_gigabytes.docx")
    return _claim_size(path, 0xFFFF0000)


def docx_upper_case_ext(folder: Path) -> Path:
    return factory.write_docx(folder / "docx_upper_case_ext.DOCX")


def pdf_corrupt(folder: Path) -> Path:
    path = folder / "pdf_corrupt.pdf"
    path.write_bytes(b"%PDF-1.4\n" + _rng("pdf").randbytes(4000))
    return path


def pdf_truncated(folder: Path) -> Path:
    good = factory.write_pdf(folder / "pdf_truncated.pdf").read_bytes()
    (folder / "pdf_truncated.pdf").write_bytes(good[: len(good) // 2])
    return folder / "pdf_truncated.pdf"


def pdf_encrypted(folder: Path) -> Path:
    return factory.write_pdf(folder / "pdf_encrypted.pdf", encrypt="geheim")


def pdf_scanned(folder: Path) -> Path:
    return factory.write_pdf(folder / "pdf_scanned.pdf", image_only=True)


def pdf_zero_pages(folder: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = folder / "pdf_zero_pages.pdf"
    path.write_bytes(bytes(out))
    return path


def html_no_main_text(folder: Path) -> Path:
    """A page saved from a JavaScript site: a title and an empty app container."""
    path = folder / "html_no_main_text.html"
    path.write_text("<!doctype html><html><head><title>Regio Portaal</title><script src='/app.js'></script>"
                    "</head><body><div id='app'></div></body></html>", encoding="utf-8")
    return path


def html_only_heading(folder: Path) -> Path:
    path = folder / "html_only_heading.html"
    path.write_text("<!doctype html><html><head><title>Regio</title></head><body><article>"
                    "<h1>Regionale agenda 2030</h1></article></body></html>", encoding="utf-8")
    return path


#: Text loose in the page body and between paragraphs, as simple generated pages have it.
HTML_LOOSE = ["De regio werkt samen aan wonen, werken en bereikbaarheid; de gemeenten stemmen hun plannen af.",
              "Tweede alinea: het netwerk van partners komt twee keer per jaar bijeen.",
              "Slottekst na de alinea, zonder eigen tag."]


def html_text_outside_paragraphs(folder: Path) -> Path:
    path = folder / "html_text_outside_paragraphs.html"
    path.write_text(f"<html><body><article>{HTML_LOOSE[0]}<p>{HTML_LOOSE[1]}</p>{HTML_LOOSE[2]}</article>"
                    "</body></html>", encoding="utf-8")
    return path


#: Text in a page that nests it deeper than libxml2 (under trafilatura) reads: 256 levels.
HTML_DEEP = ["Regionale samenwerking", "De gemeenten in de regio delen de kosten van de jeugdzorg.",
             "Het bestuur voert de regie; de partners komen twee keer per jaar bijeen."]


def html_deeply_nested(folder: Path) -> Path:
    """A valid page whose text sits inside 20,000 nested <div>s."""
    path = folder / "html_deeply_nested.html"
    body = f"<h1>{HTML_DEEP[0]}</h1><p>{HTML_DEEP[1]}</p><p>{HTML_DEEP[2]}</p>"
    path.write_text("<!doctype html><html><head><title>Regio</title><style>p {margin: 0}</style></head><body>"
                    + "<div>" * 20_000 + body + "</div>" * 20_000 + "</body></html>", encoding="utf-8")
    return path


def md_only_heading(folder: Path) -> Path:
    path = folder / "md_only_heading.md"
    path.write_text("# Evaluatie regionale samenwerking\n", encoding="utf-8")
    return path


def odt_unsupported(folder: Path) -> Path:
    path = folder / "odt_unsupported.odt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    return path


def folder_named_like_pdf(folder: Path) -> Path:
    """A folder called bijlage.pdf: not a document itself; the text file inside it is read."""
    sub = folder / "folder_named_like_pdf.pdf"
    sub.mkdir()
    path = sub / "notitie.txt"
    path.write_text("Een notitie in een map die eruitziet als een PDF.\n", encoding="utf-8")
    return path
