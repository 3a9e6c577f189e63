"""`pipeline.export.config`: the export settings from params.yaml."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.errors import SamenspelError
from tests.export.example import make_cfg


def test_config_timestamp_forms():
    assert make_cfg(timestamp=dt.datetime(2020, 1, 2, 3, 4, 5)).timestamp == dt.datetime(2020, 1, 2, 3, 4, 5)
    assert make_cfg(timestamp=dt.date(2020, 1, 2)).timestamp == dt.datetime(2020, 1, 2)
    assert make_cfg(timestamp="2020-01-02T05:00:00+02:00").timestamp == dt.datetime(2020, 1, 2, 3)
    with pytest.raises(SamenspelError, match="timestamp"):
        make_cfg(timestamp="gisteren")
    with pytest.raises(SamenspelError, match="export.project_name"):
        from pipeline.export import ExportConfig

        ExportConfig.from_params({"timestamp": "2020-01-01", "topic_corpora": []})
    with pytest.raises(SamenspelError, match="export.csv_dialect 'excel' bestaat niet") as err:
        make_cfg(csv_dialect="excel")
    assert "nl of tools" in err.value.hint
