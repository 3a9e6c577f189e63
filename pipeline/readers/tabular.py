"""Shared handling of survey tables: header rows, ragged records, string cells."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from pipeline.errors import InputFileError
from pipeline.readers.base import SurveyTable


@dataclass
class SurveyOptions:
    """Per-export reading options, from the wave YAML (all optional)."""

    extra_header_rows: int | None = None  # None: detect (Qualtrics, LimeSurvey question-text row)
    sheet: str | int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def cell_to_str(value: Any) -> str:
    """Render a spreadsheet or SPSS cell as the string a person would read."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


_IMPORT_ID = re.compile(r'^\{"ImportId"')
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def detect_extra_header_rows(records: Sequence[Sequence[str]], limit: int = 3) -> int:
    """Count leading data rows that are really header rows.

    Qualtrics exports have a question-text row and an ``{"ImportId": ...}`` row under
    the column names; LimeSurvey can add a question-text row. A leading row counts as
    a header row when it holds an ImportId, or when a column that is numeric in the
    data below holds text in that row.
    """
    n = 0
    body = list(records[limit:limit + 50]) or list(records)
    numeric_cols = set()
    if body:
        width = max(len(r) for r in body)
        for j in range(width):
            vals = [r[j] for r in body if j < len(r) and r[j].strip()]
            if vals and all(_NUMBER.match(v.strip()) for v in vals):
                numeric_cols.add(j)
    for rec in records[:limit]:
        if any(_IMPORT_ID.match(c or "") for c in rec):
            n += 1
            continue
        texty = [j for j in numeric_cols if j < len(rec) and rec[j].strip() and not _NUMBER.match(rec[j].strip())]
        if numeric_cols and texty:
            n += 1
            continue
        break
    return n


def build_table(header: Sequence[Any], records: Sequence[Sequence[Any]], path: Path,
                options: SurveyOptions, first_data_row: int = 2) -> SurveyTable:
    """Turn a header and records into a `SurveyTable` of strings.

    Short records are padded (a truncated export line); records with more filled
    fields than there are columns are rejected and reported, never dropped silently.
    """
    header = [cell_to_str(h).strip() for h in header]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise InputFileError("geen kolomkoppen gevonden", path=path,
                             hint="de eerste rij moet de kolomnamen bevatten")
    seen: dict[str, int] = {}
    unique = []
    for i, h in enumerate(header):
        h = h or f"kolom_{i + 1}"
        if h in seen:
            seen[h] += 1
            notes_name = f"{h}.{seen[h]}"
            options.notes.append(f"dubbele kolomnaam '{h}' hernoemd naar '{notes_name}'")
            h = notes_name
        else:
            seen[h] = 0
        unique.append(h)
    width = len(unique)
    str_records = [[cell_to_str(c) for c in rec] for rec in records]

    extra = options.extra_header_rows
    question_texts: dict[str, str] = {}
    if extra is None:
        extra = detect_extra_header_rows(str_records)
        if extra:
            options.notes.append(f"{extra} extra kopregel(s) onder de kolomnamen herkend en overgeslagen")
    if extra:
        for j, name in enumerate(unique):
            txt = str_records[0][j].strip() if j < len(str_records[0]) else ""
            if txt and not _IMPORT_ID.match(txt):
                question_texts[name] = txt
    data_rows: list[list[str]] = []
    rows: list[int] = []
    rejected: list[str] = []
    for i, rec in enumerate(str_records[extra:]):
        row_no = first_data_row + extra + i
        if not any(c.strip() for c in rec):
            continue  # blank spreadsheet line, not a respondent
        if len(rec) > width:
            if any(c.strip() for c in rec[width:]):
                rejected.append(f"rij {row_no}: {len(rec)} velden, verwacht {width}")
                continue
            rec = rec[:width]
        if len(rec) < width:
            rec = rec + [""] * (width - len(rec))
        data_rows.append([c.replace("\r\n", "\n").replace("\r", "\n") for c in rec])
        rows.append(row_no)
    return SurveyTable(pd.DataFrame(data_rows, columns=unique, dtype=object), rows, question_texts,
                       list(options.notes), rejected)
