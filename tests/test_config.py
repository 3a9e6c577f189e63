"""pipeline/config.py: reading params.yaml, and every stage reading exactly its own section."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from pipeline.config import load_params, require, section
from pipeline.errors import SamenspelError
from tests.conftest import ROOT
from tests.sections import dotted_keys, keys_read, without

# Stage section -> its config class. topics is checked in tests/topics/test_config.py
# (its embedding settings depend on the backend chosen).
STAGES = {
    "ingest": "pipeline.ingest:IngestConfig",
    "scrub": "pipeline.scrub:ScrubConfig",
    "nlp": "pipeline.nlp:NlpConfig",
    "train": "pipeline.train:TrainConfig",
    "export": "pipeline.export.config:ExportConfig",
    "report": "pipeline.report.config:ReportConfig",
}
# Keys whose value is also a default in code (STYLE.md 5 says it shouldn't be): removing
# them from params.yaml is not an error. Listed so that a new one is noticed.
DEFAULT_IN_CODE = {"train.relevance"}


def config_class(stage: str):
    module, name = STAGES[stage].split(":")
    return getattr(importlib.import_module(module), name)


def test_load_params_reads_the_yaml(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("ingest:\n  strict: false\n  na_values: [NA]\n", encoding="utf-8")
    assert load_params(path) == {"ingest": {"strict": False, "na_values": ["NA"]}}
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_params(path) == {}


def test_missing_params_file_names_the_file_and_what_to_do(tmp_path):
    with pytest.raises(SamenspelError) as err:
        load_params(tmp_path / "nergens.yaml")
    assert err.value.path == str(tmp_path / "nergens.yaml")
    assert "niet gevonden" in err.value.problem and "--params" in err.value.hint


def test_invalid_yaml_is_a_user_error_naming_the_file(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("ingest:\n  strict: [false\n", encoding="utf-8")
    with pytest.raises(SamenspelError, match="ongeldige YAML") as err:
        load_params(path)
    assert err.value.path == str(path)


@pytest.mark.parametrize("params", [{}, {"nlp": None}, {"nlp": ["backend"]}])
def test_missing_or_malformed_section_is_named(params):
    with pytest.raises(SamenspelError, match="sectie 'nlp' ontbreekt") as err:
        section(params, "nlp", "mijn.yaml")
    assert err.value.path == "mijn.yaml"


def test_section_and_require_return_the_values_as_written():
    params = {"nlp": {"n_process": 0, "strict": False, "extra": None}}
    cfg = section(params, "nlp")
    assert cfg is params["nlp"]
    # Falsy values are values, not missing ones.
    assert [require(cfg, k, "nlp") for k in ("n_process", "strict", "extra")] == [0, False, None]
    with pytest.raises(SamenspelError, match=r"parameter 'nlp\.batch_size' ontbreekt in params.yaml"):
        require(cfg, "batch_size", "nlp")


def test_the_key_reader_sees_what_from_params_reads():
    """The check below is only as good as tests/sections.py: a reader that skips a key is caught."""
    data = {"a": 1, "b": {"c": 2, "d": 3}, "e": {"f": 4}, "g": {"h": 5}}

    def from_params(cfg):
        return cfg["a"], cfg["b"]["c"], cfg["e"], [v for v in cfg.get("g").values()]

    assert keys_read(from_params, data, "s") == {"s.a", "s.b", "s.b.c", "s.e", "s.e.f", "s.g", "s.g.h"}
    assert keys_read(from_params, data, "s", by_name=True) == {"s.a", "s.b", "s.b.c", "s.e", "s.g"}
    assert dotted_keys(data, "s") - keys_read(from_params, data, "s") == {"s.b.d"}
    assert without(data, "s.b.c") == {"a": 1, "b": {"d": 3}, "e": {"f": 4}, "g": {"h": 5}}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_params_yaml_section_is_read_whole_by_its_stage(params, stage):
    """Every key in the stage's section of params.yaml is read by the stage's config (no
    forgotten or misspelled setting that silently does nothing), and every field of the
    config is a key there."""
    cls = config_class(stage)
    data = section(params, stage)
    unread = dotted_keys(data, stage) - keys_read(cls.from_params, data, stage)
    assert not unread, f"params.yaml has keys {stage}'s config never reads: {sorted(unread)}"
    assert {f.name for f in dataclasses.fields(cls)} == set(data)


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_leaving_out_a_key_is_an_error_that_names_it(params, stage):
    """Every setting the stage asks for by name must be in params.yaml: leaving one out is
    an error naming it, not a value nobody chose (apart from DEFAULT_IN_CODE)."""
    cls = config_class(stage)
    data = section(params, stage)
    optional = set()
    for key in sorted(keys_read(cls.from_params, data, stage, by_name=True)):
        try:
            cls.from_params(without(data, key))
        except SamenspelError as exc:
            assert f"'{key}'" in str(exc) or f"{key} " in str(exc), f"leaving out {key}: {exc}"
        else:
            optional.add(key)
    assert optional == {k for k in DEFAULT_IN_CODE if k.startswith(f"{stage}.")}
