"""One survey export with its wave spec -> passage rows and its accounting entry."""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import readers
from pipeline.errors import InputFileError
from pipeline.ingest.columns import (NoOpenColumns, detect_id_column, detect_metadata_columns, duplicate_ids,
                                     duplicate_ids_note, judge_columns, verdicts_summary)
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.status import AnswerStatus
from pipeline.ingest.waves import WaveSpec
from pipeline.schema import STATUS_OK
from pipeline.text import split_long



def _safe_meta_name(name: str) -> str:
    return "meta_" + re.sub(r"\W+", "_", name.strip().lower()).strip("_")


def ingest_survey(spec: WaveSpec, root: Path, cfg: IngestConfig, say) -> tuple[list[dict], dict]:
    """Read one export with its spec; return passage rows and its accounting entry."""
    path = spec.file
    reader = readers.SURVEY_READERS.get(path.suffix.lower())
    if reader is None:
        raise InputFileError(f"onbekend exportformaat '{path.suffix}'", path=path,
                             hint=f"ondersteund: {', '.join(sorted(readers.SURVEY_READERS))}")
    table = reader(path, spec.options)
    df = table.data
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    for note in table.notes:
        if note.startswith(readers.WARNING_PREFIX):
            say(f"{rel}: {note}", warn=True)
    entry: dict[str, Any] = {"file": rel, "kind": "survey", "status": "read", "wave": spec.wave,
                             "spec": spec.spec_path.name if spec.spec_path else None, "notes": list(table.notes)}

    if spec.spec_path is None:  # no YAML: detect, say what was chosen and account for every column
        spec.id_column = detect_id_column(df)
        dups = {} if spec.id_column else duplicate_ids(df, table.rows)
        for column, values in dups.items():
            entry["notes"].append(duplicate_ids_note(column, values))
            say(f"{rel}: {entry['notes'][-1]}", warn=True)
        exclude = ({spec.id_column} if spec.id_column else set()) | set(dups)
        verdicts = judge_columns(df, cfg, exclude)
        for v in verdicts:
            if v.column in dups:
                v.reason = f"id-kolom met dubbele id's ({len(dups[v.column])}), niet gebruikt: rijnummers als id"
        open_cols = [v.column for v in verdicts if v.taken]
        autodetected = {"open_columns": open_cols, "id_column": spec.id_column, "duplicate_ids": dups,
                        "columns": [{**asdict(v), "taken": v.taken} for v in verdicts]}
        if not open_cols:
            raise NoOpenColumns(path, autodetected)
        spec.questions = {re.sub(r"\W+", "_", c).strip("_").lower() or f"q{i}":
                          {"column": c, "text": table.question_texts.get(c, "")} for i, c in enumerate(open_cols)}
        spec.metadata = {c: c for c in detect_metadata_columns(df, cfg, exclude | set(open_cols))}
        say(f"{rel}: geen YAML; {verdicts_summary(verdicts)}; id-kolom: {spec.id_column or '(rijnummer)'}; "
            f"metadata: {len(spec.metadata)} kolom(men); per kolom de reden in de verantwoording")
        entry["autodetected"] = {**autodetected, "metadata": list(spec.metadata)}

    wanted = [q["column"] for q in spec.questions.values()] + list(spec.metadata.values())
    if spec.id_column:
        wanted.append(spec.id_column)
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise InputFileError(
            f"kolom(men) {', '.join(repr(c) for c in missing)} bestaan niet in de export",
            path=path, hint=f"beschikbaar: {', '.join(map(str, df.columns[:25]))}; pas de YAML aan")

    if spec.id_column:
        ids = df[spec.id_column].astype(str).str.strip()
        empty_ids = [table.rows[i] for i in range(len(ids)) if not ids.iloc[i]]
        if empty_ids:
            raise InputFileError(f"lege respondent-id in rij(en) {empty_ids[:5]}", path=path,
                                 hint="vul de ids aan of kies een andere 'id_column'")
        dups = sorted(ids[ids.duplicated()].unique())
        if dups:
            raise InputFileError(f"dubbele respondent-id's: {', '.join(dups[:5])}"
                                 + (f" (en {len(dups) - 5} meer)" if len(dups) > 5 else ""), path=path,
                                 hint="maak de ids uniek of kies een andere 'id_column' in de YAML")
    else:
        ids = pd.Series([f"r{r}" for r in table.rows], index=df.index)

    answer_status = AnswerStatus.from_config(cfg, spec.na_values)
    counts = {"rows_read": len(df), "answers": 0, "non_empty": 0, "empty": 0, "na": 0, "filler": 0, "passages": 0}
    per_question: dict[str, dict[str, int]] = {}
    rows: list[dict] = []
    meta_cols = {_safe_meta_name(name): col for name, col in spec.metadata.items()}
    for i in range(len(df)):
        rid = ids.iloc[i]
        meta = {m: str(df[col].iloc[i]).strip() or None for m, col in meta_cols.items()}
        for qid, q in spec.questions.items():
            text = str(df[q["column"]].iloc[i])
            status = answer_status(text)
            counts["answers"] += 1
            qc = per_question.setdefault(qid, {"answers": 0, "ok": 0, "empty": 0, "na": 0, "filler": 0})
            qc["answers"] += 1
            qc[status] += 1
            if status == STATUS_OK:
                counts["non_empty"] += 1
            else:
                counts[status] += 1
            text = text.strip()
            chunks = split_long(text, cfg.max_passage_chars) if status == STATUS_OK else [text]
            for c, chunk in enumerate(chunks):
                pid = f"{spec.wave}/{rid}/{qid}" + (f"#{c}" if len(chunks) > 1 else "")
                rows.append({"passage_id": pid, "source": rel, "kind": "survey", "wave": spec.wave,
                             "respondent_id": rid, "question_id": qid, "row": table.rows[i], "page": None,
                             "paragraph": None, "chunk": c, "section": None, "text": chunk, "status": status,
                             **meta})
                counts["passages"] += 1
    entry.update(counts)
    entry["questions"] = {qid: {**per_question.get(qid, {}), "column": q["column"], "text": q["text"]}
                          for qid, q in spec.questions.items()}
    entry["rows_rejected"] = table.rejected
    entry["date"] = spec.date
    return rows, entry
