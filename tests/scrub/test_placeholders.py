"""Tests for `pipeline.scrub.placeholders`: the one definition of what scrub writes."""

from __future__ import annotations

from pipeline.scrub.placeholders import PII_TYPES, PLACEHOLDERS, RANK, Span, placeholder


def test_one_placeholder_per_type_in_type_order():
    assert placeholder("NAAM") == "[NAAM]"
    assert [p[1:-1] for p in PLACEHOLDERS] == list(PII_TYPES)
    assert len(set(PLACEHOLDERS)) == len(PII_TYPES)


def test_rank_follows_the_type_order():
    assert sorted(PII_TYPES, key=RANK.__getitem__) == list(PII_TYPES)
    assert RANK["BSN"] < RANK["TELEFOON"]  # a 9-digit number that passes the elfproef is a BSN


def test_spans_sort_by_position():
    assert sorted([Span(5, 9, "EMAIL"), Span(0, 3, "NAAM"), Span(0, 2, "BSN")]) == [
        Span(0, 2, "BSN"), Span(0, 3, "NAAM"), Span(5, 9, "EMAIL")]
