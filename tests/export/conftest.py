"""Session fixtures of the export tests: one export of the example (`example.py`) in each CSV dialect."""

from __future__ import annotations

import pytest

from tests.export.example import classified_frame, run_export


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    return run_export(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="session")
def exported_tools(tmp_path_factory):
    return run_export(tmp_path_factory.mktemp("export_tools"), csv_dialect="tools")


@pytest.fixture(scope="session")
def frame():
    from pipeline.export import clean_text

    df = classified_frame()
    df["clean"] = [clean_text(t) for t in df["text"]]
    return df


@pytest.fixture(scope="session")
def workbook(exported):
    import openpyxl

    return openpyxl.load_workbook(exported["_out"] / "samenspel.xlsx")
