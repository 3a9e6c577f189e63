"""Excel (.xlsx) survey exports, including extra header rows (Qualtrics, LimeSurvey)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.errors import InputFileError
from pipeline.readers.base import SurveyTable, check_file, check_zip, survey_reader
from pipeline.readers.tabular import SurveyOptions, build_table

#: What openpyxl raises for a broken workbook; in read-only mode also while rows are read.
_BROKEN = (InvalidFileException, zipfile.BadZipFile, zlib.error, ParseError, KeyError, OSError, ValueError)


def _broken(path: Path, exc: Exception) -> InputFileError:
    return InputFileError(f"Excel-bestand is beschadigd of geen .xlsx ({type(exc).__name__})", path=path,
                          hint="open het in Excel en sla het opnieuw op als .xlsx")


@survey_reader(".xlsx", ".xlsm")
def read_xlsx(path: Path, options: SurveyOptions | None = None) -> SurveyTable:
    options = options or SurveyOptions()
    check_file(path)
    check_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _BROKEN as exc:
        raise _broken(path, exc) from None
    names = wb.sheetnames
    try:
        if options.sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(options.sheet, int):
            if not 0 <= options.sheet < len(names):
                raise InputFileError(f"werkblad {options.sheet} bestaat niet (aantal werkbladen: {len(names)})",
                                     path=path, hint=f"'sheet' telt vanaf 0; of geef de naam: {', '.join(names)}")
            ws = wb.worksheets[options.sheet]
        else:
            if options.sheet not in names:
                raise InputFileError(f"werkblad '{options.sheet}' bestaat niet (wel: {', '.join(names)})",
                                     path=path, hint="pas 'sheet' aan in de YAML")
            ws = wb[options.sheet]
        records = [list(r) for r in ws.iter_rows(values_only=True)]
    except _BROKEN as exc:
        raise _broken(path, exc) from None
    finally:
        wb.close()
    if not records:
        hint = (f"kies het werkblad met de gegevens met 'sheet' in de YAML (werkbladen: {', '.join(names)})"
                if len(names) > 1 else "controleer of de export gegevens bevat")
        raise InputFileError(f"het werkblad '{ws.title}' is leeg", path=path, hint=hint)
    return build_table(records[0], records[1:], path, options)
