"""Stage `ingest`: survey exports and regional documents -> passages.

Inputs:  a folder of survey exports (CSV/TSV, XLSX, SPSS .sav), each with an optional
         wave YAML beside it, and a folder of documents (PDF, DOCX, HTML, TXT, MD).
Outputs: `passages.parquet` (schema `PASSAGES`), a detailed accounting report (JSON,
         per input file) and flat metrics (JSON).
Params:  section `ingest` of params.yaml.

Every answer cell and every document paragraph becomes a passage; empty, NA and
filler answers are kept with a status flag. A file that cannot be read is skipped and
recorded with its reason, or stops the run with `strict`. In an export without YAML every
column is judged (`judge_columns`) and the verdicts are recorded. When survey files were
given but not a single answer could be taken from them, the stage fails.

The stage entry point (`run`, `IngestConfig`) is here; the work is in the modules:

- `config`: the settings of the `ingest` section;
- `waves`: wave YAMLs, and which export each belongs to;
- `columns`: auto-detection for an export without a YAML (id, open and metadata columns);
- `surveys`: one export with its spec -> passages and its accounting entry;
- `documents`: one document -> passages and its accounting entry;
- `status`: an answer's status, shared with `samenspel classify FILE`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.errors import InputFileError, SamenspelError
from pipeline.files import write_json, write_table
from pipeline.ingest.columns import (KIND_LABELS, ColumnVerdict, NoOpenColumns, detect_id_column,
                                     detect_metadata_columns, detect_open_columns, duplicate_ids, judge_columns)
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.documents import ingest_document
from pipeline.ingest.status import AnswerStatus, codable
from pipeline.ingest.surveys import ingest_survey
from pipeline.ingest.waves import WaveSpec, load_wave_spec, survey_specs
from pipeline.progress import progress, resolve_say
from pipeline.schema import PASSAGES

__all__ = ["KIND_LABELS", "AnswerStatus", "ColumnVerdict", "IngestConfig", "NoOpenColumns", "WaveSpec", "codable",
           "detect_id_column", "detect_metadata_columns", "detect_open_columns", "duplicate_ids", "ingest_document",
           "ingest_survey", "judge_columns", "load_wave_spec", "run"]

log = logging.getLogger(__name__)

IGNORED_NAMES = re.compile(r"^(readme|license|licence)(\.|$)", re.IGNORECASE)
#: Also ignored: hidden files, and Office owner files (~$golf.xlsx) that exist while a file is open.


def _skip(entries: list, path: Path, root: Path, kind: str, exc: SamenspelError, cfg: IngestConfig, say,
          spec: Path | None = None) -> None:
    if cfg.strict:
        raise exc
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    entry = {"file": rel, "kind": kind, "status": "skipped", "reason": exc.problem, "hint": exc.hint, "passages": 0}
    if isinstance(exc, NoOpenColumns):
        entry["autodetected"] = exc.autodetected
    if kind == "survey":
        entry["spec"] = spec.name if spec else None  # the YAML to fix, e.g. for a missing column
    entries.append(entry)
    say(f"overgeslagen: {exc.one_line()}", warn=True)


def run(surveys_dir: Path | None, documents_dir: Path | None, output: Path, accounting: Path, metrics: Path,
        cfg: IngestConfig, say=None) -> pd.DataFrame:
    """Ingest every survey export and document; write passages, accounting and metrics."""
    say = resolve_say(say, log)
    all_rows: list[dict] = []
    entries: list[dict] = []
    ignored: list[str] = []
    waves_seen: dict[str, str] = {}

    jobs: list[tuple[str, Any, Path]] = []
    if surveys_dir is not None:
        if not surveys_dir.is_dir():
            raise SamenspelError("map met enquêtes bestaat niet" if not surveys_dir.exists()
                                 else "dit is een bestand; geef de map met enquêtes op", path=surveys_dir)
        specs, unpaired, spec_errors = survey_specs(surveys_dir)
        for err in spec_errors:
            _skip(entries, err["file"], surveys_dir.parent, "survey", err["error"], cfg, say)
        for spec in specs:
            jobs.append(("survey", spec, surveys_dir))
        for path in unpaired:
            if IGNORED_NAMES.match(path.name) or path.name.startswith((".", "~$")):
                ignored.append(path.relative_to(surveys_dir.parent).as_posix())
                continue
            stem = re.sub(r"\W+", "_", path.stem)
            jobs.append(("survey", WaveSpec(wave=stem, file=path, id_column=None, questions={}, metadata={}),
                         surveys_dir))
    if documents_dir is not None:
        if not documents_dir.is_dir():
            raise SamenspelError("map met documenten bestaat niet" if not documents_dir.exists()
                                 else "dit is een bestand; geef de map met documenten op", path=documents_dir)
        for path in sorted(documents_dir.rglob("*")):
            if not path.is_file():
                continue
            if IGNORED_NAMES.match(path.name) or path.name.startswith((".", "~$")):
                ignored.append(path.relative_to(documents_dir.parent).as_posix())
                continue
            jobs.append(("document", path, documents_dir))

    for kind, job, folder in progress(jobs, "inlezen", total=len(jobs)):
        root = folder.parent
        path = job.file if kind == "survey" else job
        spec = job.spec_path if kind == "survey" else None
        try:
            if kind == "survey":
                if not path.exists():
                    path, spec = job.spec_path, None  # account for the YAML: it is the file to fix
                    raise InputFileError(f"export '{job.file.name}' uit de YAML bestaat niet", path=path)
                if job.wave in waves_seen:
                    raise InputFileError(f"golf '{job.wave}' komt al voor in {waves_seen[job.wave]}", path=path,
                                         hint="geef elke golf een eigen 'wave'-label")
                rows, entry = ingest_survey(job, root, cfg, say)
                waves_seen[job.wave] = entry["file"]
            else:
                rows, entry = ingest_document(path, folder, cfg, say)
        except SamenspelError as exc:
            _skip(entries, path, root, kind, exc, cfg, say, spec)
            continue
        if cfg.strict and entry.get("rows_rejected"):
            raise InputFileError(f"{len(entry['rows_rejected'])} onbruikbare rij(en): {entry['rows_rejected'][0]}",
                                 path=path)
        all_rows.extend(rows)
        entries.append(entry)

    df = pd.DataFrame(all_rows, columns=PASSAGES.names + sorted({k for r in all_rows for k in r if k.startswith("meta_")}))
    for col in ("row", "page", "paragraph", "chunk"):
        df[col] = df[col].astype("Int64")
    write_table(output, df, PASSAGES)

    surveys = [e for e in entries if e["kind"] == "survey" and e["status"] == "read"]
    docs = [e for e in entries if e["kind"] == "document" and e["status"] == "read"]
    totals = {
        "files_read": len(surveys) + len(docs),
        "files_skipped": sum(e["status"] == "skipped" for e in entries),
        "survey_files": len(surveys),
        "survey_rows": sum(e["rows_read"] for e in surveys),
        "survey_rows_rejected": sum(len(e["rows_rejected"]) for e in surveys),
        "answers": sum(e["answers"] for e in surveys),
        "answers_non_empty": sum(e["non_empty"] for e in surveys),
        "answers_empty": sum(e["empty"] for e in surveys),
        "answers_na": sum(e["na"] for e in surveys),
        "answers_filler": sum(e["filler"] for e in surveys),
        "document_files": len(docs),
        "document_paragraphs": sum(e["paragraphs"] for e in docs),
        "passages": len(df),
        "passages_ok": int(codable(df["status"]).sum()),
    }
    write_json(accounting, {"stage": "ingest", "totals": totals, "files": entries, "ignored": ignored})
    write_json(metrics, totals)
    survey_files = sum(e["kind"] == "survey" for e in entries)
    if survey_files and not totals["answers_non_empty"] + totals["answers_filler"]:
        # Exiting 0 here would let the pipeline run on without a single survey answer.
        raise SamenspelError(f"geen enkel antwoord gelezen uit {survey_files} enquêtebestand(en)", path=surveys_dir,
                             hint=f"de reden per bestand (en per kolom) staat in {accounting}; leg een YAML met "
                                  "'questions' naast de export (zie corpora/surveys/README.md)")
    say(f"ingest: {totals['files_read']} bestanden gelezen ({totals['files_skipped']} overgeslagen) → "
        f"{totals['passages']} passages in {output}")
    return df
