"""Excel (.xlsx) survey exports, including extra header rows (Qualtrics, LimeSurvey)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.errors import InputFileError
from pipeline.readers.base import SurveyTable, check_file, check_zip, survey_reader
from pipeline.readers.tabular import SurveyOptions, build_table


@survey_reader(".xlsx", ".xlsm")
def read_xlsx(path: Path, options: SurveyOptions | None = None) -> SurveyTable:
    options = options or SurveyOptions()
    check_file(path)
    check_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputFileError(f"Excel-bestand is beschadigd of geen .xlsx ({type(exc).__name__})", path=path,
                             hint="open het in Excel en sla het opnieuw op als .xlsx") from None
    try:
        if options.sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(options.sheet, int):
            ws = wb.worksheets[options.sheet]
        else:
            if options.sheet not in wb.sheetnames:
                raise InputFileError(f"werkblad '{options.sheet}' bestaat niet (wel: {', '.join(wb.sheetnames)})",
                                     path=path, hint="pas 'sheet' aan in de YAML")
            ws = wb[options.sheet]
        records = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not records:
        raise InputFileError("het werkblad is leeg", path=path, hint="controleer of de export gegevens bevat")
    return build_table(records[0], records[1:], path, options)
