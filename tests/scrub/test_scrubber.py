"""Tests for `pipeline.scrub.scrubber`: overlaps, determinism, NER names, settings."""

from __future__ import annotations

import pytest

from pipeline.errors import SamenspelError
from pipeline.scrub.placeholders import Span
from pipeline.scrub.scrubber import Scrubber, resolve_overlaps, scrub_text


def test_overlaps_resolve_to_longest():
    spans = [Span(0, 5, "NAAM"), Span(2, 12, "EMAIL"), Span(12, 14, "NAAM"), Span(20, 24, "BSN"),
             Span(20, 24, "TELEFOON")]
    assert resolve_overlaps(spans) == [Span(2, 12, "EMAIL"), Span(12, 14, "NAAM"), Span(20, 24, "BSN")]


def test_scrub_is_deterministic_and_idempotent(scrubber, planted):
    for rec in planted[::7]:
        once, _ = scrubber.scrub(rec["text"])
        assert scrubber.scrub(rec["text"])[0] == once
        assert scrubber.scrub(once) == (once, [])


def test_scrub_text_takes_spans_found_beforehand():
    assert scrub_text("Ik sprak Jan.", detectors=(), spans=[Span(9, 12, "NAAM")]) == ("Ik sprak [NAAM].", ["NAAM"])


def test_spacy_per_entities_count_as_names():
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PER", "pattern": "Zwaantje Quist"}])
    sc = Scrubber(use_deduce=False, name_rules=False, nlp=nlp, batch_size=2).fit()
    assert sc.ner_
    out = list(sc.scrub_many(["Ik sprak Zwaantje Quist.", "Geen naam hier.", "Zwaantje Quist belde."]))
    assert out == [("Ik sprak [NAAM].", ["NAAM"]), ("Geen naam hier.", []), ("[NAAM] belde.", ["NAAM"])]
    assert not Scrubber(use_deduce=False, nlp=spacy.blank("nl")).fit().ner_  # no NER pipe: ignored


def test_unknown_type_is_a_user_error():
    with pytest.raises(SamenspelError):
        Scrubber(types=("NAAM", "PASPOORT"), use_deduce=False).fit()
