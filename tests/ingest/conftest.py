"""Shared fixtures of the ingest tests: a small corpus of one survey wave and four documents."""

from __future__ import annotations

import pytest

from tests import factory


@pytest.fixture
def corpus(tmp_path):
    surveys = tmp_path / "surveys"
    documents = tmp_path / "documents"
    surveys.mkdir()
    documents.mkdir()
    rows = factory.survey_rows(12)
    rows[3]["antwoord_rol"] = "NA"
    rows[4]["antwoord_rol"] = "N.v.t."
    factory.write_csv(surveys / "golf2030.csv", rows, encoding="cp1252")
    factory.write_spec(surveys / "golf2030.yaml", "golf2030.csv")
    factory.write_pdf(documents / "gr.pdf")
    factory.write_docx(documents / "convenant.docx")
    (documents / "agenda.html").write_text(factory.HTML, encoding="utf-8")
    (documents / "README.md").write_text("Uitleg, geen document.", encoding="utf-8")
    return surveys, documents, rows
