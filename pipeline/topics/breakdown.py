"""Topic shares per wave, question, metadata column and code, and the codes that go with a topic.

`breakdown.csv` and `waves.csv` hold the shares; the summaries show them per topic.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import pandas as pd

from pipeline.shares import shares

#: The columns of a breakdown table, in order.
BREAKDOWN_COLUMNS = ["dimension", "class", "topic", "n", "share"]


def breakdown(frame: pd.DataFrame, dimensions: Sequence[str], classified: pd.DataFrame | None,
              codes: Sequence[str]) -> pd.DataFrame:
    """Topic shares within each class of each dimension (long format).

    `share` is the part of the class (e.g. wave 2016) that falls in the topic; for codes
    the classes are the passages that got the code. Only topics a class has passages in
    are listed (`n` > 0).
    """
    # The topics as 0/1 columns, so that `shares` counts them like codes.
    indicators = pd.get_dummies(frame["topic"]).astype(int)
    topics = list(indicators.columns)
    parts, kept = [], []
    for dim in dimensions:
        if dim not in frame.columns or frame[dim].nunique() < 2:
            continue
        # A dimension that splits the passages exactly like an earlier one (the source
        # file of a survey is its wave) adds nothing.
        if any(_same_partition(frame, dim, other) for other in kept):
            continue
        kept.append(dim)
        classes = [str(c) for c in sorted(frame[dim].dropna().unique())]
        parts.append(shares(indicators.assign(**{dim: frame[dim].to_numpy()}), topics, by=dim, classes=classes)
                     .assign(dimension=dim))
    if classified is not None:
        joined = frame[["passage_id", "topic"]].merge(classified, on="passage_id", how="left").fillna(
            {c: 0 for c in codes})
        for code in codes:
            coded = indicators[(joined[code] == 1).to_numpy()]
            parts.append(shares(coded, topics, overall=code).assign(dimension="code"))
    if not parts:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table = table[table["k"] > 0]
    return pd.DataFrame({"dimension": table["dimension"].tolist(), "class": table["class"].tolist(),
                         "topic": [int(t) for t in table["column"]], "n": [int(k) for k in table["k"]],
                         "share": table["share"].tolist()}, columns=BREAKDOWN_COLUMNS)


def _same_partition(frame: pd.DataFrame, a: str, b: str) -> bool:
    pair = frame[[a, b]].astype(str)
    n = pair.drop_duplicates().shape[0]
    return n == pair[a].nunique() == pair[b].nunique()


def code_cooccurrence(frame: pd.DataFrame, classified: pd.DataFrame, codes: Sequence[str], topic: int,
                      limit: int = 5) -> list[dict[str, Any]]:
    """Codes of a topic's passages: share in the topic, share in the corpus, lift."""
    return codes_per_topic(frame, classified, codes, [topic], limit)[topic]


def codes_per_topic(frame: pd.DataFrame, classified: pd.DataFrame, codes: Sequence[str], topics: Sequence[int],
                    limit: int = 5) -> dict[int, list[dict[str, Any]]]:
    """`code_cooccurrence` for several topics, joining the codes once."""
    joined = frame[["passage_id", "topic"]].merge(classified, on="passage_id", how="left").fillna({c: 0 for c in codes})
    base = {code: joined[code].mean() for code in codes}
    out = {}
    for topic, in_topic in joined.groupby("topic"):
        if topic not in topics:
            continue
        rows = []
        for code in codes:
            n = int(in_topic[code].sum())
            if n == 0:
                continue
            share = n / len(in_topic)
            rows.append({"code": code, "n": n, "share": share, "corpus_share": base[code],
                         "lift": share / base[code] if base[code] else math.nan})
        out[int(topic)] = sorted(rows, key=lambda r: (-r["share"], r["code"]))[:limit]
    return {t: out.get(t, []) for t in topics}
