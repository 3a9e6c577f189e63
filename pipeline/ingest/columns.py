"""Auto-detection for an export without a wave YAML: every column judged, and why.

Which column is the respondent id, which hold open answers and which are metadata worth
keeping for breakdowns. Numbers, timings, dates, single-word codes and choice lists are
left out; each verdict (`ColumnVerdict`) carries the reason the accounting shows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import readers
from pipeline.errors import InputFileError
from pipeline.ingest.config import IngestConfig

_ID_NAMES = re.compile(r"^(id|respondent(_?id|nr|nummer)?|response_?id|responseid|token|resp(_?nr)?|volgnummer)$",
                       re.IGNORECASE)


def detect_id_column(df: pd.DataFrame) -> str | None:
    """The first column named like an id (respondent, ResponseId, token …) whose values are unique and filled."""
    for col in df.columns:
        if _ID_NAMES.match(str(col).strip()):
            vals = df[col].astype(str).str.strip()
            if (vals != "").all() and vals.is_unique:
                return col
    return None


def duplicate_ids(df: pd.DataFrame, rows: list[int]) -> dict[str, dict[str, list[int]]]:
    """Per column named like an id: the values that occur more than once, with their data rows.

    Such a column is not used as the id column; duplicated respondents usually mean a
    double submission, which the researcher has to hear about.
    """
    found = {}
    for col in df.columns:
        if not _ID_NAMES.match(str(col).strip()):
            continue
        vals = df[col].astype(str).str.strip().tolist()
        counts = Counter(vals)
        dups: dict[str, list[int]] = {}
        for value, row in zip(vals, rows):
            if value and counts[value] > 1:
                dups.setdefault(value, []).append(row)
        if dups:
            found[str(col)] = dups
    return found


def duplicate_ids_note(column: str, dups: dict[str, list[int]]) -> str:
    shown = "; ".join(f"{v} (rij {', '.join(map(str, r))})" for v, r in list(dups.items())[:5])
    more = f" en {len(dups) - 5} meer" if len(dups) > 5 else ""
    return (f"{readers.WARNING_PREFIX} kolom '{column}' lijkt een id-kolom, maar heeft dubbele id's: {shown}{more}; "
            "dubbel ingestuurd? De rijnummers zijn als id gebruikt.")


# Timing columns: LimeSurvey (interviewtime, groupTime123, 12X3X45time; "Totaaltijd", "Vraag.tijd..q" in
# its R export), Qualtrics ("Duration (in seconds)", "Q5_First Click", "Q5_Page Submit").
_TIMING_NAME = re.compile(r"^interviewtime$|^grouptime|time$|tijd|^duration\b|first click|last click|page submit|"
                          r"click count", re.IGNORECASE)
_NUMBER = re.compile(r"^[-+]?\d+([.,]\d+)?([eE][-+]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
                   r"|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?$|^\d{1,2}:\d{2}(:\d{2})?$")
# A subquestion of a question with several text fields: LimeSurvey Q1_SQ001, Q1[SQ001], Q1.SQ001.
# (its R export), extraQuestions_vraag3; Qualtrics Q5_2.
_SUBQUESTION = re.compile(r"^(.+?)(?:_|\.|\[)[A-Za-z]*\d+\]?\.?$")

#: Why a column was left out (or taken), in the words the accounting and the screen use.
KIND_LABELS = {"open": "open vraag", "id": "id-kolom", "empty": "leeg", "timing": "tijdmeting",
               "number": "getallen", "date": "datums", "code": "codes of losse woorden", "choice": "keuzelijst",
               "short": "te kort"}


@dataclass
class ColumnVerdict:
    """What auto-detection made of one column of an export without YAML."""

    column: str
    kind: str  # a key of KIND_LABELS; 'open' means taken as an open question
    reason: str
    answers: int  # cells that are neither empty nor a missing value
    distinct: int

    @property
    def taken(self) -> bool:
        return self.kind == "open"


def judge_columns(df: pd.DataFrame, cfg: IngestConfig, exclude: set[str]) -> list[ColumnVerdict]:
    """Decide for every column whether it holds open answers, and say why.

    Missing values (`na_values`) and empty cells are removed first; a column is then
    judged on its distinct answers: how many there are, not which share of the rows.
    One or two long answers make an open question (an optional follow-up question is
    often that sparse). Numbers, timings, dates, codes and choice lists are left out.
    A short answer counts when another field of the same question is open
    (extraQuestJustificat_vraag3 beside _vraag4).
    """
    na_values = set(cfg.na_values)
    verdicts = []
    for col in df.columns:
        vals = df[col].astype(str).str.strip()
        vals = vals[(vals != "") & ~vals.isin(na_values)]
        distinct = pd.Series(vals.unique(), dtype=object)
        n, d = len(vals), len(distinct)
        if col in exclude:
            kind, reason = "id", "id-kolom"
        elif not n:
            kind, reason = "empty", "geen antwoorden: alleen lege cellen of ontbrekende waarden"
        elif distinct.str.match(_NUMBER).all():
            timing = bool(_TIMING_NAME.search(str(col)))
            kind, reason = ("timing", "tijdmeting (getallen)") if timing else ("number", "alleen getallen")
        elif distinct.str.match(_DATE).all():
            kind, reason = "date", "alleen datums of tijden"
        elif not distinct.str.contains(r"\s").any():
            kind, reason = "code", f"codes of losse woorden ({d} verschillende)"
        elif d <= cfg.autodetect_max_categories and n >= 2 * d:  # every value chosen twice on average
            kind, reason = "choice", f"keuzelijst: {d} waarden in {n} antwoorden"
        else:
            chars = distinct.str.len().mean()
            words = distinct.str.split().str.len().mean()
            if (d >= cfg.autodetect_min_answers and chars >= cfg.autodetect_min_mean_chars
                    and words >= cfg.autodetect_min_mean_words):
                kind, reason = "open", f"open antwoorden: {d} verschillende, gemiddeld {chars:.0f} tekens"
            else:
                kind, reason = "short", (f"te kort voor open antwoorden: {d} verschillende, gemiddeld "
                                         f"{chars:.0f} tekens en {words:.1f} woorden")
        verdicts.append(ColumnVerdict(str(col), kind, reason, n, d))
    open_questions = {m.group(1) for v in verdicts if v.taken and (m := _SUBQUESTION.match(v.column))}
    for v in verdicts:
        stem = m.group(1) if (m := _SUBQUESTION.match(v.column)) else None
        if v.kind in ("code", "short") and stem in open_questions:
            v.kind, v.reason = "open", f"kort, maar andere velden van de vraag {stem} zijn open antwoorden"
    return verdicts


def detect_open_columns(df: pd.DataFrame, cfg: IngestConfig, exclude: set[str]) -> list[str]:
    """Columns that hold open answers (see `judge_columns`)."""
    return [v.column for v in judge_columns(df, cfg, exclude) if v.taken]


def detect_metadata_columns(df: pd.DataFrame, cfg: IngestConfig, exclude: set[str]) -> list[str]:
    """Short, categorical columns worth keeping for breakdowns."""
    keep = []
    for col in df.columns:
        if col in exclude:
            continue
        vals = df[col].astype(str).str.strip()
        vals = vals[(vals != "") & ~vals.isin(cfg.na_values)]
        if 0 < vals.nunique() <= cfg.autodetect_max_categories and vals.str.len().mean() <= 40:
            keep.append(col)
    return keep


def verdicts_summary(verdicts: list[ColumnVerdict]) -> str:
    """One compact line: the open questions taken, and how many columns were left out for which reason."""
    taken = [v.column for v in verdicts if v.taken]
    names = ", ".join(taken[:6]) + (f", … (+{len(taken) - 6})" if len(taken) > 6 else "")
    left = Counter(v.kind for v in verdicts if not v.taken and v.kind != "id")
    left_text = ", ".join(f"{n} {KIND_LABELS[k]}" for k, n in left.most_common())
    return (f"{len(taken)} van {len(verdicts)} kolommen als open vraag genomen ({names or '-'})"
            + (f"; niet genomen: {left_text}" if left_text else ""))


class NoOpenColumns(InputFileError):
    """An export without YAML in which no column holds open answers; keeps the verdicts for the accounting."""

    def __init__(self, path: Path, autodetected: dict[str, Any]):
        super().__init__("geen open-antwoordkolommen herkend", path=path,
                         hint="leg een YAML naast de export met 'questions' (zie corpora/surveys/README.md); "
                              "per kolom de reden in de verantwoording")
        self.autodetected = autodetected
