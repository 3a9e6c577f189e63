"""Stage `scrub`: replace personal data in passages by typed placeholders.

Inputs:  `passages.parquet` (schema `PASSAGES`), from `ingest`.
Outputs: scrubbed passages (schema `SCRUBBED`: the same columns plus `scrubbed` and
         `pii_types`) and flat metrics (JSON: placeholders per type, passages scrubbed,
         passages with personal data, whether deduce and NER were used).
Params:  section `scrub` of params.yaml (`surveys`, `documents`, `deduce`, `ner`,
         `batch_size`).

The stage entry point (`run`, `ScrubConfig`) is here; the work is in the modules:

- `placeholders`: the placeholder types and strings ([EMAIL] [TELEFOON] [IBAN] [BSN]
  [KENTEKEN] [ADRES] [POSTCODE] [NAAM]) and the `Span` every detector emits;
- `checksums`: the elfproef for BSNs and the mod-97 check for IBANs;
- `patterns`: the regex detectors (e-mail, phone, IBAN, BSN, licence plate, address,
  postcode);
- `deduce`: deduce's engine for person names and its lookup lists;
- `names`: the rules for names deduce misses and the checks that keep places;
- `scrubber`: `Scrubber`, which combines them and resolves overlapping matches.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.files import read_table, write_json, write_table
from pipeline.progress import Say, progress, resolve_say
from pipeline.schema import PASSAGES, SCRUBBED
from pipeline.scrub.checksums import elfproef, iban_valid
from pipeline.scrub.placeholders import PII_TYPES, PLACEHOLDERS, RANK, Span, placeholder
from pipeline.scrub.scrubber import Scrubber, resolve_overlaps, scrub_text

__all__ = ["PII_TYPES", "PLACEHOLDERS", "RANK", "ScrubConfig", "Scrubber", "Span", "elfproef", "iban_valid",
           "placeholder", "resolve_overlaps", "run", "scrub_text"]

log = logging.getLogger(__name__)


@dataclass
class ScrubConfig:
    """Settings from the `scrub` section of params.yaml."""

    surveys: bool
    documents: bool
    deduce: bool
    ner: bool
    batch_size: int

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "ScrubConfig":
        from pipeline.config import require_fields

        return cls(**require_fields(cls, cfg, "scrub"))


def run(input_path: Path, output_path: Path, metrics_path: Path, cfg: ScrubConfig, nlp: Any = None,
        say: Say | None = None, cache_dir: Path | None = None) -> pd.DataFrame:
    """Scrub the passages of the kinds switched on in `cfg`; write the table and metrics.

    Survey rows also get their `meta_*` values scrubbed (free-text metadata can hold
    personal data); `respondent_id` and the other provenance columns are left alone.
    `nlp` is used for PER entities only when `cfg.ner` is on. With `cache_dir`, texts
    scrubbed before with the same settings and code are read back from the cache, and
    deduce is only loaded when something is new.
    """
    import importlib.metadata as md

    from pipeline.cache import ContentCache, file_digest

    say = resolve_say(say, log)
    df = read_table(input_path, PASSAGES).reset_index(drop=True)
    scrubber = Scrubber(use_deduce=cfg.deduce, nlp=nlp if cfg.ner else None, batch_size=cfg.batch_size)

    kinds = {k for k, on in (("survey", cfg.surveys), ("document", cfg.documents)) if on}
    selected = df["kind"].isin(kinds).to_numpy()
    idx = [i for i in range(len(df)) if selected[i]]
    texts = df["text"].tolist()
    meta_cols = [c for c in df.columns if c.startswith("meta_")]
    survey_rows = [i for i in idx if df.at[i, "kind"] == "survey"]

    def present(value) -> bool:
        return not (value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip())

    # Metadata repeats a few values many times: scrub each distinct value once.
    meta_values = sorted({str(v) for col in meta_cols for v in df.loc[survey_rows, col] if present(v)})
    inputs = [texts[i] for i in idx] + meta_values

    def compute(batch: list[str]) -> list[list]:
        scrubber.fit()
        return [[out, types] for out, types in progress(scrubber.scrub_many(batch), "scrubben", total=len(batch))]

    ner_label = (f"{nlp.meta.get('name')}-{nlp.meta.get('version')}" if nlp is not None and cfg.ner else None)
    fingerprint = [{"deduce": cfg.deduce, "ner": ner_label}, md.version("deduce") if cfg.deduce else None,
                   file_digest(*_sources())]
    cache = ContentCache(cache_dir, "scrub", fingerprint)
    results = cache.map(inputs, compute)
    cache.close()

    types_per_row: list[list[str]] = [[] for _ in range(len(df))]
    for i, (out, types) in zip(idx, results[:len(idx)]):
        texts[i] = out
        types_per_row[i] = list(types)
    memo = dict(zip(meta_values, results[len(idx):]))
    meta_scrubbed = 0
    for col in meta_cols:
        values = df[col].tolist()
        for i in survey_rows:
            if not present(values[i]):
                continue
            out, types = memo[str(values[i])]
            if types:
                values[i] = out
                types_per_row[i] = types_per_row[i] + list(types)
                meta_scrubbed += 1
        df[col] = values

    df["text"] = texts
    df["scrubbed"] = selected
    df["pii_types"] = types_per_row
    df = SCRUBBED.validate(df)
    write_table(output_path, df, SCRUBBED)

    counts = Counter(t for types in types_per_row for t in types)
    metrics: dict[str, Any] = {
        "passages": len(df),
        "passages_scrubbed": int(selected.sum()),
        "passages_with_pii": sum(bool(t) for t in types_per_row),
        "meta_values_scrubbed": meta_scrubbed,
        "placeholders": sum(counts.values()),
        **{f"pii_{t.lower()}": counts.get(t, 0) for t in PII_TYPES},
        "deduce": bool(cfg.deduce),
        "ner": ner_label is not None,
        "cache_hits": cache.hits,
        "cache_misses": cache.misses,
    }
    write_json(metrics_path, metrics)
    say(f"scrub: {metrics['passages_scrubbed']} van {metrics['passages']} passages gescrubd, "
        f"{metrics['placeholders']} persoonsgegevens vervangen in {metrics['passages_with_pii']} passages "
        f"→ {output_path}")
    return df


def _sources() -> list[Path]:
    """The source files of this package, for the cache fingerprint.

    Every module here shapes a scrubbed text, so a change in any of them (a pattern, a
    name rule) must miss the cache, not only a change in this file.
    """
    return sorted(Path(__file__).parent.glob("*.py"))
