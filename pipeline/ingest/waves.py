"""Wave YAMLs: what the YAML beside a survey export says, and which export it belongs to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline import readers
from pipeline.errors import InputFileError, SamenspelError
from pipeline.readers.tabular import SurveyOptions


@dataclass
class WaveSpec:
    """What the YAML beside a survey export says about the wave."""

    wave: str
    file: Path
    id_column: str | None
    questions: dict[str, dict[str, str]]
    metadata: dict[str, str]
    date: str | None = None
    options: SurveyOptions = field(default_factory=SurveyOptions)
    na_values: list[str] | None = None
    spec_path: Path | None = None


_SPEC_KEYS = {"wave", "date", "file", "id_column", "questions", "metadata", "extra_header_rows", "na_values",
              "encoding", "delimiter", "sheet"}


def load_wave_spec(path: Path) -> WaveSpec:
    """Read and check a wave YAML; errors name the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputFileError(f"ongeldige YAML ({exc.__class__.__name__})", path=path) from None
    if not isinstance(data, dict):
        raise InputFileError("de YAML moet een mapping zijn (sleutel: waarde)", path=path)
    unknown = set(data) - _SPEC_KEYS
    if unknown:
        raise InputFileError(f"onbekende sleutel(s) {sorted(unknown)}", path=path,
                             hint=f"toegestaan: {', '.join(sorted(_SPEC_KEYS))}")
    for key in ("wave", "questions"):
        if key not in data:
            raise InputFileError(f"sleutel '{key}' ontbreekt", path=path, hint="zie corpora/surveys/README.md")
    questions = {}
    for qid, q in (data["questions"] or {}).items():
        if isinstance(q, str):
            q = {"column": q}
        if not isinstance(q, dict) or "column" not in q:
            raise InputFileError(f"vraag '{qid}' heeft geen 'column'", path=path)
        questions[str(qid)] = {"column": str(q["column"]), "text": str(q.get("text", ""))}
    if not questions:
        raise InputFileError("geen open vragen opgegeven onder 'questions'", path=path)
    metadata = data.get("metadata") or {}
    if isinstance(metadata, list):
        metadata = {str(m): str(m) for m in metadata}
    file = path.parent / str(data.get("file") or "")
    if not data.get("file"):
        matches = [p for p in path.parent.glob(path.stem + ".*") if p.suffix.lower() in readers.SURVEY_READERS]
        if len(matches) != 1:
            raise InputFileError("geef met 'file' aan bij welke export deze YAML hoort", path=path)
        file = matches[0]
    extra = data.get("extra_header_rows")
    if extra is not None and (type(extra) is not int or extra < 0):
        raise InputFileError(f"'extra_header_rows' moet een geheel getal van 0 of meer zijn, niet {extra!r}", path=path)
    opts = SurveyOptions(
        extra_header_rows=extra,
        sheet=data.get("sheet"),
        encoding=str(data["encoding"]) if data.get("encoding") else None,
        delimiter=data.get("delimiter"),
    )
    date = data.get("date")
    return WaveSpec(
        wave=str(data["wave"]),
        file=file,
        id_column=str(data["id_column"]) if data.get("id_column") else None,
        questions=questions,
        metadata={str(k): str(v) for k, v in metadata.items()},
        date=date.isoformat() if isinstance(date, (dt.date, dt.datetime)) else (str(date) if date else None),
        options=opts,
        na_values=[str(v) for v in data["na_values"]] if data.get("na_values") is not None else None,
        spec_path=path,
    )


def survey_specs(folder: Path) -> tuple[list[WaveSpec], list[Path], list[dict]]:
    """Pair exports with their YAMLs; return specs, exports without a YAML, errors."""
    specs, errors = [], []
    claimed: set[Path] = set()
    for yml in sorted(list(folder.rglob("*.yaml")) + list(folder.rglob("*.yml"))):
        if not yml.is_file():
            continue
        try:
            spec = load_wave_spec(yml)
        except SamenspelError as exc:
            errors.append({"file": yml, "error": exc})
            # Its export is not read with guessed columns and a guessed wave instead.
            for export in sorted(yml.parent.iterdir()):
                if export.stem == yml.stem and export.suffix.lower() in readers.SURVEY_READERS:
                    claimed.add(export.resolve())
                    errors.append({"file": export, "error": InputFileError(
                        f"hoort bij de ongeldige YAML {yml.name}", path=export, hint="herstel eerst de YAML")})
            continue
        specs.append(spec)
        claimed.add(spec.file.resolve())
    unpaired = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.resolve() not in claimed
                and p.suffix.lower() not in (".yaml", ".yml")]
    return specs, unpaired, errors
