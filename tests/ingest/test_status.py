"""Tests for `pipeline.ingest.status`: one rule for an answer's status, in ingest and in `classify FILE`."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.ingest.status import AnswerStatus, codable


@pytest.mark.parametrize("text, status", [
    ("", "empty"), ("  \n\t", "empty"),
    ("NA", "na"), (" -99 ", "na"),
    ("weet niet", "filler"), ("N.v.t.", "filler"), ("  Geen idee!  ", "filler"), ("😀😀", "filler"), ("?!", "filler"),
    ("Wij werken samen met de buurgemeenten.", "ok"), ("na", "ok"), ("Nee, want het budget ontbreekt.", "ok"),
])
def test_answer_status_with_the_params(ingest_cfg, text, status):
    assert AnswerStatus.from_config(ingest_cfg)(text) == status


def test_a_wave_yaml_replaces_the_missing_values_not_the_fillers(ingest_cfg):
    rule = AnswerStatus.from_config(ingest_cfg, ["onbekend"])
    assert rule("onbekend") == "na" and rule("NA") == "ok" and rule("nvt") == "filler"
    assert AnswerStatus.from_config(ingest_cfg, [])("NA") == "ok"


def test_only_ok_passages_are_coded():
    statuses = pd.Series(["ok", "empty", "na", "filler", "signature", "ok"], index=[5, 4, 3, 2, 1, 0])
    assert codable(statuses).tolist() == [True, False, False, False, False, True]
    assert codable(["ok"]).dtype == bool and codable([]).tolist() == []
