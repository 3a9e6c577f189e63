"""Helpers of the ingest tests: running the stage and reading what it wrote."""

from __future__ import annotations

import json

from pipeline import ingest


def run(tmp_path, cfg, surveys=None, documents=None):
    out = tmp_path / "out"
    df = ingest.run(surveys, documents, out / "passages.parquet", out / "accounting.json", out / "metrics.json", cfg)
    return df, json.loads((out / "accounting.json").read_text()), json.loads((out / "metrics.json").read_text())
