"""Tests for `pipeline.nlp.words`: which lemmas are content words."""

from __future__ import annotations

from pipeline import nlp as nlp_stage


def test_fallback_lemmas_and_content_words(fallback_nlp):
    nlp, label = fallback_nlp
    assert label.startswith("fallback")
    doc = nlp("Wij werkten samen met [NAAM] en hebben de regionale opgaven besproken. Daarna gingen we naar huis.")
    assert "[NAAM]" in [t.text for t in doc]
    assert len(list(doc.sents)) == 2
    lemmas = nlp_stage.content_lemmas(doc, nlp_stage.stop_words_for(nlp, ["daarna"]))
    assert "werken" in lemmas and "bespreken" in lemmas
    assert not {"wij", "en", "de", "[naam]", "naam", "daarna", "."} & set(lemmas)


def test_every_placeholder_scrub_writes_is_one_token_and_no_content_word(fallback_nlp):
    from pipeline.scrub import PLACEHOLDERS

    nlp, _ = fallback_nlp
    for ph in PLACEHOLDERS:
        doc = nlp(f"Stuur het naar {ph}, graag vandaag.")
        assert ph in [t.text for t in doc], ph
        assert not {ph.lower(), ph[1:-1].lower()} & set(nlp_stage.content_lemmas(doc, set())), ph
