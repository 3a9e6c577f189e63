"""Tests for `pipeline.nlp.lemmas`: the one lemma rule that the nlp stage, train, evaluate,
realtext and `samenspel classify FILE` share."""

from __future__ import annotations

import pytest
import spacy

from pipeline import nlp as nlp_stage
from pipeline.nlp import arrays
from pipeline.nlp.lemmas import lemmatise
from tests.nlp.helpers import TRICKY, fake_model


def token_by_token(nlp, texts):
    """The rule read from spaCy's objects: each non-space token's `lemma_ or text`, lowercased."""
    return [[(t.lemma_ or t.text).lower() for t in doc if not t.is_space] for doc in nlp.pipe(texts)]


@pytest.mark.parametrize("backend", ["fallback", "model", "no lemmatizer"])
def test_lemmatise_follows_the_rule_token_by_token(monkeypatch, fallback_nlp, backend):
    if backend == "fallback":
        nlp = fallback_nlp[0]
    elif backend == "model":
        monkeypatch.setattr(spacy, "load", lambda name: fake_model())
        nlp, _ = nlp_stage.load_backend("nl_core_news_sm")
    else:  # every lemma empty: each token keeps its own text
        nlp = spacy.blank("nl")
    monkeypatch.setattr(arrays, "CHUNK_DOCS", 4)  # several chunks, one of them only whitespace
    texts = TRICKY * 2
    got = lemmatise(texts, nlp, batch_size=3)
    assert got == token_by_token(nlp, texts)
    assert len(got) == len(texts) and got[1] == [] and got[2] == []


def test_the_stage_and_lemmatise_give_the_same_lemmas(fallback_nlp, params):
    """What classify codes (the stage's `lemmas`) and what train fits on must never drift apart."""
    nlp = fallback_nlp[0]
    cfg = nlp_stage.NlpConfig.from_params(params["nlp"])
    stage = nlp_stage.annotate(TRICKY, nlp, cfg, nlp_stage.stop_words_for(nlp, cfg.extra_stop_words))
    assert stage["lemmas"] == lemmatise(TRICKY, nlp)


def test_lemmas_are_lowercase_and_keep_placeholders(fallback_nlp):
    nlp = fallback_nlp[0]
    (lemmas,) = lemmatise(["GEBREK aan geld, mail [EMAIL]."], nlp)
    assert "[email]" in lemmas and all(lemma == lemma.lower() for lemma in lemmas)
    assert lemmatise([], nlp) == []
