"""A stage killed halfway leaves the old output or none, never a half-written file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import factory
from tests.conftest import ROOT


def _ingest_cmd(ws: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "ingest", "--surveys", str(ws / "surveys"), "--documents",
            str(ws / "documents"), "--output", str(out), "--accounting", str(ws / "acc.json"), "--metrics",
            str(ws / "m.json"), "--params", str(ROOT / "params.yaml")]


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0, 5.0])
def test_killed_ingest_leaves_old_output_or_none(tmp_path, delay):
    (tmp_path / "surveys").mkdir()
    docs = tmp_path / "documents"
    docs.mkdir()
    rows = factory.survey_rows(20)
    factory.write_csv(tmp_path / "surveys" / "golf.csv", rows)
    factory.write_spec(tmp_path / "surveys" / "golf.yaml", "golf.csv")
    out = tmp_path / "out" / "passages.parquet"
    done = subprocess.run(_ingest_cmd(tmp_path, out), capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    old = out.read_bytes()

    # A much bigger input, so the second run is still busy when it is killed.
    for i in range(40):
        (docs / f"notitie_{i:02d}.txt").write_text(
            "\n\n".join(f"Alinea {j} over regionale samenwerking in de regio, met regie en belangen. " * 30
                        for j in range(60)), encoding="utf-8")
    proc = subprocess.Popen(_ingest_cmd(tmp_path, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT, start_new_session=True)
    time.sleep(delay)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert out.exists()
    data = out.read_bytes()
    if data != old:  # the run finished before the kill: then the new file must be complete
        import pandas as pd

        assert len(pd.read_parquet(out)) > 20 * 2
    # Never a half-written target; only hidden temporary files can be left behind.
    assert all(p.name.startswith(".") or p.name == "passages.parquet" for p in out.parent.iterdir())
