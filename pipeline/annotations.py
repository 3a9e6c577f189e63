"""Annotated passages (corpora/annotations/*.jsonl): reading and checking.

One JSON object per line: ``id``, ``text``, ``codes`` (list of codebook ids, possibly
empty), ``register`` (``enquete`` or ``beleid``), ``annotator``, ``split`` (``train``
or ``test``) and optionally ``date``. The ``test`` split is held out: it is never
used for training or for choosing thresholds.

Passages that were checked by blind coders also carry ``writer`` (the writer's own codes),
``coder_a`` and ``coder_b``; their ``codes`` are then the per-code majority of the three
(`majority_codes`, see corpora/annotations/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.codebook import Codebook
from pipeline.errors import SamenspelError

REQUIRED = ("id", "text", "codes", "register", "annotator", "split")
SPLITS = ("train", "test")
REGISTERS = ("enquete", "beleid")


def load_annotations(folder: str | Path, codebook: Codebook) -> pd.DataFrame:
    """All annotation files in `folder`, checked against the codebook."""
    folder = Path(folder)
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise SamenspelError("geen annotatiebestanden (*.jsonl) gevonden", path=folder)
    known = set(codebook.ids)
    records = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SamenspelError(f"regel {n}: geen geldige JSON ({exc.msg})", path=path) from None
            missing = [k for k in REQUIRED if k not in rec]
            if missing:
                raise SamenspelError(f"regel {n}: velden {missing} ontbreken", path=path)
            unknown = set(rec["codes"]) - known
            if unknown:
                raise SamenspelError(f"regel {n}: onbekende code(s) {sorted(unknown)}", path=path,
                                     hint="voeg ze toe aan corpora/codebook.yaml of corrigeer de annotatie")
            if rec["split"] not in SPLITS:
                raise SamenspelError(f"regel {n}: split '{rec['split']}' onbekend (train of test)", path=path)
            records.append({**{k: rec[k] for k in REQUIRED}, "date": rec.get("date"), "file": path.name})
    df = pd.DataFrame.from_records(records)
    dup = df["id"][df["id"].duplicated()]
    if len(dup):
        raise SamenspelError(f"dubbele annotatie-id's: {sorted(set(dup))[:5]}", path=folder)
    return df


def majority_codes(writer: list[str], coder_a: list[str], coder_b: list[str], codes: list[str]) -> list[str]:
    """The codes that at least two of writer, coder A and coder B gave, in codebook order."""
    votes = [set(writer), set(coder_a), set(coder_b)]
    return [c for c in codes if sum(c in v for v in votes) >= 2]


def label_matrix(df: pd.DataFrame, codes: list[str]):
    """0/1 matrix (n_passages, n_codes) in codebook order."""
    import numpy as np

    y = np.zeros((len(df), len(codes)), dtype=int)
    index = {c: j for j, c in enumerate(codes)}
    for i, labels in enumerate(df["codes"]):
        for c in labels:
            y[i, index[c]] = 1
    return y
