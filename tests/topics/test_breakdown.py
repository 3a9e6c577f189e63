"""`pipeline.topics.breakdown`: topic shares per wave, question, metadata and code."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.topics.breakdown import breakdown, code_cooccurrence, codes_per_topic


def test_breakdowns_and_codes(first, second):
    _, metrics, out = first
    shares = pd.read_csv(out / "reports" / "breakdown.csv", dtype={"class": str})
    alles = shares[shares["corpus"] == "alles"]
    assert {"wave", "question_id", "meta_organisatietype", "code"} <= set(alles["dimension"])
    assert "source" not in set(alles["dimension"])  # same split as the wave
    sums = alles[alles["dimension"] != "code"].groupby(["dimension", "class"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0, abs=1e-3)
    md = (out / "reports" / "alles.md").read_text(encoding="utf-8")
    assert "Codes die samen met dit onderwerp voorkomen" in md
    assert "Belangen bespreekbaar maken" in md  # code names from the codebook
    assert {"belangen", "regie"} == set(alles.loc[alles["dimension"] == "code", "class"])
    # without a classified table there is no code part
    assert "code" not in set(pd.read_csv(second[2] / "reports" / "breakdown.csv")["dimension"])
    assert "Codes die samen" not in (second[2] / "reports" / "alles.md").read_text(encoding="utf-8")


def small_corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame({"passage_id": ["a", "b", "c", "d"], "topic": [0, 0, 1, -1],
                          "wave": ["2016", "2016", "2026", "2026"], "source": ["x.csv", "x.csv", "y.csv", "y.csv"],
                          "question_id": ["q"] * 4})
    return frame, pd.DataFrame({"passage_id": ["a", "c"], "belangen": [1, 1]})


def test_shares_per_class_leave_out_dimensions_that_say_nothing_new():
    frame, classified = small_corpus()
    # source splits like wave, question_id has one class, and `missing` is no column
    shares = breakdown(frame, ["wave", "source", "question_id", "missing"], classified, ["belangen"])
    assert [tuple(r) for r in shares.itertuples(index=False)] == [
        ("wave", "2016", 0, 2, 1.0), ("wave", "2026", -1, 1, 0.5), ("wave", "2026", 1, 1, 0.5),
        ("code", "belangen", 0, 1, 0.5), ("code", "belangen", 1, 1, 0.5)]
    assert list(breakdown(frame, ["wave"], None, []).columns) == ["dimension", "class", "topic", "n", "share"]


def test_codes_per_topic_give_share_corpus_share_and_lift():
    frame, classified = small_corpus()
    per_topic = codes_per_topic(frame, classified, ["belangen"], [0, 1, 5])
    assert per_topic == {
        0: [{"code": "belangen", "n": 1, "share": 0.5, "corpus_share": 0.5, "lift": 1.0}],
        1: [{"code": "belangen", "n": 1, "share": 1.0, "corpus_share": 0.5, "lift": 2.0}],
        5: []}
    assert code_cooccurrence(frame, classified, ["belangen"], 1) == per_topic[1]
