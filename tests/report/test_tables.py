"""pipeline/report/tables.py: units, shares per series and group, and the strongest evidence."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.report.stats import wilson_interval
from pipeline.report.tables import (DOCUMENTS, UNKNOWN, and_documents, distribution, evidence, per_respondent,
                                    prevalence, series_base, strongest, units)


def _answers() -> pd.DataFrame:
    # R1's long answer to q1 is split into two passages; only the second has the code.
    return pd.DataFrame({
        "passage_id": ["w/R1/q1#0", "w/R1/q1#1", "w/R1/q2", "w/R2/q1", "w/R3/q1"],
        "kind": "survey", "wave": "w", "source": "s.csv", "paragraph": None,
        "respondent_id": ["R1", "R1", "R1", "R2", "R3"], "question_id": ["q1", "q1", "q2", "q1", "q1"],
        "classified": True, "meta_functie": ["manager", "manager", "manager", None, "griffier"],
        "regie": [0, 1, 1, 0, 0], "p_regie": [0.1, 0.8, 0.9, 0.2, 0.8]})


def test_a_split_answer_is_one_unit_with_the_codes_of_its_parts():
    one = units(_answers())
    assert list(one["passage_id"]) == ["w/R1/q1#0", "w/R1/q2", "w/R2/q1", "w/R3/q1"]  # its first passage
    assert list(one["regie"]) == [1, 1, 0, 0] and one["p_regie"].iloc[0] == 0.8


def test_shares_per_group_with_unknown_and_wilson_intervals():
    table = prevalence(units(_answers()), ["regie"], "meta_functie", 0.05)
    assert list(table["class"]) == ["griffier", "manager", UNKNOWN]
    manager = table.set_index("class").loc["manager"]
    assert (manager["n"], manager["k"], manager["share"]) == (2, 2, 1.0)
    assert (manager["lo"], manager["hi"]) == pytest.approx(wilson_interval(2, 2))
    empty = prevalence(units(_answers()), ["regie"], "meta_functie", 0.05, order=["beleid"]).iloc[0]
    assert empty["n"] == 0 and math.isnan(empty["share"]) and math.isnan(empty["lo"])


def test_distribution_sums_to_one_per_class():
    prev = pd.DataFrame({"class": ["a", "a", "b", "b"], "code": ["x", "y", "x", "y"], "k": [1, 3, 0, 0]})
    dist = distribution(prev)["dist"]
    assert list(dist[:2]) == [0.25, 0.75] and dist[2:].isna().all()  # no codes in b: no distribution


def test_a_respondent_counts_once():
    n, k = per_respondent(units(_answers()), ["regie"], "w")
    assert (n, k) == (3, {"regie": 1})
    assert per_respondent(units(_answers()), ["regie"], "other") == (0, {"regie": 0})


def test_documents_are_a_series_next_to_the_waves():
    docs = pd.DataFrame({"kind": ["document"], "wave": [None], "regie": [1]})
    both = series_base(_answers(), docs)
    assert list(both["series"]) == ["w"] * 5 + [DOCUMENTS]
    assert and_documents([("w", "golf w"), (DOCUMENTS, "documenten")]) == " en in de documenten"
    assert and_documents([("w", "golf w")]) == ""


def test_strongest_evidence_first_ties_by_passage_id():
    df = _answers()
    assert list(strongest(df, "regie")["passage_id"][:3]) == ["w/R1/q2", "w/R1/q1#1", "w/R3/q1"]
    assert list(evidence(df, "regie", 5)["passage_id"]) == ["w/R1/q2", "w/R1/q1#1"]  # only those with the code
