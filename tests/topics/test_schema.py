"""`pipeline.topics.schema`: `topics.parquet` is unique per corpus and passage, not per passage."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from pipeline.topics import TOPICS, KeyedSchema


def rows(**over) -> pd.DataFrame:
    df = pd.DataFrame({"passage_id": ["p1", "p1", "p2"], "corpus": ["enquete", "enquete_a", "enquete"],
                       "topic": [0, 1, -1], "probability": [0.9, 0.8, None],
                       "label": ["woning, starter", "bus", "geen onderwerp"],
                       "assigned_by": ["model", "transform", "filler"]})
    return df.assign(**over)


def test_a_passage_may_be_in_several_corpora_once_each():
    assert isinstance(TOPICS, KeyedSchema) and TOPICS.key == ("corpus", "passage_id")
    assert list(TOPICS.validate(rows())["passage_id"]) == ["p1", "p1", "p2"]
    with pytest.raises(SamenspelError, match="is not unique"):
        TOPICS.validate(rows(corpus="enquete"))


def test_missing_and_empty_columns_are_named():
    with pytest.raises(SamenspelError, match="misses columns \\['label'\\]"):
        TOPICS.validate(rows().drop(columns="label"))
    with pytest.raises(SamenspelError, match="column 'topic' has empty values"):
        TOPICS.validate(rows(topic=[0, None, 1]))
