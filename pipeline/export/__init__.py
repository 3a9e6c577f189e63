"""Stage `export`: the coded passages as an Excel workbook, a CSV and a REFI-QDA project.

Inputs:  classified passages (schema `CLASSIFIED`), the codebook, and optionally the
         topic assignments (`topics.parquet`, schema `TOPICS`).
Outputs: `samenspel.xlsx` (sheets Passages, Codes per golf, Codes per groep, Documenten,
         Codeboek, Verantwoording), `passages.csv` (the Passages sheet, in the dialect
         `csv_dialect` names), the codebook as REFI-QDA `samenspel.qdc`, and a REFI-QDA
         project `samenspel.qdpx` that ATLAS.ti, MAXQDA, NVivo and QualCoder import, with
         every coded passage as a coded selection.
Params:  section `export` of params.yaml (`project_name`, `timestamp`, `topic_corpora`,
         `csv_dialect`).

Only the passage text from `classified.parquet` is exported: survey answers there are
the scrubbed version (the raw passages of `ingest` are never read here).

Spreadsheet safety: no text cell runs as a formula when a file is opened or edited,
in the workbook nor in the CSV (see `pipeline.export.safety`).

Reproducibility: every timestamp (workbook properties, zip entries, QDA attributes) is
`export.timestamp`, every GUID is a UUID5 of a stable key (code id, passage id, ...), and
the zip containers are written entry by entry with fixed metadata (`pipeline.files.stable_zip`),
so a rerun on the same input writes the same bytes. (Across machines the deflate output can
still differ with the zlib build; the content does not.)

Modules: `config` (the params), `inputs` (code columns, topic labels), `tables` (the
sheets), `values` (empty and list cells), `safety` (text every output can hold), `xlsx`
(the workbook), `refiqda` (the QDA files and their layout); the CSV is written by
`pipeline.files.csv_bytes`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pipeline.codebook import load_codebook
from pipeline.errors import SamenspelError
from pipeline.export.config import ExportConfig
from pipeline.export.inputs import check_codes, topic_labels
from pipeline.export.refiqda import build_sources, codebook_xml, qdpx_bytes
from pipeline.export.safety import clean_text
from pipeline.export.tables import (accounting, accounting_table, codebook_table, codes_per_group, codes_per_wave,
                                    documents_table, passage_table)
from pipeline.export.xlsx import Sheet, workbook_bytes
from pipeline.files import CSV_DIALECTS, csv_bytes, read_table, write_bytes
from pipeline.progress import Say, resolve_say
from pipeline.schema import CLASSIFIED

__all__ = ["ExportConfig", "clean_text", "run"]

log = logging.getLogger(__name__)


def run(classified_path: Path, codebook_path: Path, topics_path: Path | None, workbook_path: Path,
        csv_path: Path, qdc_path: Path, qdpx_path: Path, cfg: ExportConfig, say: Say | None = None) -> dict[str, Any]:
    """Write the workbook, the CSV and the REFI-QDA codebook and project.

    Args:
        classified_path: `classified.parquet` (CLASSIFIED).
        codebook_path: `corpora/codebook.yaml`.
        topics_path: `topics.parquet` (TOPICS), or None to export without topic labels.
        workbook_path, csv_path, qdc_path, qdpx_path: the four outputs.
        cfg: the `export` settings.
        say: callback for the summary line and warnings.

    Returns:
        The counts shown on the Verantwoording sheet, plus the REFI-QDA counts.
    """
    say = resolve_say(say, log)
    classified_path, codebook_path = Path(classified_path), Path(codebook_path)
    df = read_table(classified_path, CLASSIFIED).reset_index(drop=True)
    codebook = load_codebook(codebook_path)
    check_codes(df, codebook, classified_path)
    topics = None
    if topics_path is not None:
        topics_path = Path(topics_path)
        if not topics_path.exists():
            raise SamenspelError("onderwerpen niet gevonden", path=topics_path,
                                 hint="draai eerst `dvc repro topics`, of exporteer zonder met --no-topics")
        topics = topic_labels(topics_path, df["passage_id"], cfg.topic_corpora, say)

    table = passage_table(df, codebook, topics)
    acc = accounting(df, codebook, cfg, classified_path, list(topics.columns) if topics is not None else [])
    if acc["surveys_not_scrubbed"]:
        say(f"let op: {acc['surveys_not_scrubbed']} enquêtepassages zijn niet gescrubd (scrub.surveys: false); "
            "de export kan persoonsgegevens bevatten", warn=True)

    sheets = [
        Sheet("Passages", table, freeze="B2", wrap=("tekst", "bewijs")),
        Sheet("Codes per golf", codes_per_wave(df, codebook), freeze="D2", first_row_bold=True),
        Sheet("Codes per groep", codes_per_group(df, codebook), freeze="D2"),
        Sheet("Documenten", documents_table(df, codebook), freeze="B2", wrap=("vindplaatsen",)),
        Sheet("Codeboek", codebook_table(codebook), freeze="B2", wrap=("definitie", "indicatoren")),
        Sheet("Verantwoording", accounting_table(acc, cfg), wrap=("waarde",)),
    ]
    sources = build_sources(df, codebook)
    # Everything is built before anything is written, so a failure leaves the old set intact.
    outputs = {Path(workbook_path): workbook_bytes(sheets, cfg), Path(csv_path): csv_bytes(table, CSV_DIALECTS[cfg.csv_dialect]),
               Path(qdc_path): codebook_xml(codebook), Path(qdpx_path): qdpx_bytes(sources, codebook, cfg)}
    for path, data in outputs.items():
        write_bytes(path, data)

    acc.update({"qda_sources": len(sources), "qda_cases": sum(s.case is not None for s in sources),
                "qda_selections": sum(len(s.selections) for s in sources),
                "qda_codings": sum(len(sel.codes) for s in sources for sel in s.selections)})
    say(f"export: {acc['passages']} passages ({acc['classified']} gecodeerd, {acc['with_code']} met een code) "
        f"→ {workbook_path}, {csv_path} (CSV-dialect {cfg.csv_dialect}); REFI-QDA: {acc['qda_sources']} bronnen, "
        f"{acc['qda_selections']} gecodeerde fragmenten → {qdpx_path} (codeboek {qdc_path})")
    return acc
