"""The workbook: one sheet per table, with fixed document properties and zip metadata."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeline.export.config import ORIGIN, ExportConfig
from pipeline.export.safety import must_stay_text
from pipeline.export.values import is_missing
from pipeline.files import stable_zip
from pipeline.progress import progress

EXCEL_MAX_CHARS = 32767


@dataclass
class Sheet:
    title: str
    frame: pd.DataFrame
    freeze: str = "A2"
    wrap: tuple[str, ...] = ()
    first_row_bold: bool = False


def _cell_value(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str) and len(value) > EXCEL_MAX_CHARS:  # Excel's cell limit
        value = value[: EXCEL_MAX_CHARS - 1] + "…"
    return value


def _number_format(column: str) -> str | None:
    if "aandeel" in column:
        return "0.0%"
    if column.startswith("p_"):
        return "0.000"
    return None


def _width(frame: pd.DataFrame, column: str, wrap: bool) -> float:
    if wrap:
        return 70.0
    longest = max((len(str(v)) for v in frame[column].tolist() if not is_missing(v)), default=0)
    return float(min(max(max(len(str(column)), longest) + 2, 8), 50))


def fill_sheet(ws, sheet: Sheet) -> None:
    """Write a frame with a bold frozen header, an autofilter, widths, and safe text cells.

    `ws` is a write-only worksheet: rows are streamed to the file, not kept as cell
    objects, so the workbook never holds every cell in memory.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    frame = sheet.frame
    columns = [str(c) for c in frame.columns]
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    formats = [_number_format(c) for c in columns]
    wrapped = [c in sheet.wrap for c in columns]
    styled = [bool(f) or w for f, w in zip(formats, wrapped)]

    def put(value: Any, j: int | None = None, font=None):
        value = _cell_value(value)
        risky = must_stay_text(value)
        if not risky and font is None and (j is None or not styled[j]):
            return value  # a plain value: no cell object needed
        cell = WriteOnlyCell(ws, value=value)
        if risky:  # openpyxl made it a formula or an error value: text, with Excel's quote
            cell.data_type = "s"  # prefix so that editing the cell in Excel keeps it text too
            cell.quotePrefix = True
        if j is not None and formats[j] and value is not None:
            cell.number_format = formats[j]
        if j is not None and wrapped[j]:
            cell.alignment = wrap
        if font is not None:
            cell.font = font
        return cell

    for j, name in enumerate(columns, start=1):  # widths and panes go before the first row
        ws.column_dimensions[get_column_letter(j)].width = _width(frame, frame.columns[j - 1], wrapped[j - 1])
    ws.freeze_panes = sheet.freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{len(frame) + 1}"
    header = [put(name, font=bold) for name in columns]
    for cell in header:
        cell.fill = header_fill
    ws.append(header)
    rows = progress(frame.itertuples(index=False, name=None), f"werkmap: {sheet.title}", total=len(frame))
    for i, row in enumerate(rows):
        font = bold if sheet.first_row_bold and i == 0 else None
        ws.append([put(value, j, font) for j, value in enumerate(row)])


def workbook_bytes(sheets: list[Sheet], cfg: ExportConfig) -> bytes:
    """The .xlsx with fixed document properties and zip metadata."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook(write_only=True)
    for sheet in sheets:
        fill_sheet(wb.create_sheet(sheet.title), sheet)
    wb.properties.creator = ORIGIN
    wb.properties.lastModifiedBy = ORIGIN
    wb.properties.title = cfg.project_name
    wb.properties.created = cfg.timestamp
    wb.properties.modified = cfg.timestamp
    buf = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook stamps `modified` with the current time.
    # Stored, not deflated: stable_zip below compresses every entry anyway.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as written:
        entries = [(info.filename, written.read(info)) for info in written.infolist()]
    return stable_zip(entries, cfg.timestamp.timetuple()[:6])
