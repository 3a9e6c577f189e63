"""A stage killed halfway leaves the old output or none, never a half-written file.

The writes are stopped at a known point, half of the new file's bytes on disk, rather
than after a guessed delay: a hook in place of `pyarrow.parquet.write_table` writes the
first half into the temporary file that `pipeline.files.atomic_path` handed out, says
so, and then raises (in the test's process) or waits to be killed (the real CLI).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import files
from pipeline.schema import Column, Schema
from tests import factory
from tests.conftest import ROOT


class Stopped(Exception):
    pass


def _ingest_args(ws: Path, out: Path) -> list[str]:
    return ["ingest", "--surveys", str(ws / "surveys"), "--documents", str(ws / "documents"), "--output", str(out),
            "--accounting", str(ws / "acc.json"), "--metrics", str(ws / "m.json"), "--params", str(ROOT / "params.yaml")]


# The CLI with the hook: half the bytes of the first Parquet file it writes, a line
# "HALF <temporary file> <bytes written> <bytes in all>" on stdout, then it waits for
# the kill (stdin stays open and empty).
HALF_THEN_WAIT = """
import io, os, sys
import pyarrow.parquet as pq

def half_then_wait(table, where, **kwargs):
    buf = io.BytesIO()
    real(table, buf, **kwargs)
    data = buf.getvalue()
    with open(where, "wb") as fh:
        fh.write(data[:len(data) // 2])
        fh.flush()
        os.fsync(fh.fileno())
    print("HALF", where, len(data) // 2, len(data), flush=True)
    sys.stdin.read()
    raise SystemExit("not killed")

real, pq.write_table = pq.write_table, half_then_wait
from pipeline.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "surveys").mkdir()
    (tmp_path / "documents").mkdir()
    factory.write_csv(tmp_path / "surveys" / "golf.csv", factory.survey_rows(20))
    factory.write_spec(tmp_path / "surveys" / "golf.yaml", "golf.csv")
    return tmp_path


def _old_output(ws: Path, out: Path) -> bytes:
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", *_ingest_args(ws, out)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    # New input, so the next run writes other bytes than these.
    (ws / "documents" / "notitie.txt").write_text(
        "\n\n".join(f"Alinea {j} over regionale samenwerking, met regie en belangen." for j in range(30)),
        encoding="utf-8")
    return out.read_bytes()


def test_killed_ingest_leaves_the_old_output(tmp_path):
    ws = _workspace(tmp_path)
    out = tmp_path / "out" / "passages.parquet"
    old = _old_output(ws, out)

    proc = subprocess.Popen([sys.executable, "-c", HALF_THEN_WAIT, *_ingest_args(ws, out)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
                            start_new_session=True)
    try:
        lines = []
        for line in proc.stdout:  # blocks until the hook has written half the file
            lines.append(line)
            if line.startswith("HALF "):
                break
        else:
            pytest.fail(f"ingest ended before writing its output: {lines}")
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    _, where, written, total = line.split()
    partial = Path(where)
    # The kill landed mid-write: half of the new file is on disk, in the temporary file.
    assert 0 < int(written) < int(total)
    assert partial.parent == out.parent and partial.name.startswith(".passages.parquet.")
    assert partial.stat().st_size == int(written)
    # The target is the old file, byte for byte; besides it only the hidden, half-written
    # temporary file (a SIGKILL leaves no chance to remove it).
    assert out.read_bytes() == old
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(["passages.parquet", partial.name])

    # Without the kill the same run does replace the output: the old file above is not
    # just what this input gives.
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", *_ingest_args(ws, out)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() != old and len(pd.read_parquet(out)) > len(pd.read_parquet(io.BytesIO(old)))


def test_write_stopped_halfway_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "passages.parquet"
    out.write_bytes(b"old output")
    schema = Schema("t", (Column("passage_id", pa.string(), nullable=False), Column("text", pa.string())))
    df = pd.DataFrame({"passage_id": [f"p{i}" for i in range(200)], "text": [f"Alinea {i} over regie." for i in range(200)]})
    seen = []

    def half_then_raise(table, where, **kwargs):
        buf = io.BytesIO()
        real(table, buf, **kwargs)
        data = buf.getvalue()
        Path(where).write_bytes(data[:len(data) // 2])
        seen.append((Path(where), Path(where).stat().st_size, len(data)))
        raise Stopped

    real = pq.write_table
    monkeypatch.setattr(files.pq, "write_table", half_then_raise)
    with pytest.raises(Stopped):
        files.write_table(out, df, schema)
    [(partial, written, total)] = seen
    assert 0 < written < total and partial.parent == tmp_path and partial.name.startswith(".passages.parquet.")
    assert out.read_bytes() == b"old output"
    assert list(tmp_path.iterdir()) == [out]
