"""Tests for `pipeline.text`: splitting long text loses nothing."""

from __future__ import annotations

from pipeline.text import normalise_answer, split_long


def test_long_paragraph_split_on_sentences_loses_nothing():
    text = " ".join(f"Zin nummer {i} gaat over de regionale samenwerking in de regio." for i in range(200))
    chunks = split_long(text, 500)
    assert len(chunks) > 10 and all(len(c) <= 500 for c in chunks)
    assert " ".join(chunks) == text
    assert all(c.endswith(".") for c in chunks)


def test_oversized_answer_without_punctuation_is_cut_not_lost():
    text = "woord " * 200_000
    chunks = split_long(text.strip(), 1500)
    assert " ".join(chunks) == text.strip()


def test_normalise_answer_ignores_case_accents_and_punctuation():
    assert normalise_answer("N.v.t.") == normalise_answer("nvt") == "nvt"
    assert normalise_answer("  Géén   idee! ") == "geen idee"
