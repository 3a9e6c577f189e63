"""Texts the report quotes and labels: quotes cut on a word, names shortened in the
middle, and where a passage is (page, paragraph and heading, or wave, respondent and
question).

The page and paragraph are written by `pipeline.dutch.place`, as in the workbook.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from pipeline.dutch import place
from pipeline.schema import SECTION_SEPARATOR


def truncate(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary before `limit` characters, with '…'."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


def shorten(text: str, limit: int) -> str:
    """Cut the middle out of a long name, not the end: similar names (three regulations of
    historical centres) differ at the end, and the extension stays visible."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 5
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def distinct_labels(names: Sequence[str], limit: int) -> list[str]:
    """`shorten` each name, allowing more characters until no two labels are the same."""
    for width in range(limit, max((len(n) for n in names), default=0) + 1):
        labels = [shorten(n, width) for n in names]
        if len(set(labels)) == len(set(names)):
            return labels
    return list(names)


def innermost(section: str, limit: int) -> str:
    """The innermost part(s) of a nested section ("Hoofdstuk 2 › Artikel 7 › Lid 1") within
    `limit` characters: the outer parts (the document title, the chapter) are what a reader
    already knows; an article or paragraph heading is what tells where a quote is."""
    parts = [p.strip() for p in section.split(SECTION_SEPARATOR.strip()) if p.strip()]
    if not parts:
        return ""

    def joined(kept: list[str]) -> str:
        return ("…" + SECTION_SEPARATOR if len(kept) < len(parts) else "") + SECTION_SEPARATOR.join(kept)

    kept = [parts[-1]]
    while len(kept) < len(parts) and len(joined([parts[-len(kept) - 1], *kept])) <= limit:
        kept.insert(0, parts[-len(kept) - 1])
    return truncate(joined(kept), limit)


def file_name(source: str) -> str:
    """The file's name without its folders: 'documents/a/regeling.pdf' -> 'regeling.pdf'."""
    return str(source).rsplit("/", 1)[-1]


def location(row: pd.Series | dict) -> str:
    """Where a passage is: 'p. 3, alinea 12 (Artikel 4 Taken)' for documents (with the
    innermost heading(s) above it, when known), respondent and question for surveys."""
    if row["kind"] == "document":
        where = place(row["page"], row["paragraph"], "long", fallback=str(row["passage_id"]), chunk=row.get("chunk"))
        section = row.get("section")
        if isinstance(section, str) and section.strip():
            where += f" ({innermost(section, 60)})"
        return where
    parts = [f"golf {row['wave']}", f"respondent {row['respondent_id']}", f"vraag {row['question_id']}"]
    return ", ".join(p for p in parts if not p.endswith(" None"))
