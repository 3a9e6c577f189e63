"""The report on the inputs of tests/report/inputs.py, run once per session."""

from __future__ import annotations

import pytest

from tests.report.inputs import run_report


@pytest.fixture(scope="session")
def report(tmp_path_factory):
    return run_report(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def page(report) -> str:
    return report["html"].read_text(encoding="utf-8")
