"""`pipeline.coherence`: NPMI and diversity of topic words, checked by hand."""

from __future__ import annotations

import math

import pytest

from pipeline import coherence


def test_npmi_on_a_hand_computed_example():
    docs = [{"a", "b"}, {"a", "b"}, {"a", "c"}, {"c"}]
    # P(a)=3/4, P(b)=1/2, P(a,b)=1/2: log(4/3)/log(2); P(c)=1/2, P(a,c)=1/4: log(2/3)/log(4); b,c never: -1
    ab, ac, bc = math.log(4 / 3) / math.log(2), math.log(2 / 3) / math.log(4), -1.0
    assert coherence.npmi_per_topic([["a", "b"]], docs) == pytest.approx([ab])
    assert coherence.npmi_per_topic([["a", "b", "c"]], docs) == pytest.approx([(ab + ac + bc) / 3])
    assert coherence.npmi([["a", "b"], ["a", "c"]], docs) == pytest.approx((ab + ac) / 2)
    # top_n cuts the list; empty strings (BERTopic's padding) are ignored; one term scores nothing
    assert coherence.npmi_per_topic([["a", "", "b", "c"]], docs, top_n=2) == pytest.approx([ab])
    assert math.isnan(coherence.npmi_per_topic([["a"]], docs)[0])
    # a pair in every document is perfectly coherent
    assert coherence.npmi([["x", "y"]], [{"x", "y"}, {"x", "y"}]) == 1.0


def test_topic_diversity():
    assert coherence.topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert coherence.topic_diversity([["a", "b"], ["a", "c"]]) == 0.75
    assert coherence.topic_diversity([["a", "b", "c"], ["a", "d", "e"]], top_n=2) == 0.75
