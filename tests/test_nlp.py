"""Stage `nlp`: both backends, the automatic fallback, and the stage outputs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import spacy

from pipeline import nlp as nlp_stage
from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_table
from pipeline.schema import NLP, SCRUBBED


def scrubbed_table(texts):
    n = len(texts)
    return pd.DataFrame({
        "passage_id": [f"w/r{i}/q" for i in range(n)], "source": "s.csv", "kind": "survey", "wave": "w",
        "respondent_id": [f"r{i}" for i in range(n)], "question_id": "q", "row": pd.array(range(2, n + 2), "Int64"),
        "page": pd.array([None] * n, "Int64"), "paragraph": pd.array([None] * n, "Int64"),
        "chunk": pd.array([0] * n, "Int64"), "section": None, "text": texts,
        "status": ["ok" if t else "empty" for t in texts], "scrubbed": True, "pii_types": [[] for _ in texts],
    })


@pytest.fixture
def cfg(params):
    return nlp_stage.NlpConfig.from_params(params["nlp"])


def test_fallback_lemmas_and_content_words(fallback_nlp):
    nlp, label = fallback_nlp
    assert label.startswith("fallback")
    doc = nlp("Wij werkten samen met [NAAM] en hebben de regionale opgaven besproken. Daarna gingen we naar huis.")
    assert "[NAAM]" in [t.text for t in doc]
    assert len(list(doc.sents)) == 2
    lemmas = nlp_stage.content_lemmas(doc, nlp_stage.stop_words_for(nlp, ["daarna"]))
    assert "werken" in lemmas and "bespreken" in lemmas
    assert not {"wij", "en", "de", "[naam]", "naam", "daarna", "."} & set(lemmas)


def test_auto_falls_back_with_visible_warning(monkeypatch):
    monkeypatch.setattr(nlp_stage, "model_installed", lambda: False)
    warnings = []
    nlp, label = nlp_stage.load_backend("auto", lambda m, warn=False: warnings.append((m, warn)))
    assert label.startswith("fallback")
    assert warnings and warnings[0][1] is True and "nl_core_news_sm" in warnings[0][0]


def fake_model():
    """A stand-in for nl_core_news_sm with the same kind of components (lemmas, sentences, NER)."""
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    ruler.add_patterns([{"label": "GPE", "pattern": "Utrecht"}, {"label": "PER", "pattern": "Sanne"}])
    nlp.meta["version"] = "3.8.0"
    return nlp


def test_model_backend_is_preferred_and_records_entities(monkeypatch, tmp_path, cfg):
    monkeypatch.setattr(nlp_stage, "model_installed", lambda: True)
    monkeypatch.setattr(spacy, "load", lambda name: fake_model())
    src = tmp_path / "scrubbed.parquet"
    write_table(src, scrubbed_table(["Sanne werkt in Utrecht samen met de regio.", ""]), SCRUBBED)
    out = nlp_stage.run(src, tmp_path / "nlp.parquet", tmp_path / "m.json", cfg)
    assert out["backend"].iloc[0] == "nl_core_news_sm-3.8.0"
    assert out["entities"].iloc[0] == ["PER:Sanne", "GPE:Utrecht"]
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["backend"] == "nl_core_news_sm-3.8.0" and metrics["fallback"] is False


def test_missing_model_gives_clear_error(monkeypatch):
    def boom(name):
        raise OSError("[E050] Can't find model 'nl_core_news_sm'")

    monkeypatch.setattr(spacy, "load", boom)
    with pytest.raises(SamenspelError, match="pip install"):
        nlp_stage.load_backend("nl_core_news_sm")


def test_stage_writes_one_row_per_passage_with_backend(tmp_path, cfg):
    cfg.backend = "fallback"
    src = tmp_path / "scrubbed.parquet"
    texts = ["De gemeenten werkten samen.", "", "Bel [TELEFOON] of mail [EMAIL]."]
    write_table(src, scrubbed_table(texts), SCRUBBED)
    nlp_stage.run(src, tmp_path / "nlp.parquet", tmp_path / "m.json", cfg)
    out = read_table(tmp_path / "nlp.parquet", NLP)
    assert out["passage_id"].tolist() == [f"w/r{i}/q" for i in range(3)]
    assert list(out["tokens"].iloc[1]) == [] and out["n_sentences"].iloc[1] == 0
    assert "[TELEFOON]" in list(out["tokens"].iloc[2])
    assert set(out["backend"]) == {json.loads((tmp_path / "m.json").read_text())["backend"]}


def test_unknown_backend_is_a_user_error(params):
    with pytest.raises(SamenspelError, match="backend"):
        nlp_stage.NlpConfig.from_params({**params["nlp"], "backend": "stanza"})


def test_non_dutch_passages_are_flagged_not_dropped(tmp_path, cfg):
    cfg.backend = "fallback"
    src = tmp_path / "scrubbed.parquet"
    texts = ["Wij werken in de regio samen aan woningbouw en bereikbaarheid.",
             "I mostly coordinate the regional network meetings with our partners.",
             "😀😀😀", "   "]
    write_table(src, scrubbed_table(texts), SCRUBBED)
    nlp_stage.run(src, tmp_path / "nlp.parquet", tmp_path / "m.json", cfg)
    out = read_table(tmp_path / "nlp.parquet", NLP)
    assert out["lang"].tolist() == ["nl", "en", "und", "und"]
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["not_dutch"] == 1 and metrics["passages"] == 4
