"""pipeline/report/config.py: the `report` settings."""

from __future__ import annotations

import pytest

from pipeline.errors import SamenspelError
from tests.report.inputs import REPORT_PARAMS


def test_config_names_missing_and_bad_settings():
    from pipeline.report.config import ReportConfig

    params = dict(REPORT_PARAMS)
    del params["alpha"]
    with pytest.raises(SamenspelError, match="report.alpha"):
        ReportConfig.from_params(params)
    with pytest.raises(SamenspelError, match="correction"):
        ReportConfig.from_params({**REPORT_PARAMS, "correction": "bonferroni"})
    with pytest.raises(SamenspelError, match="compare_waves"):
        ReportConfig.from_params({**REPORT_PARAMS, "compare_waves": ["2016"]})
