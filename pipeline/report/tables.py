"""The counts behind the report's tables and charts.

The unit is what the ingest accounting counts: an answer or a paragraph, not a passage
(`units`); the wave comparison counts respondents (`per_respondent`). Every share has
its denominator in the same table.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from pipeline.report.stats import wilson_interval
from pipeline.shares import shares

#: Topic id of the passages HDBSCAN left without a topic.
NO_TOPIC = -1
#: The class of a unit without a value for a group (organisation type, function, ...).
UNKNOWN = "onbekend"
#: The series of coded document paragraphs, shown next to the survey waves.
DOCUMENTS = "documenten"


def units(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per answer (survey) or paragraph (document), as the ingest accounting counts them.

    Ingest splits a very long answer or paragraph into passages (`chunk`); counted per
    passage, one long answer would weigh as several. A unit has a code when any of its
    passages has it (with its highest probability); its other columns are those of its
    first passage.
    """
    if rows.empty:
        return rows
    survey = rows["kind"] == "survey"
    key = np.where(survey, rows["wave"].astype(str) + "\x1f" + rows["respondent_id"].astype(str) + "\x1f"
                   + rows["question_id"].astype(str),
                   rows["source"].astype(str) + "\x1f" + rows["paragraph"].astype(str))
    keyed = rows.assign(_unit=key)
    if not keyed["_unit"].duplicated().any():
        return rows
    first = keyed.drop_duplicates("_unit").set_index("_unit")
    codes = [c for c in rows.columns if c.startswith("p_") and c[2:] in rows.columns]
    codes += [c[2:] for c in codes]
    first[codes] = keyed.groupby("_unit", sort=False)[codes].max()
    return first.reset_index(drop=True)


def survey_base(df: pd.DataFrame, questions: Sequence[str]) -> pd.DataFrame:
    """Classified survey answers (optionally of some questions), one row per answer: the
    denominator of every share."""
    base = df[(df["kind"] == "survey") & df["classified"].astype(bool)]
    if questions:
        base = base[base["question_id"].isin(list(questions))]
    return units(base)


def per_respondent(base: pd.DataFrame, codes: Sequence[str], wave: str) -> tuple[int, dict[str, int]]:
    """Respondents of a wave in `base`, and per code how many gave at least one answer with it.

    Answers of one respondent are not independent (one talkative respondent can give most
    answers of a wave); the wave comparison counts each respondent once.
    """
    part = base[base["wave"] == wave]
    if part.empty:
        return 0, {c: 0 for c in codes}
    per = part.groupby("respondent_id", sort=False)[list(codes)].max()
    return len(per), {c: int(per[c].sum()) for c in codes}


def prevalence(base: pd.DataFrame, codes: Sequence[str], by: str | None, alpha: float,
               order: Sequence[str] | None = None) -> pd.DataFrame:
    """Per class of `by` (or overall) and code: n answers, k with the code, share, Wilson CI.

    A unit without a value for `by` counts in the class 'onbekend' (`UNKNOWN`).
    """
    table = shares(base, codes, by, order, missing=UNKNOWN).rename(columns={"column": "code"})
    bounds = pd.DataFrame([wilson_interval(k, n, alpha) for k, n in zip(table["k"], table["n"])],
                          columns=["lo", "hi"], index=table.index)
    return pd.concat([table, bounds], axis=1)


def distribution(prev: pd.DataFrame) -> pd.DataFrame:
    """Share of each code among all codes of the set assigned in a class (sums to 1)."""
    total = prev.groupby("class", sort=False)["k"].transform("sum")
    return prev.assign(dist=np.where(total > 0, prev["k"] / total.where(total > 0, 1), np.nan))


def and_documents(series: list[tuple[str, str]]) -> str:
    """' en in de documenten' when the documents are one of the series of a chart, else ''."""
    return " en in de documenten" if any(k == DOCUMENTS for k, _ in series) else ""


def series_base(survey: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Survey answers (series: their wave) and document paragraphs (series: DOCUMENTS) in one table."""
    parts = [survey.assign(series=survey["wave"].astype(str)), documents.assign(series=DOCUMENTS)]
    return pd.concat([p for p in parts if len(p)] or [survey.assign(series=pd.Series(dtype=str))], ignore_index=True)


def nested(prev: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """class -> code -> row, for the template."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in prev.to_dict("records"):
        out.setdefault(str(r["class"]), {})[str(r["code"])] = r
    return out


def topic_frame(topics: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """Topic rows joined to kind, wave, respondent and question of their passage."""
    info = df[["passage_id", "kind", "wave", "respondent_id", "question_id"]]
    out = topics.merge(info, on="passage_id", how="left")
    out["topic"] = out["topic"].astype(int)
    return out.sort_values(["corpus", "topic", "passage_id"], kind="mergesort").reset_index(drop=True)


def topic_tables(tf: pd.DataFrame, waves: list[str]) -> list[dict[str, Any]]:
    """Per corpus: size, topics with label, size and share per wave."""
    corpora = []
    for corpus in list(dict.fromkeys(tf["corpus"])):
        part = tf[tf["corpus"] == corpus]
        cwaves = [w for w in waves if (part["wave"] == w).any()]
        n_wave = {w: int((part["wave"] == w).sum()) for w in cwaves}
        # Counted at once: passages per topic, per topic and wave, and each topic's first label.
        sizes = part.groupby("topic", sort=True).size()
        per_wave = part[part["wave"].isin(cwaves)].groupby(["topic", "wave"]).size().to_dict()
        first = part.drop_duplicates("topic")
        labels = dict(zip(first["topic"], first["label"]))
        topics = []
        for t, n in sizes.items():
            k_waves = {w: int(per_wave.get((t, w), 0)) for w in cwaves}
            topics.append({"topic": int(t), "label": str(labels[t]), "n": int(n), "share": int(n) / len(part),
                           "waves": {w: (k_waves[w] / n_wave[w] if n_wave[w] else math.nan) for w in cwaves},
                           "k_waves": k_waves})
        # Largest first, 'no topic' last, ties by id.
        topics.sort(key=lambda t: (t["topic"] == NO_TOPIC, -t["n"], t["topic"]))
        kinds = sorted(set(part["kind"].dropna()))
        corpora.append({"name": corpus, "n": len(part), "kinds": kinds, "waves": cwaves, "n_wave": n_wave,
                        "n_topics": sum(1 for t in topics if t["topic"] != NO_TOPIC),
                        "no_topic": sum(t["n"] for t in topics if t["topic"] == NO_TOPIC) / len(part),
                        "topics": topics})
    return corpora


def strongest(coded: pd.DataFrame, code: str) -> pd.DataFrame:
    """Passages with a code, the highest probability first (ties by passage id)."""
    return coded.sort_values([f"p_{code}", "passage_id"], ascending=[False, True], kind="mergesort")


def evidence(df: pd.DataFrame, code: str, n: int) -> pd.DataFrame:
    """The `n` passages with the code and the highest probability (ties by passage id)."""
    return strongest(df[df["classified"].astype(bool) & (df[code] == 1)], code).head(n)
