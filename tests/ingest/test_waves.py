"""Tests for `pipeline.ingest.waves`: reading a wave YAML and pairing it with its export."""

from __future__ import annotations

import pytest

from pipeline.errors import InputFileError
from pipeline.ingest.waves import load_wave_spec, survey_specs
from tests import factory


def test_a_wave_yaml_is_read_with_its_questions_metadata_and_date(tmp_path):
    factory.write_csv(tmp_path / "golf.csv", factory.survey_rows(2))
    spec = load_wave_spec(factory.write_spec(tmp_path / "golf.yaml", "golf.csv", na_values=["x"]))
    assert spec.wave == "2030" and spec.date == "2030-03-01" and spec.file == tmp_path / "golf.csv"
    assert spec.questions["rol"] == {"column": "antwoord_rol", "text": "Wat is je rol?"}
    assert spec.metadata == {"organisatie": "organisatie", "functie": "functie"} and spec.na_values == ["x"]


@pytest.mark.parametrize("extra, message", [({"kolommen": 1}, "onbekende sleutel"),
                                            ({"questions": {}}, "geen open vragen"),
                                            ({"extra_header_rows": -1}, "extra_header_rows")])
def test_a_wrong_wave_yaml_names_the_problem(tmp_path, extra, message):
    path = factory.write_spec(tmp_path / "golf.yaml", "golf.csv", **extra)
    with pytest.raises(InputFileError, match=message):
        load_wave_spec(path)


def test_exports_are_paired_with_their_yaml_and_a_broken_yaml_claims_its_export(tmp_path):
    factory.write_csv(tmp_path / "goed.csv", factory.survey_rows(2))
    factory.write_spec(tmp_path / "goed.yaml", "goed.csv")
    factory.write_csv(tmp_path / "kapot.csv", factory.survey_rows(2))
    (tmp_path / "kapot.yaml").write_text("wave: [", encoding="utf-8")
    factory.write_csv(tmp_path / "los.csv", factory.survey_rows(2))
    specs, unpaired, errors = survey_specs(tmp_path)
    assert [s.file.name for s in specs] == ["goed.csv"]
    assert [p.name for p in unpaired] == ["los.csv"]
    assert sorted(e["file"].name for e in errors) == ["kapot.csv", "kapot.yaml"]
