"""`pipeline.topics.result`: what a corpus's result takes from the model, and its assignments."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.topics.result import assign, counts, ctfidf_rows, prepare, topic_label, topic_terms
from tests.topics.helpers import config


class FakeModel:
    """What the functions read of a BERTopic model: its topics and their words."""

    topics_ = [1, 0, -1, 1]

    def get_topic(self, topic):
        words = {0: [("woning", 0.5), ("starter", 0.25), ("bouw", 0.1), ("", 0.0), ("opvulling", 0)], 1: False}
        return words.get(topic)


def test_topic_words_leave_out_bertopics_padding():
    model = FakeModel()
    assert topic_terms(model, 0) == [("woning", 0.5), ("starter", 0.25), ("bouw", 0.1)]
    assert topic_terms(model, 1) == [] and topic_terms(model, 7) == []
    assert topic_label(model, 0, config(label_words=2)) == "woning, starter"
    assert ctfidf_rows(model) == {-1: 0, 0: 1, 1: 2}  # sorted, the outlier topic first


def test_assignments_start_empty_and_keep_the_reason_a_passage_was_set_aside():
    frame = pd.DataFrame({"role": ["unique", "filler", "other_language", "duplicate", "unique"]})
    prepared = prepare(frame)
    assert "topic" not in frame.columns  # a copy
    assert prepared["topic"].tolist() == [-1] * 5 and prepared["probability"].isna().all()
    assert prepared["assigned_by"].tolist() == ["skipped", "filler", "other_language", "skipped", "skipped"]
    assert counts(prepared) == {"passages": 5, "unique": 2, "duplicates": 1, "fillers": 1, "other_language": 1}
    assign(prepared, [0, 4], [3, 2], [0.5, 0.25], "model")
    assign(prepared, [3], 3, 0.5, "duplicate")
    assert prepared["topic"].tolist() == [3, -1, -1, 3, 2]
    assert prepared["assigned_by"].tolist() == ["model", "filler", "other_language", "duplicate", "model"]
    assert prepared["probability"].tolist()[3:] == [0.5, 0.25] and math.isnan(prepared.at[1, "probability"])
