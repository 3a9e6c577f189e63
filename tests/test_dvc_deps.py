"""dvc.yaml: each stage's deps list exactly the pipeline modules that shape its output.

A stage runs `samenspel <stage>`: the CLI's own imports, the imports inside that
command's function, and everything those modules import from `pipeline` (at module level
or inside functions), followed to the end. DVC only re-runs a stage when one of its deps
changes, so a module missing from the list lets a stale output stand; a module listed but
never imported re-runs the stage for nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pipeline"


def module_file(name: str) -> Path | None:
    """`pipeline.x.y` -> its file (module or package __init__), or None if it is no module."""
    rel = Path(*name.split("."))
    for cand in (ROOT / rel.with_suffix(".py"), ROOT / rel / "__init__.py"):
        if cand.exists():
            return cand
    return None


def imported_modules(nodes) -> set[str]:
    """Names of `pipeline` modules imported anywhere in `nodes` (AST nodes)."""
    found: set[str] = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Import):
                found |= {a.name for a in sub.names if a.name.split(".")[0] == "pipeline"}
            elif isinstance(sub, ast.ImportFrom) and sub.module and sub.module.split(".")[0] == "pipeline":
                found.add(sub.module)
                # `from pipeline import ingest` imports the module pipeline.ingest
                found |= {f"{sub.module}.{a.name}" for a in sub.names if module_file(f"{sub.module}.{a.name}")}
    return {m for m in found if module_file(m)}


def closure(start: set[str]) -> set[Path]:
    """Files of the modules in `start`, their parent packages and everything they import."""
    todo, seen = list(start), set()
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for k in range(1, len(parts) + 1):  # importing pipeline.readers.csv runs pipeline/__init__ and readers/__init__
            parent = ".".join(parts[:k])
            if parent not in seen and module_file(parent):
                seen.add(parent)
                tree = ast.parse(module_file(parent).read_text(encoding="utf-8"))
                todo.extend(imported_modules([tree]) - seen)
    return {module_file(m).relative_to(ROOT) for m in seen}


def stage_modules(command: str) -> set[Path]:
    """The module files `samenspel <command>` runs."""
    tree = ast.parse((PKG / "cli.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if not isinstance(n, ast.FunctionDef)]
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == command)
    return closure(imported_modules(top) | imported_modules([func])) | {Path("pipeline/cli.py")}


def stages() -> dict[str, dict]:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def covered(path: Path, deps: list[str]) -> bool:
    return any(path == Path(d) or Path(d) in path.parents for d in deps)


@pytest.mark.parametrize("name", sorted(stages()))
def test_stage_deps_list_every_module_the_stage_runs_and_no_other(name):
    stage = stages()[name]
    command = re.match(r"samenspel (\w+)", stage["cmd"]).group(1)
    deps = [d for d in stage["deps"] if not d.startswith("${")]
    runs = stage_modules(command)
    missing = sorted(str(p) for p in runs if not covered(p, deps))
    assert not missing, f"stage {name}: deps missen {missing}"
    listed = [Path(d) for d in deps if d.endswith(".py")]
    unused = sorted(str(p) for p in listed if p not in runs)
    assert not unused, f"stage {name}: deps noemen modules die de stage niet gebruikt: {unused}"


def test_the_import_walk_follows_imports_inside_functions():
    files = stage_modules("classify")
    assert Path("pipeline/model.py") in files  # imported inside classify's functions
    assert Path("pipeline/__init__.py") in files and Path("pipeline/errors.py") in files
