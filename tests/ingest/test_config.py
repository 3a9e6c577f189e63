"""Tests for `pipeline.ingest.config`: the settings come from params.yaml, every key required."""

from __future__ import annotations

import pytest

from pipeline.errors import SamenspelError
from pipeline.ingest.config import IngestConfig


def test_every_setting_comes_from_the_ingest_section(params):
    cfg = IngestConfig.from_params(params["ingest"])
    assert vars(cfg) == {k: params["ingest"][k] for k in IngestConfig.__dataclass_fields__}


def test_a_missing_setting_is_named(params):
    section = {k: v for k, v in params["ingest"].items() if k != "max_passage_chars"}
    with pytest.raises(SamenspelError, match="max_passage_chars"):
        IngestConfig.from_params(section)
