"""The report's inputs, read and checked at the stage boundary.

Every table is read with `pipeline.files.read_table` and its schema from
pipeline.schema (CLASSIFIED, NLP, TOPICS), so a stale or foreign file is refused here with
the schema's message, and reading never imports BERTopic or scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pipeline.errors import SamenspelError
from pipeline.files import read_table
from pipeline.progress import Say
from pipeline.schema import CLASSIFIED, NLP, TOPICS

#: The columns of `topics.parquet` (schema TOPICS) the report uses.
TOPIC_COLUMNS = ("passage_id", "corpus", "topic", "probability", "label")


@dataclass
class Wave:
    """A survey wave: its label, the date and file from its wave YAML, and its ingest accounting entry."""

    label: str
    date: str | None
    file: str | None
    entry: dict[str, Any]


def load_classified(path: Path) -> pd.DataFrame:
    """The coded passages (schema CLASSIFIED), in passage id order whatever order classify wrote."""
    df = read_table(path, CLASSIFIED)
    return df.sort_values("passage_id", kind="mergesort").reset_index(drop=True)


def load_accounting(path: Path) -> dict[str, Any]:
    """The ingest accounting; every count of the report adds up to it, so it must be there."""
    path = Path(path)
    if not path.exists():
        raise SamenspelError("verantwoording van ingest niet gevonden", path=path,
                             hint="draai eerst de ingest-stage (`dvc repro ingest`)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SamenspelError(f"ongeldige JSON: {exc}", path=path) from None
    if not isinstance(data, dict) or "files" not in data:
        raise SamenspelError("geen verantwoording van ingest (sleutel 'files' ontbreekt)", path=path)
    return data


def load_topics(path: Path | None, say: Say) -> pd.DataFrame | None:
    """The topic of each passage, or None: without topics yet the report says so in its section."""
    if path is None:
        return None
    path = Path(path)
    if not path.exists():
        say(f"report: geen onderwerpen ({path} bestaat niet); sectie Onderwerpen blijft leeg", warn=True)
        return None
    try:
        topics = read_table(path, TOPICS)
    except SamenspelError as exc:  # not Parquet, cut off, or another schema: read_table says which
        raise SamenspelError(f"geen onderwerpentabel: {exc.problem}", path=path, hint="draai `dvc repro topics` opnieuw") from None
    return topics[list(TOPIC_COLUMNS)]


@dataclass
class Annotation:
    """What the report takes from the nlp stage's output."""

    #: passage_id -> 'LABEL:text' entities (empty without NER, or when the report does not name places by NER).
    entities: dict[str, list[str]]
    #: The NLP backends that annotated the passages, for the methods section.
    backends: list[str]


def load_annotation(path: Path | None, ner: bool) -> Annotation:
    """Entities (when `ner`) and backends from one read of `nlp.parquet` (schema NLP); empty without the file."""
    if path is None or not Path(path).exists():
        return Annotation({}, [])
    nlp = read_table(path, NLP)
    entities = ({pid: list(ents) for pid, ents in zip(nlp["passage_id"], nlp["entities"]) if len(ents)}
                if ner else {})
    return Annotation(entities, sorted(set(nlp["backend"].dropna().astype(str))))


def load_evaluation(path: Path | None) -> dict[str, Any]:
    """The evaluation metrics (classifier quality per code), or {} before the evaluate stage ran."""
    if path is None or not Path(path).exists():
        return {}
    return json.loads(Path(path).read_text(encoding="utf-8"))


def waves_in_order(df: pd.DataFrame, accounting: dict[str, Any]) -> list[Wave]:
    """Survey waves in the data, oldest first (by the date in the wave YAML, else by label)."""
    entries = {str(e.get("wave")): e for e in accounting.get("files", [])
               if e.get("kind") == "survey" and e.get("status") == "read" and e.get("wave") is not None}
    labels = sorted(set(df.loc[df["kind"] == "survey", "wave"].dropna().astype(str)) | set(entries))
    waves = [Wave(w, (str(entries[w]["date"]) if entries.get(w, {}).get("date") else None),
                  entries.get(w, {}).get("file"), entries.get(w, {})) for w in labels]
    return sorted(waves, key=lambda w: (w.date or "9999-99-99", w.label))


def raw_axes(codebook_path: Path) -> dict[str, dict[str, str]]:
    """The codebook's `assen` block (axis -> value -> description), in file order.

    Read from the YAML itself: `Codebook` keeps each code's axis values, not the axes'
    order and descriptions, which the two-by-two figure and its legend need."""

    data = yaml.safe_load(Path(codebook_path).read_text(encoding="utf-8")) or {}
    axes = data.get("assen") or {}
    return {str(a): {str(k): " ".join(str(v).split()) for k, v in (vals or {}).items()} for a, vals in axes.items()}
