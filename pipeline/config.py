"""Reading `params.yaml`: the one place where paths and settings live.

Code never repeats a default from `params.yaml`; a missing key is an error that names
the key, so a stage can't silently run with a value nobody chose.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import SamenspelError


def load_params(path: str | Path = "params.yaml") -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise SamenspelError("params.yaml niet gevonden", path=path,
                             hint="draai het commando vanuit de projectmap of geef --params op")
    with path.open(encoding="utf-8") as fh:
        try:
            data = yaml.safe_load(fh) or {}
        except yaml.YAMLError as exc:
            raise SamenspelError(f"ongeldige YAML: {exc}", path=path) from None
    return data


def section(params: dict[str, Any], name: str, path: str | Path = "params.yaml") -> dict[str, Any]:
    if name not in params or not isinstance(params[name], dict):
        raise SamenspelError(f"sectie '{name}' ontbreekt", path=path, hint="zie de README voor de parameters")
    return params[name]


def require(cfg: dict[str, Any], key: str, section_name: str) -> Any:
    if key not in cfg:
        raise SamenspelError(f"parameter '{section_name}.{key}' ontbreekt in params.yaml",
                             hint="zie de README voor alle parameters")
    return cfg[key]


def require_fields(settings: type, cfg: dict[str, Any], section_name: str) -> dict[str, Any]:
    """The value of every field of the dataclass `settings` from `cfg`, each one required.

    The dataclass is the list of keys a stage reads from its section, so a key added to
    the class is a key params.yaml must have (and dvc.yaml must list: test_dvc_deps).
    """
    return {f.name: require(cfg, f.name, section_name) for f in fields(settings)}
