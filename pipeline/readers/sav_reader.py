"""SPSS (.sav) survey exports via pyreadstat, with value labels applied."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.readers.base import SurveyTable, check_file, survey_reader
from pipeline.readers.tabular import SurveyOptions, build_table


@survey_reader(".sav", ".zsav")
def read_sav(path: Path, options: SurveyOptions | None = None) -> SurveyTable:
    import pyreadstat

    options = options or SurveyOptions()
    check_file(path)
    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and plain errors
        raise InputFileError(f"SPSS-bestand kan niet worden gelezen ({exc})", path=path,
                             hint="exporteer opnieuw als .sav of als CSV") from None
    options.extra_header_rows = 0  # SPSS has no header rows in the data
    records = df.astype(object).where(df.notna(), None).values.tolist()
    table = build_table(list(df.columns), records, path, options)
    table.question_texts = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    return table
