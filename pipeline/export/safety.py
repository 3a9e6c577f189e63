"""Text that every output can hold, and that no spreadsheet runs.

`clean_text` gives the text of the workbook, the CSV and the REFI-QDA sources: line breaks
as LF and none of the characters that XML 1.0 and Excel refuse.

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after leading whitespace),
or with a tab or line break, could run as a formula when the file is opened. In the
workbook such cells (`must_stay_text`) are stored as explicit strings with Excel's
quote-prefix flag, so the value is kept exactly and stays text even when edited; in the
CSV, which has no cell types, they get a leading ``'`` (`pipeline.files.csv_bytes`, in
either dialect).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pipeline.files import is_formula_like

# Characters XML 1.0 and Excel refuse; vertical tab and form feed (PDF page breaks) become spaces.
_SPACE_LIKE = re.compile("[\x0b\x0c]")
_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_UNCLEAN = re.compile("[\r\x0b\x0c\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # any of the above


def clean_text(value: str) -> str:
    """Line breaks as LF and no characters that XML or Excel refuse; the same text everywhere."""
    if not _UNCLEAN.search(value):  # most text: nothing to do (called for every XML value)
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", _SPACE_LIKE.sub(" ", value))


def must_stay_text(value: Any) -> bool:
    """True for a string that a spreadsheet would run as a formula or show as an error ("#N/A").

    openpyxl itself would store "=..." as a formula and "#N/A" as an error value;
    `is_formula_like` adds what Excel runs when the file is opened or the cell edited.
    """
    return isinstance(value, str) and (is_formula_like(value) or value in _excel_errors())


@cache
def _excel_errors() -> frozenset[str]:
    from openpyxl.cell.cell import ERROR_CODES  # openpyxl loads when a workbook is written, not on import

    return frozenset(ERROR_CODES)
