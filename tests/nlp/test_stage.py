"""Tests for the `nlp` stage (`pipeline.nlp.run`): its outputs, metrics, settings and cache."""

from __future__ import annotations

import json

import pytest
import spacy

from pipeline import nlp as nlp_stage
from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_table
from pipeline.nlp import backends
from pipeline.schema import NLP, SCRUBBED
from tests.nlp.helpers import TRICKY, fake_model, scrubbed_table


def test_model_backend_is_preferred_and_records_entities(monkeypatch, tmp_path, cfg):
    monkeypatch.setattr(backends, "model_installed", lambda: True)
    monkeypatch.setattr(spacy, "load", lambda name: fake_model())
    src = tmp_path / "scrubbed.parquet"
    write_table(src, scrubbed_table(["Sanne werkt in Utrecht samen met de regio.", ""]), SCRUBBED)
    out = nlp_stage.run(src, tmp_path / "nlp.parquet", tmp_path / "m.json", cfg)
    assert out["backend"].iloc[0] == "nl_core_news_sm-3.8.0"
    assert out["entities"].iloc[0] == ["PER:Sanne", "GPE:Utrecht"]
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["backend"] == "nl_core_news_sm-3.8.0" and metrics["fallback"] is False


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


def test_cached_run_loads_neither_backend_nor_language_model(monkeypatch, tmp_path, cfg):
    from pipeline import language

    cfg.backend = "fallback"
    src = tmp_path / "scrubbed.parquet"
    write_table(src, scrubbed_table(TRICKY), SCRUBBED)
    first = nlp_stage.run(src, tmp_path / "a.parquet", tmp_path / "a.json", cfg, cache_dir=tmp_path / "cache")

    def forbidden(*args, **kwargs):
        raise AssertionError("loaded although every passage was in the cache")

    monkeypatch.setattr(backends, "load", forbidden)
    monkeypatch.setattr(language.LanguageDetector, "fit", forbidden)
    second = nlp_stage.run(src, tmp_path / "b.parquet", tmp_path / "b.json", cfg, cache_dir=tmp_path / "cache")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert second["tokens"].tolist() == first["tokens"].tolist()
    metrics = json.loads((tmp_path / "b.json").read_text())
    assert metrics["cache_hits"] == len(TRICKY) and metrics["cache_misses"] == 0
    assert {k: v for k, v in metrics.items() if not k.startswith("cache")} == \
        {k: v for k, v in json.loads((tmp_path / "a.json").read_text()).items() if not k.startswith("cache")}
