"""Tests for `pipeline.nlp.columns`: `annotate` gives what reading spaCy's objects token by token gives."""

from __future__ import annotations

import gc

import pytest
import spacy

from pipeline import nlp as nlp_stage
from pipeline.nlp import arrays
from tests.nlp.helpers import TRICKY, fake_model


def reference_columns(nlp, texts, stop_words):
    """The columns read token by token from spaCy's objects, as the stage did before arrays."""
    has_sents = nlp.has_pipe("sentencizer") or nlp.has_pipe("parser") or nlp.has_pipe("senter")
    out = {k: [] for k in ("tokens", "lemmas", "content_lemmas", "n_sentences", "entities")}
    for doc in nlp.pipe(texts):
        out["tokens"].append([t.text for t in doc if not t.is_space])
        out["lemmas"].append([(t.lemma_ or t.text).lower() for t in doc if not t.is_space])
        out["content_lemmas"].append(nlp_stage.content_lemmas(doc, stop_words))
        out["n_sentences"].append(sum(1 for _ in doc.sents) if has_sents and len(doc) else 0)
        out["entities"].append([f"{e.label_}:{e.text}" for e in doc.ents])
    return out


@pytest.mark.parametrize("backend", ["fallback", "model"])
def test_annotate_equals_token_by_token_reading(monkeypatch, fallback_nlp, cfg, backend):
    if backend == "fallback":
        nlp = fallback_nlp[0]
    else:
        monkeypatch.setattr(spacy, "load", lambda name: fake_model())
        nlp, _ = nlp_stage.load_backend("nl_core_news_sm")
    monkeypatch.setattr(arrays, "CHUNK_DOCS", 4)  # several chunks, one of them only whitespace
    texts = TRICKY * 2
    stop_words = nlp_stage.stop_words_for(nlp, cfg.extra_stop_words)
    thresholds = gc.get_threshold()
    got = nlp_stage.annotate(texts, nlp, cfg, stop_words)
    assert got == reference_columns(nlp, texts, stop_words)
    assert "lang" not in got
    assert gc.get_threshold() == thresholds


def test_letters_and_dutch_words_come_from_the_tokens(monkeypatch, fallback_nlp, cfg):
    from pipeline import language

    seen = {}

    def detect_many(self, texts, letters=None, dutch=None):
        seen.update(letters=letters, dutch=dutch)
        return ["und"] * len(texts)

    monkeypatch.setattr(language.LanguageDetector, "detect_many", detect_many)
    monkeypatch.setattr(arrays, "CHUNK_DOCS", 3)
    nlp = fallback_nlp[0]
    detector = language.LanguageDetector(cfg.languages, cfg.language_min_confidence, cfg.language_min_letters)
    nlp_stage.annotate(TRICKY, nlp, cfg, nlp_stage.stop_words_for(nlp, []), detector)
    assert seen["letters"] == [sum(ch.isalpha() for ch in t) for t in TRICKY]
    assert seen["dutch"] == [language.clearly_dutch(t.text for t in doc) for doc in nlp.pipe(TRICKY)]
    assert seen["dutch"][-1] and not seen["dutch"][6]
