"""Tests for `samenspel realtext` (`pipeline.realtext.run`)."""

from __future__ import annotations

from pipeline import realtext as rt
from tests.realtext.helpers import LABELS


def test_without_the_shared_folder_realtext_skips_cleanly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAMENSPEL_SHARED", raising=False)
    said = []
    out = rt.run(LABELS, tmp_path / "m.skops", tmp_path / "r.json", tmp_path / "c.json", "fallback",
                 say=lambda msg, warn=False: said.append(msg))
    assert out is None and not (tmp_path / "r.json").exists() and "niet gevonden" in said[0]
