"""The input battery: malformed and awkward files, and exactly what ingest does with each.

`CASES` is the specification, one row per file (builders in tests/battery.py):

* READ: read, with the expectations in `check` (rows, statuses, text kept verbatim);
* SKIP: skipped with a reason holding `reason` and ``passages: 0``, the run goes on;
  with ``strict`` the run stops with a `SamenspelError` naming the file, and
  ``samenspel ingest --strict`` exits 2 with one line on stderr naming the file. When
  `by_reader` is set, the reader itself refuses the file, so ``samenspel classify FILE``
  refuses it the same way;
* IGNORED: listed under ``ignored`` in the accounting (never data);
* ABSENT: a folder that only looks like a file: nothing to account for.

Answer statuses: white space only (also no-break and ideographic spaces) is 'empty'; an
answer without a letter or digit, such as only emoji, is 'filler': kept as a passage with
its text, but not coded. English answers are kept as ordinary passages; the nlp stage
flags their language.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest

from pipeline import ingest
from pipeline.cli import main
from pipeline.errors import SamenspelError
from tests import battery, factory
from tests.conftest import ROOT

READ, SKIP, IGNORED, ABSENT = "read", "skip", "ignored", "absent"
SURVEY, DOCUMENT = "survey", "document"


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], Path]
    kind: str  # SURVEY: built in the surveys folder; DOCUMENT: in the documents folder
    outcome: str
    reason: str = ""  # SKIP: a substring of the recorded reason
    check: Callable | None = None  # check(rows, entry, accounting, cfg) for the file's passages
    strict: str | None = None  # READ: what a strict run stops on (default: not run strictly)
    by_reader: bool = False  # SKIP: the reader refuses it, so `classify FILE` does too


# ------------------------------------------------------------------ expectations for read files


def expected_status(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return "empty"
    if stripped == "weet niet" or stripped in battery.EMOJI:
        return "filler"
    return "ok"


def joined(rows: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Passage id without chunk suffix -> (chunks joined with spaces, status)."""
    out: dict[str, tuple[list[str], set[str]]] = {}
    for pid, text, status in zip(rows["passage_id"], rows["text"], rows["status"]):
        texts, statuses = out.setdefault(re.sub(r"#\d+$", "", pid), ([], set()))
        texts.append(text)
        statuses.add(status)
    return {pid: (" ".join(t), s.pop() if len(s) == 1 else str(sorted(s))) for pid, (t, s) in out.items()}


def verbatim(data: list[dict[str, str]], note: str | None = None):
    """Every answer in `data` is a passage with its text (CRLF -> LF, stripped) and status."""

    def check(rows, entry, acc, cfg):
        wave = entry["wave"]
        expected = {}
        for r in data:
            for qid, col in (("rol", "antwoord_rol"), ("uitdaging", "antwoord_uitdaging")):
                text = r[col].replace("\r\n", "\n").strip()
                expected[f"{wave}/{r['respondent']}/{qid}"] = (text, expected_status(text))
        assert joined(rows) == expected
        assert entry["rows_read"] == len(data) and entry["rows_rejected"] == []
        assert rows["row"].tolist() == sorted(rows["row"].tolist())
        assert (rows["text"].str.len() <= cfg.max_passage_chars).all()
        if note:
            assert any(note in n for n in entry["notes"]), entry["notes"]

    return check


def no_rows(rows, entry, acc, cfg):
    assert entry["rows_read"] == 0 and entry["answers"] == 0 and len(rows) == 0


def big_answer_split(rows, entry, acc, cfg):
    verbatim(battery.big_answer_rows())(rows, entry, acc, cfg)
    chunks = rows[rows["passage_id"].str.startswith(f"{entry['wave']}/R002/rol#")].sort_values("chunk")
    assert len(battery.BIG_ANSWER) > 1_000_000
    assert len(chunks) > 600 and chunks["chunk"].tolist() == list(range(len(chunks)))
    assert " ".join(chunks["text"]) == battery.BIG_ANSWER
    assert set(chunks["row"]) == {3}


def emoji_are_filler(rows, entry, acc, cfg):
    verbatim(battery.emoji_rows())(rows, entry, acc, cfg)
    kept = rows[rows["text"].isin(battery.EMOJI)]
    assert sorted(kept["text"]) == sorted(battery.EMOJI) and set(kept["status"]) == {"filler"}


def whitespace_is_empty(rows, entry, acc, cfg):
    verbatim(battery.whitespace_rows())(rows, entry, acc, cfg)
    rol = rows[rows["question_id"] == "rol"]
    assert rol["status"].tolist() == ["empty"] * 4 and rol["text"].tolist() == [""] * 4


def english_kept(rows, entry, acc, cfg):
    verbatim(battery.english_rows())(rows, entry, acc, cfg)
    rol = rows[rows["question_id"] == "rol"]
    assert rol["text"].tolist() == battery.ENGLISH and set(rol["status"]) == {"ok"}


def formula_kept(rows, entry, acc, cfg):
    verbatim(battery.formula_rows())(rows, entry, acc, cfg)
    assert rows.loc[rows["passage_id"] == f"{entry['wave']}/R001/rol", "text"].item() == battery.FORMULA


def ragged(rows, entry, acc, cfg):
    assert entry["rows_read"] == 2 and entry["rows_rejected"] == ["rij 4: 7 velden, verwacht 5"]
    assert joined(rows) == {
        "csv_ragged/R001/rol": ("Korte rij zonder laatste veld", "ok"),
        "csv_ragged/R001/uitdaging": ("", "empty"),  # the missing last field, padded
        "csv_ragged/R002/rol": ("Goed antwoord", "ok"),
        "csv_ragged/R002/uitdaging": ("Nog een antwoord", "ok"),
    }


def one_column(rows, entry, acc, cfg):
    assert entry["rows_read"] == 3 and entry["rows_rejected"] == []
    assert rows["text"].tolist() == battery.ONE_COLUMN
    assert rows["passage_id"].tolist() == [f"csv_one_column/r{n}/antwoord" for n in (2, 3, 4)]
    assert any("één kolom" in n for n in entry["notes"])


def duplicate_columns(rows, entry, acc, cfg):
    assert joined(rows) == {"csv_duplicate_columns/R001/eerste": ("eerste vraag", "ok"),
                            "csv_duplicate_columns/R001/tweede": ("tweede vraag", "ok"),
                            "csv_duplicate_columns/R002/eerste": ("nog een", "ok"),
                            "csv_duplicate_columns/R002/tweede": ("en nog een", "ok")}
    assert any("'antwoord_rol.1'" in n for n in entry["notes"])


def survey_with_accented_name(rows, entry, acc, cfg):
    verbatim(battery.rows())(rows, entry, acc, cfg)
    assert entry["spec"] == "Enquête één – najaar 2030.yaml"


def paragraphs(*texts: str, ids: tuple[str, ...] = ()):
    def check(rows, entry, acc, cfg):
        assert rows["text"].tolist() == list(texts) and set(rows["status"]) <= {"ok"}
        assert entry["paragraphs"] == len(texts) == entry["passages"]
        if ids:
            assert rows["passage_id"].tolist() == list(ids)

    return check


def no_text(rows, entry, acc, cfg):
    assert entry["paragraphs"] == 0 and len(rows) == 0 and entry["notes"] == ["geen tekst gevonden"]


def long_line_split(rows, entry, acc, cfg):
    assert entry["paragraphs"] == 1 and len(rows) > 100
    assert (rows["text"].str.len() <= cfg.max_passage_chars).all()
    assert " ".join(rows.sort_values("chunk")["text"]) == battery.LONG_LINE


def duplicate_ids_warned(rows, entry, acc, cfg):
    """Row numbers are the ids, and the accounting names every duplicated id with its rows."""
    assert entry["autodetected"]["id_column"] is None
    assert entry["autodetected"]["duplicate_ids"] == {"respondent": {"R001": [2, 5], "R002": [3, 6]}}
    (note,) = [n for n in entry["notes"] if "dubbele id's" in n]
    assert note.startswith("LET OP:") and "'respondent'" in note and "R001 (rij 2, 5); R002 (rij 3, 6)" in note
    assert sorted(set(rows["respondent_id"])) == ["r2", "r3", "r4", "r5", "r6"]
    columns = {c["column"]: c for c in entry["autodetected"]["columns"]}
    assert columns["respondent"]["kind"] == "id" and "dubbele id's" in columns["respondent"]["reason"]


def deep_html_plain_text(rows, entry, acc, cfg):
    paragraphs(*battery.HTML_DEEP[1:])(rows, entry, acc, cfg)
    assert set(rows["section"]) == {battery.HTML_DEEP[0]}
    assert any("platte tekst van de hele pagina" in n for n in entry["notes"])


def inside_folder_named_pdf(rows, entry, acc, cfg):
    paragraphs("Een notitie in een map die eruitziet als een PDF.",
               ids=("folder_named_like_pdf.pdf/notitie/0001",))(rows, entry, acc, cfg)
    assert "documents/folder_named_like_pdf.pdf" not in {e["file"] for e in acc["files"]}


def broken_yaml_export_not_guessed(rows, entry, acc, cfg):
    (export,) = [e for e in acc["files"] if e["file"] == "surveys/yaml_invalid_syntax.csv"]
    assert export["status"] == "skipped" and "hoort bij de ongeldige YAML yaml_invalid_syntax.yaml" in export["reason"]
    assert export["passages"] == 0


def names_the_yaml(name: str):
    def check(rows, entry, acc, cfg):
        assert entry["spec"] == name

    return check


def bomb_claims_gigabytes(rows, entry, acc, cfg):
    assert int(re.search(r"pakt uit tot (\d+) MB", entry["reason"]).group(1)) > 4000


DOCX_TEXT = ("Partijen komen overeen de woningbouwopgave samen op te pakken.",
             "Het portefeuillehoudersoverleg heeft de regie over de uitvoering.",
             "Gemeente | Aantal woningen", "Arnhem | 1200")

# ------------------------------------------------------------------ the battery

CASES = [
    # empty and header-only
    Case("csv_empty", battery.csv_empty, SURVEY, SKIP, "leeg bestand (0 bytes)", by_reader=True),
    Case("csv_whitespace_file", battery.csv_whitespace_file, SURVEY, SKIP, "alleen witruimte", by_reader=True),
    Case("csv_header_only", battery.csv_header_only, SURVEY, READ, check=no_rows),
    Case("csv_header_only_no_yaml", battery.csv_header_only_no_yaml, SURVEY, SKIP,
         "geen open-antwoordkolommen herkend"),
    Case("xlsx_empty", battery.xlsx_empty, SURVEY, SKIP, "leeg bestand (0 bytes)", by_reader=True),
    Case("xlsx_header_only", battery.xlsx_header_only, SURVEY, READ, check=no_rows),
    # encodings and delimiters, also mixed up
    Case("csv_utf8_semicolon", battery.csv_utf8_semicolon, SURVEY, READ,
         check=verbatim(battery.rows(), "codering utf-8, scheidingsteken ';'")),
    Case("csv_utf8_bom_comma", battery.csv_utf8_bom_comma, SURVEY, READ,
         check=verbatim(battery.rows(), "codering utf-8-sig, scheidingsteken ','")),
    Case("csv_cp1252_tab", battery.csv_cp1252_tab, SURVEY, READ,
         check=verbatim(battery.rows(), "codering cp1252, scheidingsteken '\\t'")),
    Case("csv_utf16_comma", battery.csv_utf16_comma, SURVEY, READ,
         check=verbatim(battery.rows(), "codering utf-16, scheidingsteken ','")),
    Case("csv_utf16_tab", battery.csv_utf16_tab, SURVEY, READ,
         check=verbatim(battery.rows(), "codering utf-16, scheidingsteken '\\t'")),
    Case("csv_utf16_no_bom", battery.csv_utf16_no_bom, SURVEY, READ,
         check=verbatim(battery.rows(), "codering utf-16-le, scheidingsteken ';'")),
    Case("csv_cr_line_ends", battery.csv_cr_line_ends, SURVEY, READ, check=verbatim(battery.rows())),
    Case("yaml_wrong_encoding", battery.yaml_wrong_encoding, SURVEY, SKIP, "kan niet lezen als utf-8"),
    Case("yaml_unknown_encoding", battery.yaml_unknown_encoding, SURVEY, SKIP, "kan niet lezen als utf-9"),
    Case("yaml_wrong_delimiter", battery.yaml_wrong_delimiter, SURVEY, SKIP,
         "'organisatie', 'respondent' bestaan niet in de export"),  # the whole header is one column
    Case("yaml_tab_not_escaped", battery.yaml_tab_not_escaped, SURVEY, SKIP, "ongeldig scheidingsteken '\\\\t'"),
    Case("yaml_header_rows_text", battery.yaml_header_rows_text, SURVEY, SKIP,
         "'extra_header_rows' moet een geheel getal"),
    # records
    Case("csv_ragged", battery.csv_ragged, SURVEY, READ, check=ragged, strict="1 onbruikbare rij(en): rij 4"),
    Case("csv_quoted_newlines", battery.csv_quoted_newlines, SURVEY, READ,
         check=verbatim(battery.quoted_newline_rows())),
    Case("csv_nul_bytes", battery.csv_nul_bytes, SURVEY, READ, check=verbatim(battery.rows(), "2 NUL-byte(s)")),
    Case("csv_binary", battery.csv_binary, SURVEY, SKIP, "binaire gegevens", by_reader=True),
    Case("csv_one_column", battery.csv_one_column, SURVEY, READ, check=one_column),
    Case("csv_duplicate_columns", battery.csv_duplicate_columns, SURVEY, READ, check=duplicate_columns),
    Case("csv_formula", battery.csv_formula, SURVEY, READ, check=formula_kept),
    Case("csv_big_answer", battery.csv_big_answer, SURVEY, READ, check=big_answer_split),
    Case("csv_emoji_only", battery.csv_emoji_only, SURVEY, READ, check=emoji_are_filler),
    Case("csv_whitespace_answers", battery.csv_whitespace_answers, SURVEY, READ, check=whitespace_is_empty),
    Case("csv_english", battery.csv_english, SURVEY, READ, check=english_kept),
    Case("csv_duplicate_ids", battery.csv_duplicate_ids, SURVEY, SKIP, "dubbele respondent-id's: R001, R002"),
    Case("csv_duplicate_ids_no_yaml", battery.csv_duplicate_ids_no_yaml, SURVEY, READ, check=duplicate_ids_warned),
    Case("csv_empty_ids", battery.csv_empty_ids, SURVEY, SKIP, "lege respondent-id in rij(en) [4]"),
    Case("csv_random_bytes", battery.csv_random_bytes, SURVEY, SKIP, "binaire gegevens", by_reader=True),
    # the wave YAML
    Case("yaml_missing_columns", battery.yaml_missing_columns, SURVEY, SKIP,
         "kolom(men) 'regio_kolom' bestaan niet", check=names_the_yaml("yaml_missing_columns.yaml")),
    Case("yaml_invalid_syntax", battery.yaml_invalid_syntax, SURVEY, SKIP, "ongeldige YAML",
         check=broken_yaml_export_not_guessed),
    Case("yaml_missing_export", battery.yaml_missing_export, SURVEY, SKIP,
         "export 'bestaat_niet.csv' uit de YAML bestaat niet"),
    # other survey formats, names and folders
    Case("xlsx_corrupt", battery.xlsx_corrupt, SURVEY, SKIP, "geen geldige zip-container", by_reader=True),
    Case("xlsx_truncated", battery.xlsx_truncated, SURVEY, SKIP, "beschadigd of afgekapt", by_reader=True),
    Case("xlsx_encrypted", battery.xlsx_encrypted, SURVEY, SKIP, "versleuteld met een wachtwoord", by_reader=True),
    Case("xlsx_bitrot", battery.xlsx_bitrot, SURVEY, SKIP, "Excel-bestand is beschadigd", by_reader=True),
    Case("xlsx_xml_truncated", battery.xlsx_xml_truncated, SURVEY, SKIP,
         "Excel-bestand is beschadigd of geen .xlsx (ParseError)", by_reader=True),
    Case("xlsx_not_a_workbook", battery.xlsx_not_a_workbook, SURVEY, SKIP, "geen .xlsx", by_reader=True),
    Case("xlsx_empty_first_sheet", battery.xlsx_empty_first_sheet, SURVEY, SKIP, "het werkblad 'Leeg' is leeg",
         by_reader=True),
    Case("xlsx_sheet_named_in_yaml", battery.xlsx_sheet_named_in_yaml, SURVEY, READ,
         check=verbatim(battery.rows())),
    Case("xlsx_sheet_index_too_high", battery.xlsx_sheet_index_too_high, SURVEY, SKIP, "werkblad 1 bestaat niet"),
    Case("xlsx_zip_bomb", battery.xlsx_zip_bomb, SURVEY, SKIP, "zip-bom", by_reader=True),
    Case("sav_valid", battery.sav_valid, SURVEY, READ, check=verbatim(battery.rows())),
    Case("sav_is_csv", battery.sav_is_csv, SURVEY, SKIP, "past niet bij de extensie .sav", by_reader=True),
    Case("survey_unsupported_ods", battery.survey_unsupported_ods, SURVEY, SKIP, "onbekend exportformaat '.ods'"),
    Case("survey_name_spaces_accents", battery.survey_name_spaces_accents, SURVEY, READ,
         check=survey_with_accented_name),
    Case("survey_yaml_points_at_folder", battery.survey_yaml_points_at_folder, SURVEY, SKIP,
         "dit is een map, geen bestand", by_reader=True),
    Case("survey_folder_named_yaml", battery.survey_folder_named_yaml, SURVEY, ABSENT),
    Case("excel_owner_file", battery.excel_owner_file, SURVEY, IGNORED),
    # documents
    Case("txt_binary", battery.txt_binary, DOCUMENT, SKIP, "binaire gegevens", by_reader=True),
    Case("txt_random_bytes", battery.txt_random_bytes, DOCUMENT, SKIP, "binaire gegevens", by_reader=True),
    Case("md_random_bytes", battery.md_random_bytes, DOCUMENT, SKIP, "binaire gegevens", by_reader=True),
    Case("html_random_bytes", battery.html_random_bytes, DOCUMENT, SKIP, "binaire gegevens", by_reader=True),
    Case("txt_empty", battery.txt_empty, DOCUMENT, SKIP, "leeg bestand (0 bytes)", by_reader=True),
    Case("txt_whitespace", battery.txt_whitespace, DOCUMENT, SKIP, "bestand bevat geen tekst", by_reader=True),
    Case("txt_long_line", battery.txt_long_line, DOCUMENT, READ, check=long_line_split),
    Case("txt_english", battery.txt_english, DOCUMENT, READ, check=paragraphs(*battery.ENGLISH)),
    Case("txt_name_spaces_accents", battery.txt_name_spaces_accents, DOCUMENT, READ,
         check=paragraphs("Eerste alinea over de regio.", "Tweede alinea.",
                          ids=("Notitie café – regio overleg/0001", "Notitie café – regio overleg/0002"))),
    Case("doc_renamed_docx", battery.doc_renamed_docx, DOCUMENT, SKIP, "oud Office-formaat (.doc/.xls)",
         by_reader=True),
    Case("docx_encrypted", battery.docx_encrypted, DOCUMENT, SKIP, "versleuteld met een wachtwoord", by_reader=True),
    Case("docx_corrupt", battery.docx_corrupt, DOCUMENT, SKIP, "geen geldige zip-container", by_reader=True),
    Case("docx_truncated", battery.docx_truncated, DOCUMENT, SKIP, "beschadigd of afgekapt", by_reader=True),
    Case("docx_bitrot", battery.docx_bitrot, DOCUMENT, SKIP, "Word-bestand is beschadigd", by_reader=True),
    Case("docx_xml_truncated", battery.docx_xml_truncated, DOCUMENT, SKIP,
         "Word-bestand is beschadigd of geen .docx (XMLSyntaxError)", by_reader=True),
    Case("docx_zip_bomb", battery.docx_zip_bomb, DOCUMENT, SKIP, "zip-bom", by_reader=True),
    Case("docx_zip_bomb_gigabytes", battery.docx_zip_bomb_gigabytes, DOCUMENT, SKIP, "zip-bom",
         check=bomb_claims_gigabytes, by_reader=True),
    Case("docx_upper_case_ext", battery.docx_upper_case_ext, DOCUMENT, READ, check=paragraphs(*DOCX_TEXT)),
    Case("pdf_corrupt", battery.pdf_corrupt, DOCUMENT, SKIP, "PDF is beschadigd of afgekapt", by_reader=True),
    Case("pdf_truncated", battery.pdf_truncated, DOCUMENT, SKIP, "PDF is beschadigd of afgekapt", by_reader=True),
    Case("pdf_encrypted", battery.pdf_encrypted, DOCUMENT, SKIP, "PDF is versleuteld", by_reader=True),
    Case("pdf_scanned", battery.pdf_scanned, DOCUMENT, SKIP, "geen tekstlaag (gescand beeld?)", by_reader=True),
    Case("pdf_zero_pages", battery.pdf_zero_pages, DOCUMENT, SKIP, "PDF heeft geen pagina's", by_reader=True),
    Case("html_no_main_text", battery.html_no_main_text, DOCUMENT, SKIP, "geen hoofdtekst gevonden", by_reader=True),
    Case("html_only_heading", battery.html_only_heading, DOCUMENT, READ, check=no_text),
    Case("html_deeply_nested", battery.html_deeply_nested, DOCUMENT, READ, check=deep_html_plain_text),
    Case("html_text_outside_paragraphs", battery.html_text_outside_paragraphs, DOCUMENT, READ,
         check=paragraphs(*battery.HTML_LOOSE)),
    Case("md_only_heading", battery.md_only_heading, DOCUMENT, READ, check=no_text),
    Case("odt_unsupported", battery.odt_unsupported, DOCUMENT, SKIP, "onbekend documentformaat '.odt'"),
    Case("folder_named_like_pdf", battery.folder_named_like_pdf, DOCUMENT, READ, check=inside_folder_named_pdf),
]

CONTROL_TEXT = "Een gewoon document: de run gaat door na elk onleesbaar bestand."


def test_the_battery_is_complete():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) >= 30
    assert all(c.reason for c in CASES if c.outcome == SKIP)


# ------------------------------------------------------------------ running it


def make_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """The folders with a control document and a control survey: a bad file beside them is skipped and the
    run goes on (with no survey answer at all, ingest would stop)."""
    surveys, documents = tmp_path / "surveys", tmp_path / "documents"
    surveys.mkdir()
    documents.mkdir()
    (documents / "controle.txt").write_text(CONTROL_TEXT + "\n", encoding="utf-8")
    factory.write_csv(surveys / "controle.csv", factory.survey_rows(2))
    factory.write_spec(surveys / "controle.yaml", "controle.csv", wave="controle")
    return surveys, documents


def run(tmp_path: Path, cfg, surveys: Path, documents: Path):
    out = tmp_path / "out"
    df = ingest.run(surveys, documents, out / "passages.parquet", out / "accounting.json", out / "metrics.json",
                    cfg, say=lambda msg, warn=False: None)
    return df, json.loads((out / "accounting.json").read_text(encoding="utf-8"))


def cli_args(tmp_path: Path, surveys: Path, documents: Path) -> list[str]:
    out = tmp_path / "cli"
    return ["ingest", "--surveys", str(surveys), "--documents", str(documents), "--output", str(out / "p.parquet"),
            "--accounting", str(out / "a.json"), "--metrics", str(out / "m.json"), "--strict",
            "--params", str(ROOT / "params.yaml")]


def one_line_error(capsys, code: int) -> str:
    """Exit code 2 and exactly one line on stderr, without a traceback; return that line."""
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("fout: ")
    return lines[0]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_battery(case: Case, tmp_path, ingest_cfg, capsys):
    surveys, documents = make_corpus(tmp_path)
    subject = case.build(surveys if case.kind == SURVEY else documents)
    rel = subject.relative_to(tmp_path).as_posix()

    df, acc = run(tmp_path, ingest_cfg, surveys, documents)
    control = [e for e in acc["files"] if e["file"] in ("documents/controle.txt", "surveys/controle.csv")]
    assert [e["status"] for e in control] == ["read", "read"] and df["text"].eq(CONTROL_TEXT).sum() == 1  # went on
    entries = [e for e in acc["files"] if e["file"] == rel]
    rows = df[df["source"] == rel]

    if case.outcome == READ:
        (entry,) = entries
        assert entry["status"] == "read" and entry["passages"] == len(rows)
        case.check(rows, entry, acc, ingest_cfg)
        if case.strict:
            with pytest.raises(SamenspelError, match=re.escape(case.strict)) as exc:
                run(tmp_path, dataclasses.replace(ingest_cfg, strict=True), surveys, documents)
            assert subject.name in exc.value.one_line()
    elif case.outcome == SKIP:
        (entry,) = entries
        assert entry["status"] == "skipped" and entry["passages"] == 0 and len(rows) == 0
        assert case.reason in entry["reason"]
        if case.check:
            case.check(rows, entry, acc, ingest_cfg)
        # (b) strict: the run stops on it, naming the file
        with pytest.raises(SamenspelError) as exc:
            run(tmp_path, dataclasses.replace(ingest_cfg, strict=True), surveys, documents)
        assert subject.name in exc.value.one_line() and case.reason in exc.value.one_line()
        # (c) the command line: one line, exit code 2
        capsys.readouterr()
        line = one_line_error(capsys, main(cli_args(tmp_path, surveys, documents)))
        assert subject.name in line and case.reason in line
    elif case.outcome == IGNORED:
        assert entries == [] and rel in acc["ignored"]
    else:
        assert entries == [] and rel not in acc["ignored"] and subject.is_dir()


def test_all_battery_files_in_one_run(tmp_path, ingest_cfg):
    surveys, documents = make_corpus(tmp_path)
    subjects = {c.id: c.build(surveys if c.kind == SURVEY else documents).relative_to(tmp_path).as_posix()
                for c in CASES}
    df, acc = run(tmp_path, ingest_cfg, surveys, documents)
    entries = acc["files"]

    # Every file is accounted for exactly once: read, skipped with a reason, or ignored.
    # A wave YAML counts through the export it describes (`spec`).
    named = Counter(e["file"] for e in entries) + Counter(acc["ignored"])
    named += Counter((Path(e["file"]).parent / e["spec"]).as_posix() for e in entries if e.get("spec"))
    on_disk = {p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("[sd]*/**/*") if p.is_file()}
    assert {f: n for f, n in named.items() if f in on_disk} == dict.fromkeys(on_disk, 1)
    assert all((tmp_path / f).exists() for f in named)  # never a file that is not there
    assert all(e["reason"] for e in entries if e["status"] == "skipped")

    # Passages: the sum over read files, nothing from skipped ones.
    assert sum(e["passages"] for e in entries if e["status"] == "read") == len(df)
    assert all(e["passages"] == 0 for e in entries if e["status"] == "skipped")
    assert Counter(df["source"]) == Counter({e["file"]: e["passages"] for e in entries if e["passages"]})

    # And every file ends up as it does on its own.
    by_file = {e["file"]: e for e in entries}
    for case in CASES:
        rel = subjects[case.id]
        if case.outcome == READ:
            assert by_file[rel]["status"] == "read", case.id
        elif case.outcome == SKIP:
            assert case.reason in by_file[rel]["reason"], case.id
        elif case.outcome == IGNORED:
            assert rel in acc["ignored"], case.id
        else:
            assert rel not in by_file, case.id


def test_zip_bombs_are_refused_without_unpacking(tmp_path):
    from pipeline.readers import DOCUMENT_READERS, SURVEY_READERS
    from pipeline.errors import InputFileError

    for build, reader in ((battery.docx_zip_bomb_gigabytes, DOCUMENT_READERS[".docx"]),
                          (battery.docx_zip_bomb, DOCUMENT_READERS[".docx"]),
                          (battery.xlsx_zip_bomb, SURVEY_READERS[".xlsx"])):
        path = build(tmp_path)
        assert path.stat().st_size < 100_000
        start = time.perf_counter()
        with pytest.raises(InputFileError, match="zip-bom"):
            reader(path)
        assert time.perf_counter() - start < 0.5


# ------------------------------------------------------------------ samenspel classify FILE


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A two-code classifier fitted on a dozen sentences: enough to get past loading the model."""
    from pipeline.model import Classifier, build_model, feature_frame

    texts = [f"De regio overlegt over {w} met de partners." for w in ("wonen", "werken", "water", "wegen",
                                                                     "zorg", "energie")]
    texts += [f"Iedere gemeente kiest voor het eigen belang bij {w}." for w in ("wonen", "werken", "water",
                                                                               "wegen", "zorg", "energie")]
    y = np.array([[1, 0]] * 6 + [[0, 1]] * 6)
    X = feature_frame(texts, [t.lower().rstrip(".").split() for t in texts])
    model = build_model({"model": "logreg"}, (1, 1), (3, 4), 1, 0).fit(X, y)
    path = tmp_path_factory.mktemp("model") / "classifier.skops"
    codes = ["netwerker", "belangen"]
    Classifier(model, codes, dict.fromkeys(codes, 0.5), {"backend": "fallback"}).save(path)
    return path


@pytest.mark.parametrize("case", [c for c in CASES if c.by_reader], ids=lambda c: c.id)
def test_classify_refuses_the_file_in_one_line(case: Case, tmp_path, tiny_model, capsys):
    subject = case.build(tmp_path)
    code = main(["classify", str(subject), "--output", str(tmp_path / "uit.csv"), "--model", str(tiny_model),
                 "--params", str(ROOT / "params.yaml")])
    line = one_line_error(capsys, code)
    assert subject.name in line and case.reason in line
    assert not (tmp_path / "uit.csv").exists()


def test_classify_without_a_model_says_so_in_one_line(tmp_path, capsys):
    subject = battery.csv_utf8_semicolon(tmp_path)
    code = main(["classify", str(subject), "--output", str(tmp_path / "uit.csv"), "--model",
                 str(tmp_path / "geen.skops"), "--params", str(ROOT / "params.yaml")])
    assert "nog geen getraind model" in one_line_error(capsys, code)


def test_classify_a_missing_file_names_it(tmp_path, capsys):
    code = main(["classify", str(tmp_path / "weg.csv"), "--output", str(tmp_path / "uit.csv"),
                 "--model", str(tmp_path / "geen.skops"), "--params", str(ROOT / "params.yaml")])
    line = one_line_error(capsys, code)
    assert "weg.csv" in line and "bestand niet gevonden" in line


@pytest.mark.parametrize("option", ["--surveys", "--documents"])
def test_ingest_given_a_file_instead_of_a_folder(tmp_path, capsys, option):
    surveys, documents = make_corpus(tmp_path)
    export = battery.csv_utf8_semicolon(surveys)
    args = cli_args(tmp_path, surveys, documents)
    args[args.index(option) + 1] = str(export)
    line = one_line_error(capsys, main(args))
    assert export.name in line and "dit is een bestand" in line
