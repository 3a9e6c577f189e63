"""Measuring child processes: wall time, CPU time and peak memory, plus the machine.

`run_measured` starts a command and reports

* wall time (`time.perf_counter`);
* CPU time, user + system, as the delta of `resource.getrusage(RUSAGE_CHILDREN)`
  around the child; this includes the grandchildren it waited for (the stage that
  `dvc repro` starts, spaCy's worker processes);
* peak memory two ways: `ru_maxrss` of that child from `os.wait4` (the largest
  single process among it and its waited-for descendants) and the largest sum of
  resident memory over the whole process tree, polled with psutil every 0.1 s
  (catches parallel workers that `ru_maxrss` reports one at a time);
* every output line with the second it arrived, so `dvc repro`'s
  "Running stage ..." lines time the stages inside one run.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

LIBRARIES = ("spacy", "spacy-lookups-data", "scikit-learn", "numpy", "pandas", "pyarrow", "bertopic", "umap-learn",
             "hdbscan", "deduce", "py3langid", "openpyxl", "dvc", "torch", "psutil", "matplotlib")


@dataclass
class Measurement:
    """One measured command."""

    command: list[str]
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_mb: float
    tree_peak_mb: float
    returncode: int
    lines: list[tuple[float, str]] = field(default_factory=list, repr=False)

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    @property
    def peak_mb(self) -> float:
        return max(self.maxrss_mb, self.tree_peak_mb)

    def summary(self) -> dict:
        """The numbers, rounded, without the output lines."""
        out = {k: v for k, v in asdict(self).items() if k != "lines"}
        out.update(cpu_s=self.cpu_s, peak_mb=self.peak_mb)
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


class MeasuredError(RuntimeError):
    """A measured command failed; carries its last output lines."""


def _poll_tree(pid: int, stop: threading.Event, peak: list[float], interval: float = 0.1) -> None:
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        total = 0
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            break
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total / 2**20)
        stop.wait(interval)


def _read_lines(stream, start: float, lines: list[tuple[float, str]], log) -> None:
    for line in stream:
        lines.append((time.perf_counter() - start, line.rstrip("\n")))
        if log:
            log.write(line)
            log.flush()


def run_measured(command: list[str], cwd: Path, env: dict[str, str] | None = None, log: Path | None = None,
                 check: bool = True) -> Measurement:
    """Run `command` in `cwd` and measure it; its merged stdout/stderr goes to `log`.

    Raises:
        MeasuredError: the command exited non-zero and `check` is true.
    """
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    log_fh = log.open("a", encoding="utf-8") if log else None
    if log_fh:
        log_fh.write(f"\n$ (cd {cwd} && {' '.join(command)})\n")
    lines: list[tuple[float, str]] = []
    peak = [0.0]
    stop = threading.Event()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace", bufsize=1)
    reader = threading.Thread(target=_read_lines, args=(proc.stdout, start, lines, log_fh), daemon=True)
    poller = threading.Thread(target=_poll_tree, args=(proc.pid, stop, peak), daemon=True)
    reader.start()
    poller.start()
    _, status, usage = os.wait4(proc.pid, 0)  # the rusage of this child alone
    wall = time.perf_counter() - start
    stop.set()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    reader.join(timeout=10)
    poller.join(timeout=5)
    proc.stdout.close()
    if log_fh:
        log_fh.write(f"# wall {wall:.1f} s, exit {proc.returncode}\n")
        log_fh.close()
    m = Measurement(command, wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime,
                    usage.ru_maxrss / 1024, peak[0], proc.returncode, lines)
    if check and m.returncode != 0:
        tail = "\n".join(line for _, line in lines[-15:])
        raise MeasuredError(f"`{' '.join(command)}` in {cwd} stopte met code {m.returncode}:\n{tail}")
    return m


# ------------------------------------------------------------------ machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name: str) -> str | None:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def machine() -> dict:
    """What the numbers were measured on: cores, memory, CPU, Python, library versions, date, load."""
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "libraries": {name: _version(name) for name in LIBRARIES},
        "nl_core_news_sm": _version("nl_core_news_sm"),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
