"""`pipeline.export.inputs`: the code columns of the classified table and the topic labels."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from pipeline.export.inputs import check_codes, read_topics, topic_labels
from pipeline.files import write_table
from pipeline.schema import TOPICS
from tests.export.example import CODES, classified_frame, codebook, topics_frame


def test_check_codes_wants_exactly_the_codebook_codes(tmp_path):
    df = classified_frame()
    check_codes(df, codebook(CODES), tmp_path / "c.parquet")
    with pytest.raises(SamenspelError, match="kolommen ontbreken voor code\\(s\\) regie") as err:
        check_codes(df, codebook((*CODES, "regie")), tmp_path / "c.parquet")
    assert "dvc repro classify" in err.value.hint and err.value.path == str(tmp_path / "c.parquet")
    with pytest.raises(SamenspelError, match="code\\(s\\) belangen staan niet in het codeboek"):
        check_codes(df, codebook(CODES[:2]), tmp_path / "c.parquet")


def test_topics_are_read_with_their_schema(tmp_path):
    path = tmp_path / "topics.parquet"
    topics = topics_frame(classified_frame())
    write_table(path, topics, TOPICS)
    assert read_topics(path).columns.tolist() == TOPICS.names
    twice = pd.concat([topics, topics.iloc[[0]]], ignore_index=True)
    twice.to_parquet(path, index=False)
    with pytest.raises(SamenspelError, match="is not unique"):
        read_topics(path)
    topics.drop(columns=["label"]).to_parquet(path, index=False)
    with pytest.raises(SamenspelError, match=r"misses columns \['label'\]"):
        read_topics(path)
    topics.assign(label=None).to_parquet(path, index=False)
    with pytest.raises(SamenspelError, match="'label' has empty values"):
        read_topics(path)


def test_a_file_that_is_no_parquet_is_a_user_error(tmp_path):
    path = tmp_path / "topics.parquet"
    path.write_bytes(b"PAR1 afgebroken")
    with pytest.raises(SamenspelError, match="onderwerpen niet leesbaar") as err:
        read_topics(path)
    assert err.value.path == str(path) and "dvc repro topics" in err.value.hint


def test_topic_labels_one_column_per_corpus_aligned_to_the_passages(tmp_path):
    df = classified_frame()
    path = tmp_path / "topics.parquet"
    topics = topics_frame(df)
    write_table(path, topics.assign(passage_id=topics["passage_id"].where(topics.index > 0, "elders/1")), TOPICS)
    lines = []
    out = topic_labels(path, df["passage_id"], [], lambda msg, warn=False: lines.append((msg, warn)))
    assert out.columns.tolist() == ["onderwerp_alle_antwoorden", "onderwerp_documenten"]
    assert out.index.tolist() == df["passage_id"].tolist()
    docs = topics[topics["corpus"] == "documenten"].set_index("passage_id")["label"]
    assert out.loc[docs.index, "onderwerp_documenten"].tolist() == docs.tolist()
    assert out.loc[df.loc[df["kind"] == "document", "passage_id"], "onderwerp_alle_antwoorden"].isna().all()
    assert out.loc["2016/R002/uitdaging"].isna().all()  # a filler answer has no topic
    assert lines == [(f"let op: 1 passages in {path} staan niet in de gecodeerde passages; "
                      "draai `dvc repro topics` opnieuw", True)]
