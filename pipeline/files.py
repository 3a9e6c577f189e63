"""Atomic, deterministic writing of stage outputs.

A stage that is killed halfway leaves the old output or none, never a half-written
file: everything is written to a temporary file next to the target and renamed.
The same content gives the same bytes, so DVC sees no change when nothing changed.

CSV files for people (the export's `passages.csv`, `samenspel classify INPUT --output
OUT.csv`) are written by one helper, `csv_bytes`, in the dialect `export.csv_dialect`
chooses, and with text that a spreadsheet could run as a formula neutralised.

Zip containers (the skops model, the export's workbook and REFI-QDA project, the example
corpora's XLSX and DOCX files) are written by one helper too, `stable_zip`.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

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


@contextmanager
def replace_dir(path: str | Path) -> Iterator[Path]:
    """Yield an empty folder next to `path` to write into; it replaces `path` only if the block succeeds.

    For outputs that are folders (a saved model): a run that stops while writing leaves the
    old folder as it was. A leftover from a killed run (`.<name>.tmp`) is removed first.
    """
    path = Path(path)
    tmp = path.parent / f".{path.name}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        tmp.rename(path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data`, atomically; the temporary file has the target's suffix."""
    with atomic_path(path, suffix=Path(path).suffix) as tmp:
        tmp.write_bytes(data)


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
    write_bytes(path, csv_bytes(table, dialect))


def read_table(path: str | Path, schema: Schema) -> pd.DataFrame:
    from pipeline.errors import SamenspelError

    path = Path(path)
    if not path.exists():
        raise SamenspelError("file not found", path=path, hint="run the upstream stage first (`dvc repro`)")
    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # not Parquet, or cut off
        raise SamenspelError(f"not a readable '{schema.name}' table ({type(exc).__name__}: {str(exc)[:120]})",
                             path=path, hint="run the stage that writes it again (`dvc repro`)") from None
    try:
        schema.validate(df)
    except SamenspelError as exc:  # the schema knows what is wrong; name the file it is wrong in
        if exc.path is not None:
            raise
        raise SamenspelError(exc.problem, path=path, hint=exc.hint) from None
    return df


#: A zip member's timestamp: year, month, day, hour, minute, second.
ZipDate = tuple[int, int, int, int, int, int]
#: The default timestamp of zip members written here: the earliest a zip can hold.
ZIP_EPOCH: ZipDate = (1980, 1, 1, 0, 0, 0)
# Zip members skops names after an object: its memory address ("140033014390320.npy") or a uuid (".bin").
_SKOPS_MEMBER = re.compile(r"^(?P<key>[0-9]+|[0-9a-f-]{36})(?P<suffix>\.(?:npy|npz|bin))$")
#: Fitted attributes that hold a memory address themselves. scikit-learn's text vectorizers keep
#: id(stop_words) to skip re-checking their stop words; after loading, in any process, the number
#: matches nothing and the check runs once more, whichever number it is.
ADDRESS_ATTRIBUTES = {"_stop_words_id"}


class ZipMember(NamedTuple):
    """One member of a `stable_zip`: deflated, readable by all, unless told otherwise."""

    name: str
    data: bytes
    compression: int = zipfile.ZIP_DEFLATED
    #: Unix permission bits (and file type, if any), as `stat` gives them.
    mode: int = 0o644


def stable_zip(members: Iterable[ZipMember | tuple[str, bytes]], date_time: ZipDate = ZIP_EPOCH) -> bytes:
    """A zip of `members` in the given order; a ``(name, data)`` pair is a `ZipMember` with its defaults.

    Nothing of the time, host or platform of writing gets in: every member carries
    `date_time`, is marked as written on Unix (`create_system` 3) and has its own mode,
    so the bytes depend on the members only. (The deflate output can still differ with
    the zlib build; the content does not.)
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member in members:
            name, data, compression, mode = ZipMember(*member)
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = compression
            info.create_system = 3  # as written on Unix, wherever it is written
            info.external_attr = mode << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def skops_bytes(obj: Any) -> bytes:
    """`skops.io.dumps(obj)`, made to depend on the object's content only.

    skops names objects by their memory address (`__id__` in `schema.json`, and the
    names of the array files) and stamps every zip member with the time of writing, so
    two dumps of equal models differ; a model may also hold an address itself
    (`ADDRESS_ATTRIBUTES`). Here the addresses are renumbered 1, 2, … in the order the
    schema first names them (equal addresses stay equal, so shared objects stay shared)
    and the members get a fixed timestamp. `skops.io.load` reads the result as
    it reads skops' own.
    """
    import skops.io as sio

    with zipfile.ZipFile(io.BytesIO(sio.dumps(obj))) as raw:
        infos = {info.filename: info for info in raw.infolist()}
        data = {name: raw.read(name) for name in infos}
    schema = json.loads(data.pop("schema.json"))
    numbers: dict[int | str, int] = {}
    renamed: dict[str, str] = {}

    def renumber(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                renumber(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "__id__" and type(value) is int:
                    node[key] = numbers.setdefault(value, len(numbers) + 1)
                elif key in ADDRESS_ATTRIBUTES and isinstance(value, dict) and str(value.get("content")).isdigit():
                    value["content"] = str(numbers.setdefault(int(value["content"]), len(numbers) + 1))
                    renumber(value)
                elif key == "file" and isinstance(value, str) and value in data and (m := _SKOPS_MEMBER.match(value)):
                    old = int(m["key"]) if m["key"].isdigit() else m["key"]
                    node[key] = renamed.setdefault(value, f"{numbers.setdefault(old, len(numbers) + 1)}{m['suffix']}")
                else:
                    renumber(value)

    renumber(schema)
    schema_json = json.dumps(schema, indent=2).encode("utf-8")
    members = [ZipMember("schema.json", schema_json, infos["schema.json"].compress_type)]
    # Array files in the order the schema names them; anything skops may add later keeps its name, sorted.
    order = list(renamed) + sorted(set(data) - set(renamed))
    for name in order:  # a sparse matrix's .npz is numpy's own zip, which numpy already dates 1980
        members.append(ZipMember(renamed.get(name, name), data[name], infos[name].compress_type))
    return stable_zip(members)


def write_skops(path: str | Path, obj: Any) -> None:
    """Write `obj` with skops, atomically, as bytes that depend on its content only (`skops_bytes`)."""
    write_bytes(path, skops_bytes(obj))
