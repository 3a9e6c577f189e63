"""pipeline/shares.py: shares of units with a property, per class."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.shares import COLUMNS, shares


@pytest.fixture
def answers() -> pd.DataFrame:
    return pd.DataFrame({"wave": ["2016", "2016", "2016", "2026", "2026", None],
                         "respondent_id": ["a", "a", "b", "c", "d", "e"],
                         "regie": [1, 0, 1, 0, 1, 1], "belangen": [True, True, False, False, False, True]})


def test_per_class_and_column_in_order(answers):
    table = shares(answers, ["regie", "belangen"], by="wave", missing="onbekend")
    assert list(table.columns) == COLUMNS
    assert list(zip(table["class"], table["column"])) == [
        ("2016", "regie"), ("2016", "belangen"), ("2026", "regie"), ("2026", "belangen"),
        ("onbekend", "regie"), ("onbekend", "belangen")]
    row = table.iloc[0]
    assert (row["n"], row["k"], row["share"]) == (3, 2, pytest.approx(2 / 3))
    assert table.loc[table["class"] == "onbekend", "k"].tolist() == [1, 1]  # booleans count as 0/1


def test_rows_without_a_class_are_left_out_unless_named(answers):
    table = shares(answers, ["regie"], by="wave")
    assert list(table["class"]) == ["2016", "2026"] and table["n"].sum() == 5


def test_classes_given_keep_their_order_and_empty_ones(answers):
    table = shares(answers, ["regie"], by="wave", classes=["2026", "2030", "2016"])
    assert list(table["class"]) == ["2026", "2030", "2016"]
    empty = table.iloc[1]
    assert (empty["n"], empty["k"]) == (0, 0) and math.isnan(empty["share"])


def test_all_rows_as_one_class(answers):
    table = shares(answers, ["regie"], overall="alle golven")
    assert table.to_dict("records") == [{"class": "alle golven", "column": "regie", "n": 6, "k": 4,
                                         "share": pytest.approx(4 / 6)}]


def test_the_unit_is_the_row_so_respondents_are_counted_after_aggregating(answers):
    per_respondent = answers.groupby(["wave", "respondent_id"], as_index=False)[["regie"]].max()
    table = shares(per_respondent, ["regie"], by="wave")
    assert table[["class", "n", "k"]].values.tolist() == [["2016", 2, 2], ["2026", 2, 1]]


def test_topic_shares_within_a_class_from_indicator_columns():
    # As topics.breakdown counts them: per class of a dimension, the part of it in each topic.
    frame = pd.DataFrame({"wave": ["2016", "2016", "2016", "2026", None], "topic": [0, 0, 1, 1, 0]})
    indicators = pd.get_dummies(frame["topic"]).astype(int)
    table = shares(frame[["wave"]].join(indicators), list(indicators.columns), by="wave")
    found = table[table["k"] > 0]
    expected = [(str(cls), topic, n, n / frame.loc[frame["wave"] == cls].shape[0])
                for (cls, topic), n in frame.dropna().groupby(["wave", "topic"]).size().items()]
    assert list(zip(found["class"], found["column"], found["k"], found["share"])) == expected
