"""Text that every output can hold, the same everywhere.

`clean_text` gives the text of the workbook, the CSV and the REFI-QDA sources: line breaks
as LF and none of the characters that XML 1.0 and Excel refuse.
"""

from __future__ import annotations

import re

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
