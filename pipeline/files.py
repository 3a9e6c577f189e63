"""Atomic, deterministic writing of stage outputs.

A stage that is killed halfway leaves the old output or none, never a half-written
file: everything is written to a temporary file next to the target and renamed.

CSV files for people (the export's `passages.csv`, `samenspel classify INPUT --output
OUT.csv`) are written by one helper, `csv_bytes`, in the dialect `export.csv_dialect`
chooses, and with text that a spreadsheet could run as a formula neutralised.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV separates fields and writes decimals, and its encoding."""

    sep: str
    decimal: str
    encoding: str


#: The values of `export.csv_dialect`.
CSV_DIALECTS = {
    # Excel with Dutch settings splits on its list separator ';' and reads '0,5' as a number;
    # without the byte-order mark it reads UTF-8 as cp1252 ("oriÃ«ntatie").
    "nl": CsvDialect(sep=";", decimal=",", encoding="utf-8-sig"),
    # pandas, R, DuckDB and the csv module: RFC 4180's comma and decimal points. No byte-order
    # mark: R's read.csv and Python's csv module would keep it in the first column name.
    "tools": CsvDialect(sep=",", decimal=".", encoding="utf-8"),
}

_FORMULA_START = ("=", "+", "-", "@")
_BREAKS = ("\t", "\r", "\n")


def csv_dialect(name: Any, key: str = "export.csv_dialect") -> CsvDialect:
    """The dialect called `name`; a Dutch error naming `key` for anything else."""
    from pipeline.errors import SamenspelError

    if name not in CSV_DIALECTS:
        raise SamenspelError(f"{key} '{name}' bestaat niet",
                             hint=f"kies {' of '.join(CSV_DIALECTS)} (zie params.yaml)")
    return CSV_DIALECTS[name]


def is_formula_like(value: str) -> bool:
    """True when a spreadsheet could read `value` as a formula (OWASP CSV-injection list)."""
    if not value:
        return False
    return value.startswith(_BREAKS) or value.lstrip().startswith(_FORMULA_START)


def neutralise(value: Any) -> Any:
    """For CSV: prefix formula-like text with a single quote; other values unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_bytes(table: pd.DataFrame, dialect: CsvDialect) -> bytes:
    """`table` as CSV in `dialect`, LF line ends, formula-like text cells prefixed with '.

    CSV has no cell types, so the quote is the only way to keep such text from running
    as a formula; numbers are left alone (a negative number is not a formula).
    """
    safe = table.copy()
    for col in safe.columns:
        if safe[col].dtype == object:
            safe[col] = safe[col].map(neutralise)
    text = safe.to_csv(index=False, sep=dialect.sep, decimal=dialect.decimal, lineterminator="\n")
    return text.encode(dialect.encoding)


def write_csv(path: str | Path, table: pd.DataFrame, dialect: CsvDialect) -> None:
    """Write `table` with `csv_bytes`, atomically."""
    data = csv_bytes(table, dialect)
    with atomic_path(path, suffix=".csv") as tmp:
        tmp.write_bytes(data)


def read_table(path: str | Path, schema: Schema) -> pd.DataFrame:
    from pipeline.errors import SamenspelError

    path = Path(path)
    if not path.exists():
        raise SamenspelError("file not found", path=path, hint="run the upstream stage first (`dvc repro`)")
    df = pd.read_parquet(path)
    schema.validate(df)
    return df
