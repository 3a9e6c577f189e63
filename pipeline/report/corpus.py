"""Section `corpus`: what was read, per wave and document, and whether it adds up.

The counts are those of the ingest accounting (answers and paragraphs, not passages);
`reconcile` names where the coded passages and the accounting disagree.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from pipeline.report.tables import units


_WORD = re.compile(r"\w[\w'’-]*")


def language_flag_is_telling(text: str, min_words: int) -> bool:
    """Whether the nlp stage's language flag of a passage may headline the report.

    py3langid decides a short passage on a few words, and names carry no language: a closing
    line of a regulation signed in Friesland and a list of Frisian municipalities came out
    Frisian. A flag counts when the passage has `min_words` words, at most half of them
    capitalised (names).
    """
    words = _WORD.findall(str(text))
    if len(words) < min_words:
        return False
    return sum(w[:1].isupper() for w in words) <= len(words) / 2


def corpus_section(df: pd.DataFrame, accounting: dict[str, Any], wave_labels: list[str],
                   language_min_words: int) -> dict[str, Any]:
    """Counts for the overview. Answers and paragraphs are those of the ingest accounting
    (the tables below the headline), so every count in the report adds up to it."""
    survey = df[df["kind"] == "survey"]
    files = accounting.get("files", [])
    surveys = [e for e in files if e.get("kind") == "survey" and e.get("status") == "read"]
    documents = [e for e in files if e.get("kind") == "document" and e.get("status") == "read"]
    ok = survey[survey["status"] == "ok"]
    return {
        "totals": accounting.get("totals", {}),
        "surveys": surveys,
        "documents": documents,
        "skipped": [e for e in files if e.get("status") == "skipped"],
        "ignored": accounting.get("ignored", []),
        "passages": len(df), "classified": int(df["classified"].sum()), "with_code": int((df["codes"] != "").sum()),
        # Real answers: a cell with text (status ok), not an empty or NA cell of the export.
        "answers": sum(int(e.get("non_empty", 0)) for e in surveys),
        "paragraphs": sum(int(e.get("paragraphs", 0)) for e in documents),
        "respondents": {w: int(ok.loc[ok["wave"] == w, "respondent_id"].nunique()) for w in wave_labels},
        "by_kind": {k: int((df["kind"] == k).sum()) for k in ("survey", "document")},
        # Language flag of the nlp stage: passages not in Dutch are coded all the same. Only the
        # flags of passages long enough and not mostly names are headlined; the others are noted.
        **languages(df, language_min_words),
    }


def languages(df: pd.DataFrame, min_words: int) -> dict[str, list[tuple[str, int]]]:
    """Passages flagged as not Dutch, per language: those whose flag tells (`languages`) and the rest."""
    if "lang" not in df.columns:
        return {"languages": [], "languages_unsure": []}
    other = df[~df["lang"].isin(["nl", "und"])]
    telling = np.array([language_flag_is_telling(t, min_words) for t in other["text"]], dtype=bool)

    def count(part: pd.DataFrame) -> list[tuple[str, int]]:
        return sorted(part["lang"].value_counts().items(), key=lambda kv: (-kv[1], kv[0]))

    return {"languages": count(other[telling]), "languages_unsure": count(other[~telling])}


def reconcile(df: pd.DataFrame, corpus: dict[str, Any]) -> list[str]:
    """Where the passages and the ingest accounting disagree (e.g. one of them is stale), in words."""
    survey = units(df[(df["kind"] == "survey") & (df["status"] == "ok")])
    docs = units(df[df["kind"] == "document"])
    problems = []
    if len(df) != corpus["totals"].get("passages", len(df)):
        problems.append(f"{len(df)} passages tegen {corpus['totals']['passages']} in de verantwoording")
    if len(survey) != corpus["answers"]:
        problems.append(f"{len(survey)} bruikbare antwoorden tegen {corpus['answers']} in de verantwoording")
    if len(docs) != corpus["paragraphs"]:
        problems.append(f"{len(docs)} documentalinea's tegen {corpus['paragraphs']} in de verantwoording")
    return problems
