"""Atomic, deterministic writing of stage outputs.

A stage that is killed halfway leaves the old output or none, never a half-written
file: everything is written to a temporary file next to the target and renamed.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pyarrow.parquet as pq

from pipeline.schema import Schema


@contextmanager
def atomic_path(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the output the permissions a normal write would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def write_table(path: str | Path, df: pd.DataFrame, schema: Schema) -> None:
    """Validate `df` against `schema` and write it as Parquet, atomically."""
    table = schema.to_arrow(df)
    with atomic_path(path, suffix=".parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")


def read_table(path: str | Path, schema: Schema) -> pd.DataFrame:
    from pipeline.errors import SamenspelError

    path = Path(path)
    if not path.exists():
        raise SamenspelError("file not found", path=path, hint="run the upstream stage first (`dvc repro`)")
    df = pd.read_parquet(path)
    schema.validate(df)
    return df
