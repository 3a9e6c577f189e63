"""`pipeline.schema`: every table's schema in one module, light to import, checked on read and write."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_table
from pipeline.schema import CLASSIFIED, NLP, OOF, SCRUBBED, TOPICS

#: What a stage that only reads another stage's table must not pay for.
HEAVY = ("bertopic", "sentence_transformers", "torch", "umap", "hdbscan", "sklearn", "spacy", "openpyxl")


def test_reading_a_table_imports_no_heavy_library():
    """A fresh interpreter: the test process itself has loaded much more."""
    code = ("import sys, pipeline.schema, pipeline.files\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


def test_the_stages_that_write_a_table_use_the_schema_declared_here():
    from pipeline import classify, topics, train

    assert classify.CLASSIFIED is CLASSIFIED and train.OOF is OOF and topics.TOPICS is TOPICS


def topics_frame() -> pd.DataFrame:
    """One passage in two corpora, as topics writes it."""
    return pd.DataFrame({"passage_id": ["2016/R1/rol", "2016/R1/rol", "2016/R2/rol"],
                         "corpus": ["enquete", "enquete_rol", "enquete"], "topic": [0, 1, -1],
                         "probability": [0.8, None, 0.1], "label": ["koers", "netwerk", "geen onderwerp"],
                         "assigned_by": ["model", "model", "model"]})


def test_topics_are_unique_per_corpus_and_passage(tmp_path):
    path = tmp_path / "topics.parquet"
    write_table(path, topics_frame(), TOPICS)  # the same passage_id twice: in two corpora
    back = read_table(path, TOPICS)
    assert back.columns.tolist() == TOPICS.names and len(back) == 3
    twice = pd.concat([topics_frame(), topics_frame().iloc[[0]]], ignore_index=True)
    with pytest.raises(SamenspelError, match=r"'corpus': 'enquete', 'passage_id': '2016/R1/rol'.* is not unique"):
        TOPICS.validate(twice)


def test_missing_and_empty_topic_columns_are_named():
    with pytest.raises(SamenspelError, match="misses columns \\['label'\\]"):
        TOPICS.validate(topics_frame().drop(columns="label"))
    with pytest.raises(SamenspelError, match="column 'topic' has empty values"):
        TOPICS.validate(topics_frame().assign(topic=[0, None, 1]))


def test_a_passage_id_is_the_key_of_the_passage_tables():
    nlp = pd.DataFrame({"passage_id": ["a", "b", "a"], "tokens": [["x"]] * 3, "lemmas": [["x"]] * 3,
                        "content_lemmas": [["x"]] * 3, "n_sentences": [1] * 3, "entities": [[]] * 3,
                        "lang": ["nl"] * 3, "backend": ["fallback"] * 3})
    with pytest.raises(SamenspelError, match="table 'nlp': passage_id 'a' is not unique"):
        NLP.validate(nlp)
    assert SCRUBBED.key == CLASSIFIED.key == ("passage_id",)


def test_oof_has_no_passage_id_and_keeps_its_prefixed_columns():
    oof = pd.DataFrame({"id": ["a", "a"], "cv_fold": [0, 1], "relevance": [0.2, 0.4], "y_regie": [1, 0],
                        "p_regie": [0.9, 0.1], "cv_regie": [1, 0]})
    assert OOF.validate(oof).columns.tolist() == ["id", "cv_fold", "relevance", "cv_regie", "p_regie", "y_regie"]
    with pytest.raises(SamenspelError, match="undeclared columns"):
        OOF.validate(oof.assign(regie=1))


def test_classified_extends_scrubbed_and_pairs_every_probability_with_a_decision():
    assert CLASSIFIED.names[:len(SCRUBBED.names)] == SCRUBBED.names
    assert CLASSIFIED.names[len(SCRUBBED.names):] == ["classified", "lang", "relevance", "codes", "evidence"]
    frame = pd.DataFrame({c: [] for c in CLASSIFIED.names}).assign(p_regie=[])
    with pytest.raises(SamenspelError, match=r"misses columns \['regie'\]"):
        CLASSIFIED.validate(frame)


def test_code_ids_may_not_be_a_column_of_the_classified_table():
    from pipeline.codebook import reserved_ids

    assert reserved_ids() == set(CLASSIFIED.names) | {"id"}
