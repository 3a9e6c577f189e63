"""Tests for `pipeline.nlp.backends`: the built-in backends, the automatic fallback, other spaCy pipelines."""

from __future__ import annotations

import json
import re

import pytest
import spacy

from pipeline import nlp as nlp_stage
from pipeline.errors import SamenspelError
from pipeline.files import write_table
from pipeline.nlp import backends
from pipeline.schema import SCRUBBED
from tests.nlp.helpers import scrubbed_table, tiny_pipeline


def test_auto_falls_back_with_visible_warning(monkeypatch):
    monkeypatch.setattr(backends, "model_installed", lambda: False)
    warnings = []
    nlp, label = nlp_stage.load_backend("auto", lambda m, warn=False: warnings.append((m, warn)))
    assert label.startswith("fallback")
    assert warnings and warnings[0][1] is True and "nl_core_news_sm" in warnings[0][0]


def test_fallback_warning_is_given_once_per_process(monkeypatch):
    """nlp, train and evaluate each resolve the backend; in one process the warning comes once."""
    monkeypatch.setattr(backends, "model_installed", lambda: False)
    said = []
    for _ in range(3):
        assert nlp_stage.resolve_backend("auto", lambda m, warn=False: said.append(m)) == "fallback"
    assert said == [nlp_stage.FALLBACK_WARNING]


def test_missing_model_gives_clear_error(monkeypatch):
    def boom(name):
        raise OSError("[E050] Can't find model 'nl_core_news_sm'")

    monkeypatch.setattr(spacy, "load", boom)
    with pytest.raises(SamenspelError, match="pip install"):
        nlp_stage.load_backend("nl_core_news_sm")


def test_backend_label_without_loading_matches_the_loaded_one(fallback_nlp):
    assert nlp_stage.backend_label("fallback") == fallback_nlp[1]


def test_pipeline_directory_as_backend(monkeypatch, tmp_path, cfg):
    folder = tmp_path / "mijn_pijplijn"
    tiny_pipeline().to_disk(folder)
    cfg = nlp_stage.NlpConfig.from_params({**vars(cfg), "backend": str(folder)})
    src = tmp_path / "scrubbed.parquet"
    write_table(src, scrubbed_table(["Mail [NAAM] in Utrecht. Daarna bellen.", ""]), SCRUBBED)
    out = nlp_stage.run(src, tmp_path / "a.parquet", tmp_path / "a.json", cfg, cache_dir=tmp_path / "cache")
    label = out["backend"].iloc[0]
    assert re.fullmatch(r"nl_pipeline-0\.0\.0 \(map mijn_pijplijn, [0-9a-f]{12}\)", label)
    assert nlp_stage.backend_label(str(folder)) == label
    assert list(out["tokens"].iloc[0]) == ["Mail", "[NAAM]", "in", "Utrecht", ".", "Daarna", "bellen", "."]
    assert out["n_sentences"].tolist() == [2, 0]
    assert list(out["entities"].iloc[0]) == ["GPE:Utrecht"]
    metrics = json.loads((tmp_path / "a.json").read_text())
    assert metrics["backend"] == label and metrics["fallback"] is False and metrics["ner"] is True

    # From the cache, without loading: the same label and metrics, NER read from meta.json.
    monkeypatch.setattr(backends, "load", lambda name: pytest.fail("loaded although all passages were cached"))
    nlp_stage.run(src, tmp_path / "b.parquet", tmp_path / "b.json", cfg, cache_dir=tmp_path / "cache")
    again = json.loads((tmp_path / "b.json").read_text())
    assert {k: v for k, v in again.items() if not k.startswith("cache")} == \
        {k: v for k, v in metrics.items() if not k.startswith("cache")}

    # Another pipeline saved over it, same meta.json name and version: another label.
    tiny_pipeline([{"label": "GPE", "pattern": "Zwolle"}]).to_disk(folder)
    assert nlp_stage.backend_label(str(folder)) not in (label, None)


def test_installed_pipeline_package_as_backend(monkeypatch, tmp_path):
    import sys

    nlp = tiny_pipeline()
    nlp.meta.update(name="proef_sm", version="1.2.3")
    package = tmp_path / "nl_proef_sm"
    package.mkdir()
    nlp.to_disk(package / "nl_proef_sm-1.2.3")  # the layout of `spacy package`
    (package / "meta.json").write_text(json.dumps(nlp.meta), encoding="utf-8")
    (package / "__init__.py").write_text("from spacy.util import load_model_from_init_py\n\n\n"
                                         "def load(**overrides):\n"
                                         "    return load_model_from_init_py(__file__, **overrides)\n")
    (tmp_path / "nl_proef_sm-1.2.3.dist-info").mkdir()
    (tmp_path / "nl_proef_sm-1.2.3.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: nl_proef_sm\nVersion: 1.2.3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert nlp_stage.backend_label("nl_proef_sm") == "nl_proef_sm-1.2.3"
        loaded, label = nlp_stage.load_backend("nl_proef_sm")
        assert label == "nl_proef_sm-1.2.3" and loaded.pipe_names == ["sentencizer", "ner"]
        assert "[NAAM]" in [t.text for t in loaded("Bel [NAAM] op.")]
        assert nlp_stage.has_ner("nl_proef_sm")
    finally:
        sys.modules.pop("nl_proef_sm", None)


def test_unknown_pipeline_name_is_a_clear_error(params, tmp_path):
    with pytest.raises(SamenspelError, match=r"xx_geen_pijplijn_sm.*spacy download xx_geen_pijplijn_sm.*to_disk"):
        nlp_stage.NlpConfig.from_params({**params["nlp"], "backend": "xx_geen_pijplijn_sm"})
    with pytest.raises(SamenspelError, match="geen geïnstalleerd spaCy-pakket en geen map"):
        nlp_stage.load_backend(str(tmp_path / "bestaat_niet"))
    assert nlp_stage.backend_label("xx_geen_pijplijn_sm") is None
    with pytest.raises(SamenspelError, match="geen spaCy-pijplijn"):
        nlp_stage.load_backend("numpy")  # installed, but not a spaCy pipeline
    with pytest.raises(SamenspelError, match="config.cfg en meta.json ontbreken"):
        nlp_stage.load_backend(str(tmp_path))


def test_pipeline_that_fails_to_load_is_a_clear_error(tmp_path):
    folder = tmp_path / "kapot"
    tiny_pipeline().to_disk(folder)
    config = folder / "config.cfg"
    config.write_text(config.read_text().replace('factory = "sentencizer"', 'factory = "bestaat_niet"'))
    with pytest.raises(SamenspelError, match="kan niet worden geladen.*eigen componenten"):
        nlp_stage.load_backend(str(folder))


def test_pipeline_for_another_language_warns(tmp_path):
    spacy.blank("en").to_disk(tmp_path / "engels")
    said = []
    nlp, label = nlp_stage.load_backend(str(tmp_path / "engels"), lambda m, warn=False: said.append((m, warn)))
    assert label.startswith("en_pipeline-") and nlp.lang == "en"
    assert said and said[0][1] is True and "'en'" in said[0][0]
