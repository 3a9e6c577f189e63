"""pipeline/dutch.py: numbers and places written the Dutch way."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.dutch import MISSING, distinct_places, is_missing, number, pct, place


def test_number_uses_a_decimal_comma_and_a_typographic_minus():
    assert number(3.14159, 2) == "3,14"
    assert number(-0.25, 2) == "−0,25"
    assert number(-0.25, 2, minus="-") == "-0,25"
    assert number(None) == MISSING and number(math.nan) == MISSING


def test_pct_in_the_reports_and_the_topic_summaries_style():
    assert pct(0.123) == "12%"
    assert pct(0.1234, 1, space=True) == "12,3 %"
    assert pct(-0.05) == "−5%"
    assert pct(math.nan) == MISSING


@pytest.mark.parametrize("value", [None, math.nan, pd.NA, pd.NaT])
def test_missing_values(value):
    assert is_missing(value)


def test_place_short_and_long():
    assert place(3, 2) == "p. 3 ¶ 2"
    assert place(None, 2) == "¶ 2"
    assert place(3, None, fallback="doc-1") == "doc-1"
    assert place(3.0, 2.0, style="long") == "p. 3, alinea 2"
    assert place(math.nan, 7, style="long") == "alinea 7"
    assert place(3, pd.NA, style="long") == "p. 3"
    assert place(None, None, style="long") == "?"
    assert place(3, 12, style="long", chunk=1) == "p. 3, alinea 12.1"
    assert place(3, 12, style="long", chunk=0) == "p. 3, alinea 12"
    with pytest.raises(ValueError):
        place(1, 1, style="middle")


def test_distinct_places_merge_the_parts_of_a_paragraph_and_keep_table_order():
    passages = pd.DataFrame({"passage_id": ["d/1", "d/2", "d/3", "d/4"],
                             "page": pd.array([2, 2, 1, None], dtype="Int64"),
                             "paragraph": pd.array([5, 5, 1, None], dtype="Int64")})
    assert distinct_places(passages) == ["p. 2 ¶ 5", "p. 1 ¶ 1", "d/4"]
    assert distinct_places(passages, "long", fallback="?") == ["p. 2, alinea 5", "p. 1, alinea 1", "?"]
