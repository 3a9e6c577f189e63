"""Benchmark workspaces: a self-contained copy of the project that `dvc repro` runs in.

A workspace mirrors the repository layout, so the project's `dvc.yaml` and the
`paths` of its `params.yaml` work unchanged:

    ws/
      dvc.yaml, params.yaml        copies (params with the benchmark's overrides, if any)
      pipeline/                    copy of the code, because dvc.yaml lists it as deps
      corpora/codebook.yaml        copy
      corpora/annotations/         copy (train and evaluate read it; the benchmark never does)
      corpora/surveys/, documents/ written by benchmarks/generate.py
      .dvc/                        `dvc init --no-scm`

The stages run through the installed `samenspel` CLI, exactly as `dvc.yaml` calls it;
`stage_commands` renders those commands with the workspace's parameters so each stage
can also be run (and measured) on its own.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: Stages that read only the codebook and annotations: the same model serves every corpus size.
MODEL_STAGES = ("train", "evaluate")
#: What `benchmarks.generate.write_corpus` writes in the workspace root: the passages it generated.
MANIFEST = "benchmark.json"
_VAR = re.compile(r"\$\{\s*([\w.]+)\s*\}")


def create(ws: Path, overrides: dict[str, Any] | None = None, root: Path = ROOT) -> Path:
    """Make `ws` a DVC workspace with the project's pipeline; keep any corpora already there."""
    ws.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / "dvc.yaml", ws / "dvc.yaml")
    write_params(ws / "params.yaml", root / "params.yaml", overrides or {})
    if (ws / "pipeline").exists():
        shutil.rmtree(ws / "pipeline")
    shutil.copytree(root / "pipeline", ws / "pipeline", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (ws / "corpora").mkdir(exist_ok=True)
    shutil.copy2(root / "corpora" / "codebook.yaml", ws / "corpora" / "codebook.yaml")
    if not (ws / "corpora" / "annotations").exists():
        shutil.copytree(root / "corpora" / "annotations", ws / "corpora" / "annotations")
    if not (ws / ".dvc").exists():
        subprocess.run(["dvc", "init", "--no-scm", "--quiet"], cwd=ws, check=True)
    return ws


def write_params(target: Path, source: Path, overrides: dict[str, Any]) -> None:
    """Copy params.yaml; with overrides ({"nlp.n_process": 2}), write it back with those keys set."""
    if not overrides:
        shutil.copy2(source, target)
        return
    params = yaml.safe_load(source.read_text(encoding="utf-8"))
    for dotted, value in overrides.items():
        node = params
        *parents, key = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[key] = value
    header = f"# Copy of {source.name} for a samenspel benchmark workspace; changed: {', '.join(overrides)}\n"
    target.write_text(header + yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")


def load_params(ws: Path) -> dict[str, Any]:
    return yaml.safe_load((ws / "params.yaml").read_text(encoding="utf-8"))


def lookup(params: dict[str, Any], dotted: str) -> Any:
    node: Any = params
    for part in dotted.split("."):
        node = node[part]
    return node


def stage_names(ws: Path) -> list[str]:
    """Stages in dvc.yaml order (which is also a valid run order)."""
    return list(yaml.safe_load((ws / "dvc.yaml").read_text(encoding="utf-8"))["stages"])


def stage_commands(ws: Path) -> dict[str, list[str]]:
    """Each stage's `cmd` from dvc.yaml with `${...}` filled in from the workspace's params."""
    params = load_params(ws)
    stages = yaml.safe_load((ws / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    return {name: shlex.split(_VAR.sub(lambda m: str(lookup(params, m.group(1))), " ".join(spec["cmd"].split())))
            for name, spec in stages.items()}


def metrics(ws: Path, stage: str) -> dict[str, Any]:
    """The stage's metrics JSON (`paths.<stage>_metrics`), or {} when there is none yet."""
    key = f"{stage}_metrics"
    paths = load_params(ws).get("paths", {})
    path = ws / paths[key] if key in paths else ws / "metrics" / f"{stage}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def passages_in(ws: Path) -> int:
    """Passages of the workspace: from the ingest metrics after a run, else from the generator's manifest."""
    found = metrics(ws, "ingest")
    for key in ("passages", "passages_total"):
        if key in found:
            return int(found[key])
    return int(json.loads((ws / MANIFEST).read_text(encoding="utf-8"))["passages"])


def model_outputs(ws: Path) -> list[Path]:
    """Files and folders `train` and `evaluate` write (their outs and metrics in dvc.yaml)."""
    params = load_params(ws)
    stages = yaml.safe_load((ws / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    out = []
    for name in MODEL_STAGES:
        for kind in ("outs", "metrics", "plots"):
            for entry in stages[name].get(kind, []):
                target = next(iter(entry)) if isinstance(entry, dict) else entry
                out.append(Path(_VAR.sub(lambda m: str(lookup(params, m.group(1))), target)))
    return out


def copy_model(source_ws: Path, target_ws: Path) -> None:
    """Reuse a trained model: copy the outputs of train and evaluate into another workspace."""
    for rel in model_outputs(source_ws):
        src, dst = source_ws / rel, target_ws / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.exists():
            shutil.copy2(src, dst)


def code_fingerprint(root: Path = ROOT) -> str:
    """SHA-256 over pipeline/*.py, dvc.yaml and params.yaml: shows whether the code changed during a run."""
    h = hashlib.sha256()
    files = sorted((root / "pipeline").rglob("*.py")) + [root / "dvc.yaml", root / "params.yaml"]
    for path in files:
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
