"""Numbers and places written the Dutch way, for every report, summary and export.

One place for the conventions the outputs share: a decimal comma, '–' for a missing
value, percentages as "12%" (report) or "12,3 %" (topic summaries), and a passage's
place in its document as "p. 3 ¶ 2" (report) or "p. 3, alinea 2" (workbook), and the
distinct places of a set of passages.
"""

from __future__ import annotations

import math
from typing import Any

#: Shown for a value that is missing or not a number.
MISSING = "–"


def is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA/NaT."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA (raises: ambiguous) and NaT are not equal to themselves
    except TypeError:
        return True


def number(x: float | None, digits: int = 1, minus: str = "−") -> str:
    """`x` with `digits` decimals and a decimal comma: number(-0.25, 2) == "−0,25".

    `minus` replaces the hyphen of negative numbers (the typographic minus by default;
    "-" keeps it).
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING
    return f"{x:.{digits}f}".replace(".", ",").replace("-", minus)


def pct(x: float | None, digits: int = 0, space: bool = False) -> str:
    """A share as a percentage: pct(0.123) == "12%", pct(0.123, 1, space=True) == "12,3 %"."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING
    return f"{number(100 * x, digits)}{' ' if space else ''}%"


def _int(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def place(page: Any, paragraph: Any, style: str = "short", fallback: str = "?", chunk: Any = None) -> str:
    """Where a passage sits in its document.

    style "short": "p. 3 ¶ 2", or "¶ 2" without a page (the report's quotes);
    style "long": "p. 3, alinea 2", "alinea 2" or "p. 3" (the workbook and the report's
    locations), with a chunk of a long paragraph after a dot ("alinea 2.1") when `chunk`
    is given and not 0. Without page and paragraph: `fallback`.
    """
    page, paragraph, chunk = _int(page), _int(paragraph), _int(chunk)
    if style == "short":
        if paragraph is None:
            return fallback
        return f"p. {page} ¶ {paragraph}" if page is not None else f"¶ {paragraph}"
    if style != "long":
        raise ValueError(f"unknown place style {style!r}")
    parts = [f"p. {page}"] if page is not None else []
    if paragraph is not None:
        parts.append(f"alinea {paragraph}" + (f".{chunk}" if chunk else ""))
    return ", ".join(parts) or fallback


def distinct_places(passages: Any, style: str = "short", fallback: str | None = None) -> list[str]:
    """The distinct places of `passages` (a table with page, paragraph and passage_id), in table order.

    Without chunks, so that a paragraph split into parts is one place: the report's code
    locations per document and the workbook's Documenten sheet list places, not parts.
    A passage without page and paragraph is at `fallback`, or when None at its passage id.
    """
    ids = passages["passage_id"].tolist() if fallback is None else [fallback] * len(passages)
    return list(dict.fromkeys(place(page, paragraph, style, fallback=str(pid)) for page, paragraph, pid
                              in zip(passages["page"].tolist(), passages["paragraph"].tolist(), ids)))
