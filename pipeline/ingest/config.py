"""The settings of the `ingest` stage (section `ingest` of params.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class IngestConfig:
    """Settings from the `ingest` section of params.yaml."""

    max_passage_chars: int
    filler_answers: list[str]
    na_values: list[str]
    strict: bool
    autodetect_min_answers: int
    autodetect_min_mean_chars: int
    autodetect_min_mean_words: float
    autodetect_max_categories: int

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "IngestConfig":
        from pipeline.config import require

        return cls(**{f: require(cfg, f, "ingest") for f in cls.__dataclass_fields__})
