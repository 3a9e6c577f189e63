"""pipeline/report/load.py: the report's inputs, checked at the boundary."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from pipeline.files import write_table
from pipeline.report.load import (TOPIC_COLUMNS, load_accounting, load_annotation, load_topics, raw_axes,
                                  waves_in_order)
from pipeline.schema import NLP
from tests.report.inputs import CODEBOOK, build_accounting, build_classified


def _nlp(path, entities):
    empty = [[] for _ in entities]
    write_table(path, pd.DataFrame({"passage_id": [f"p{i}" for i in range(len(entities))], "tokens": empty,
                                    "lemmas": empty, "content_lemmas": empty, "n_sentences": 1,
                                    "entities": entities, "lang": "nl",
                                    "backend": ["spacy-nl", "fallback"] * (len(entities) // 2)}), NLP)


def test_annotation_gives_entities_and_backends_from_one_table(tmp_path):
    _nlp(tmp_path / "nlp.parquet", [["GPE:Tiel"], [], ["LOC:de Waal", "PER:Jan"], []])
    annotation = load_annotation(tmp_path / "nlp.parquet", ner=True)
    assert annotation.entities == {"p0": ["GPE:Tiel"], "p2": ["LOC:de Waal", "PER:Jan"]}  # passages with entities
    assert annotation.backends == ["fallback", "spacy-nl"]
    without = load_annotation(tmp_path / "nlp.parquet", ner=False)
    assert without.entities == {} and without.backends == annotation.backends


def test_annotation_is_optional_but_checked(tmp_path):
    assert load_annotation(None, ner=True).entities == {}
    assert load_annotation(tmp_path / "geen.parquet", ner=True).backends == []
    pd.DataFrame({"passage_id": ["p0"], "backend": ["x"]}).to_parquet(tmp_path / "half.parquet")
    with pytest.raises(SamenspelError, match="misses columns"):
        load_annotation(tmp_path / "half.parquet", ner=True)


def test_accounting_errors_say_what_to_do(tmp_path):
    with pytest.raises(SamenspelError, match="dvc repro ingest"):
        load_accounting(tmp_path / "ingest.json")
    (tmp_path / "kapot.json").write_text("{", encoding="utf-8")
    with pytest.raises(SamenspelError, match="ongeldige JSON"):
        load_accounting(tmp_path / "kapot.json")
    (tmp_path / "leeg.json").write_text("{}", encoding="utf-8")
    with pytest.raises(SamenspelError, match="'files' ontbreekt"):
        load_accounting(tmp_path / "leeg.json")


def test_topics_are_optional_and_read_by_their_columns(tmp_path):
    said = []
    assert load_topics(tmp_path / "topics.parquet", lambda msg, warn=False: said.append((msg, warn))) is None
    assert said and said[0][1] is True and "Onderwerpen blijft leeg" in said[0][0]
    pd.DataFrame({"passage_id": ["p0"], "topic": [0]}).to_parquet(tmp_path / "half.parquet")
    with pytest.raises(SamenspelError, match="geen onderwerpentabel"):
        load_topics(tmp_path / "half.parquet", print)
    full = pd.DataFrame({"passage_id": ["p0"], "corpus": ["c"], "topic": [0], "probability": [0.5], "label": ["x"],
                         "assigned_by": ["model"]})
    full.to_parquet(tmp_path / "topics.parquet")
    assert tuple(load_topics(tmp_path / "topics.parquet", print).columns) == TOPIC_COLUMNS


def test_waves_oldest_first_by_the_date_of_their_yaml():
    accounting = build_accounting()
    accounting["files"][0]["date"] = "2030-01-01"  # wave 2016 dated after 2026
    waves = waves_in_order(build_classified(), accounting)
    assert [w.label for w in waves] == ["2026", "2016"]
    assert waves[0].file == "surveys/enquete_2026.csv" and waves[0].date == "2026-04-15"


def test_axes_in_codebook_order():
    axes = raw_axes(CODEBOOK)
    assert list(axes) == ["niveau", "focus"]
    assert list(axes["niveau"]) == ["richten", "inrichten/verrichten"]
    assert list(axes["focus"]) == ["binnen", "buiten"]
    assert all("\n" not in text for values in axes.values() for text in values.values())
