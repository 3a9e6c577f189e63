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
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pipeline import readers
from pipeline.errors import InputFileError, SamenspelError
from pipeline.files import write_json, write_table
from pipeline.progress import progress
from pipeline.readers.tabular import SurveyOptions
from pipeline.schema import PASSAGES, STATUS_SIGNATURE
from pipeline.text import normalise_answer, split_long

log = logging.getLogger(__name__)

IGNORED_NAMES = re.compile(r"^(readme|license|licence)(\.|$)", re.IGNORECASE)
#: Also ignored: hidden files, and Office owner files (~$golf.xlsx) that exist while a file is open.


@dataclass
class IngestConfig:
    """Settings from the `ingest` section of params.yaml."""

    max_passage_chars: int
    filler_answers: list[str]
    na_values: list[str]
    strict: bool
    autodetect_min_answers: int
    autodetect_min_mean_chars: int
    autodetect_min_mean_words: float
    autodetect_max_categories: int

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "IngestConfig":
        from pipeline.config import require

        return cls(**{f: require(cfg, f, "ingest") for f in cls.__dataclass_fields__})


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


# ------------------------------------------------------------------ auto-detection

_ID_NAMES = re.compile(r"^(id|respondent(_?id|nr|nummer)?|response_?id|responseid|token|resp(_?nr)?|volgnummer)$",
                       re.IGNORECASE)


def detect_id_column(df: pd.DataFrame) -> str | None:
    """The first column named like an id (respondent, ResponseId, token …) whose values are unique and filled."""
    for col in df.columns:
        if _ID_NAMES.match(str(col).strip()):
            vals = df[col].astype(str).str.strip()
            if (vals != "").all() and vals.is_unique:
                return col
    return None


def duplicate_ids(df: pd.DataFrame, rows: list[int]) -> dict[str, dict[str, list[int]]]:
    """Per column named like an id: the values that occur more than once, with their data rows.

    Such a column is not used as the id column; duplicated respondents usually mean a
    double submission, which the researcher has to hear about.
    """
    found = {}
    for col in df.columns:
        if not _ID_NAMES.match(str(col).strip()):
            continue
        vals = df[col].astype(str).str.strip().tolist()
        counts = Counter(vals)
        dups: dict[str, list[int]] = {}
        for value, row in zip(vals, rows):
            if value and counts[value] > 1:
                dups.setdefault(value, []).append(row)
        if dups:
            found[str(col)] = dups
    return found


def _duplicate_ids_note(column: str, dups: dict[str, list[int]]) -> str:
    shown = "; ".join(f"{v} (rij {', '.join(map(str, r))})" for v, r in list(dups.items())[:5])
    more = f" en {len(dups) - 5} meer" if len(dups) > 5 else ""
    return (f"{readers.WARNING_PREFIX} kolom '{column}' lijkt een id-kolom, maar heeft dubbele id's: {shown}{more}; "
            "dubbel ingestuurd? De rijnummers zijn als id gebruikt.")


# Timing columns: LimeSurvey (interviewtime, groupTime123, 12X3X45time; "Totaaltijd", "Vraag.tijd..q" in
# its R export), Qualtrics ("Duration (in seconds)", "Q5_First Click", "Q5_Page Submit").
_TIMING_NAME = re.compile(r"^interviewtime$|^grouptime|time$|tijd|^duration\b|first click|last click|page submit|"
                          r"click count", re.IGNORECASE)
_NUMBER = re.compile(r"^[-+]?\d+([.,]\d+)?([eE][-+]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
                   r"|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?$|^\d{1,2}:\d{2}(:\d{2})?$")
# A subquestion of a question with several text fields: LimeSurvey Q1_SQ001, Q1[SQ001], Q1.SQ001.
# (its R export), extraQuestions_vraag3; Qualtrics Q5_2.
_SUBQUESTION = re.compile(r"^(.+?)(?:_|\.|\[)[A-Za-z]*\d+\]?\.?$")

#: Why a column was left out (or taken), in the words the accounting and the screen use.
KIND_LABELS = {"open": "open vraag", "id": "id-kolom", "empty": "leeg", "timing": "tijdmeting",
               "number": "getallen", "date": "datums", "code": "codes of losse woorden", "choice": "keuzelijst",
               "short": "te kort"}


@dataclass
class ColumnVerdict:
    """What auto-detection made of one column of an export without YAML."""

    column: str
    kind: str  # a key of KIND_LABELS; 'open' means taken as an open question
    reason: str
    answers: int  # cells that are neither empty nor a missing value
    distinct: int

    @property
    def taken(self) -> bool:
        return self.kind == "open"


def judge_columns(df: pd.DataFrame, cfg: IngestConfig, exclude: set[str]) -> list[ColumnVerdict]:
    """Decide for every column whether it holds open answers, and say why.

    Missing values (`na_values`) and empty cells are removed first; a column is then
    judged on its distinct answers: how many there are, not which share of the rows.
    One or two long answers make an open question (an optional follow-up question is
    often that sparse). Numbers, timings, dates, codes and choice lists are left out.
    A short answer counts when another field of the same question is open
    (extraQuestJustificat_vraag3 beside _vraag4).
    """
    na_values = set(cfg.na_values)
    verdicts = []
    for col in df.columns:
        vals = df[col].astype(str).str.strip()
        vals = vals[(vals != "") & ~vals.isin(na_values)]
        distinct = pd.Series(vals.unique(), dtype=object)
        n, d = len(vals), len(distinct)
        if col in exclude:
            kind, reason = "id", "id-kolom"
        elif not n:
            kind, reason = "empty", "geen antwoorden: alleen lege cellen of ontbrekende waarden"
        elif distinct.str.match(_NUMBER).all():
            timing = bool(_TIMING_NAME.search(str(col)))
            kind, reason = ("timing", "tijdmeting (getallen)") if timing else ("number", "alleen getallen")
        elif distinct.str.match(_DATE).all():
            kind, reason = "date", "alleen datums of tijden"
        elif not distinct.str.contains(r"\s").any():
            kind, reason = "code", f"codes of losse woorden ({d} verschillende)"
        elif d <= cfg.autodetect_max_categories and n >= 2 * d:  # every value chosen twice on average
            kind, reason = "choice", f"keuzelijst: {d} waarden in {n} antwoorden"
        else:
            chars = distinct.str.len().mean()
            words = distinct.str.split().str.len().mean()
            if (d >= cfg.autodetect_min_answers and chars >= cfg.autodetect_min_mean_chars
                    and words >= cfg.autodetect_min_mean_words):
                kind, reason = "open", f"open antwoorden: {d} verschillende, gemiddeld {chars:.0f} tekens"
            else:
                kind, reason = "short", (f"te kort voor open antwoorden: {d} verschillende, gemiddeld "
                                         f"{chars:.0f} tekens en {words:.1f} woorden")
        verdicts.append(ColumnVerdict(str(col), kind, reason, n, d))
    open_questions = {m.group(1) for v in verdicts if v.taken and (m := _SUBQUESTION.match(v.column))}
    for v in verdicts:
        stem = m.group(1) if (m := _SUBQUESTION.match(v.column)) else None
        if v.kind in ("code", "short") and stem in open_questions:
            v.kind, v.reason = "open", f"kort, maar andere velden van de vraag {stem} zijn open antwoorden"
    return verdicts


def detect_open_columns(df: pd.DataFrame, cfg: IngestConfig, exclude: set[str]) -> list[str]:
    """Columns that hold open answers (see `judge_columns`)."""
    return [v.column for v in judge_columns(df, cfg, exclude) if v.taken]


def detect_metadata_columns(df: pd.DataFrame, cfg: IngestConfig, exclude: set[str]) -> list[str]:
    """Short, categorical columns worth keeping for breakdowns."""
    keep = []
    for col in df.columns:
        if col in exclude:
            continue
        vals = df[col].astype(str).str.strip()
        vals = vals[(vals != "") & ~vals.isin(cfg.na_values)]
        if 0 < vals.nunique() <= cfg.autodetect_max_categories and vals.str.len().mean() <= 40:
            keep.append(col)
    return keep


def _summary(verdicts: list[ColumnVerdict]) -> str:
    """One compact line: the open questions taken, and how many columns were left out for which reason."""
    taken = [v.column for v in verdicts if v.taken]
    names = ", ".join(taken[:6]) + (f", … (+{len(taken) - 6})" if len(taken) > 6 else "")
    left = Counter(v.kind for v in verdicts if not v.taken and v.kind != "id")
    left_text = ", ".join(f"{n} {KIND_LABELS[k]}" for k, n in left.most_common())
    return (f"{len(taken)} van {len(verdicts)} kolommen als open vraag genomen ({names or '-'})"
            + (f"; niet genomen: {left_text}" if left_text else ""))


class NoOpenColumns(InputFileError):
    """An export without YAML in which no column holds open answers; keeps the verdicts for the accounting."""

    def __init__(self, path: Path, autodetected: dict[str, Any]):
        super().__init__("geen open-antwoordkolommen herkend", path=path,
                         hint="leg een YAML naast de export met 'questions' (zie corpora/surveys/README.md); "
                              "per kolom de reden in de verantwoording")
        self.autodetected = autodetected


# ------------------------------------------------------------------ surveys


def answer_status(text: str, na_values: set[str], fillers: set[str]) -> str:
    """'empty' (only white space), 'na', 'filler' or 'ok'.

    An answer without a single letter or digit, such as only emoji or punctuation, is
    'filler': kept as a passage, but there is no text to code (`classify_file` uses this too).
    """
    stripped = text.strip()
    if not stripped:
        return "empty"
    if stripped in na_values:
        return "na"
    norm = normalise_answer(stripped)
    if not norm or norm in fillers:
        return "filler"
    return "ok"


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
            entry["notes"].append(_duplicate_ids_note(column, values))
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
        say(f"{rel}: geen YAML; {_summary(verdicts)}; id-kolom: {spec.id_column or '(rijnummer)'}; "
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

    na_values = set(spec.na_values if spec.na_values is not None else cfg.na_values)
    fillers = {normalise_answer(f) for f in cfg.filler_answers}
    counts = {"rows_read": len(df), "answers": 0, "non_empty": 0, "empty": 0, "na": 0, "filler": 0, "passages": 0}
    per_question: dict[str, dict[str, int]] = {}
    rows: list[dict] = []
    meta_cols = {_safe_meta_name(name): col for name, col in spec.metadata.items()}
    for i in range(len(df)):
        rid = ids.iloc[i]
        meta = {m: str(df[col].iloc[i]).strip() or None for m, col in meta_cols.items()}
        for qid, q in spec.questions.items():
            text = str(df[q["column"]].iloc[i])
            status = answer_status(text, na_values, fillers)
            counts["answers"] += 1
            qc = per_question.setdefault(qid, {"answers": 0, "ok": 0, "empty": 0, "na": 0, "filler": 0})
            qc["answers"] += 1
            qc[status] += 1
            if status == "ok":
                counts["non_empty"] += 1
            else:
                counts[status] += 1
            text = text.strip()
            chunks = split_long(text, cfg.max_passage_chars) if status == "ok" else [text]
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


# ------------------------------------------------------------------ documents


def ingest_document(path: Path, folder: Path, cfg: IngestConfig, say=None) -> tuple[list[dict], dict]:
    """Read one document; return passage rows and its accounting entry (with the reader's notes)."""
    reader = readers.DOCUMENT_READERS.get(path.suffix.lower())
    if reader is None:
        raise InputFileError(f"onbekend documentformaat '{path.suffix}'", path=path,
                             hint=f"ondersteund: {', '.join(sorted(readers.DOCUMENT_READERS))}")
    paragraphs = reader(path)
    root = folder.parent
    rel = path.relative_to(root).as_posix()
    doc_id = path.relative_to(folder).with_suffix("").as_posix()
    rows = []
    for n, para in enumerate(paragraphs, start=1):
        chunks = split_long(para.text, cfg.max_passage_chars)
        for c, chunk in enumerate(chunks):
            pid = f"{doc_id}/{n:04d}" + (f".{c}" if len(chunks) > 1 else "")
            rows.append({"passage_id": pid, "source": rel, "kind": "document", "wave": None,
                         "respondent_id": None, "question_id": None, "row": None, "page": para.page,
                         "paragraph": n, "chunk": c, "section": para.section, "text": chunk, "status": para.status})
    pages = sorted({p.page for p in paragraphs if p.page})
    notes = list(getattr(paragraphs, "notes", []))
    for note in notes:
        if say and note.startswith(readers.WARNING_PREFIX):
            say(f"{rel}: {note}", warn=True)
    entry = {"file": rel, "kind": "document", "status": "read", "paragraphs": len(paragraphs),
             "passages": len(rows), "signature_passages": sum(r["status"] == STATUS_SIGNATURE for r in rows),
             "pages": len(pages) or None, "notes": notes}
    if not paragraphs:
        entry["notes"].append("geen tekst gevonden")
    return rows, entry


# ------------------------------------------------------------------ stage


def _survey_specs(folder: Path) -> tuple[list[WaveSpec], list[Path], list[dict]]:
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
    say = say or (lambda msg, warn=False: (log.warning if warn else log.info)(msg))
    all_rows: list[dict] = []
    entries: list[dict] = []
    ignored: list[str] = []
    waves_seen: dict[str, str] = {}

    jobs: list[tuple[str, Any, Path]] = []
    if surveys_dir is not None:
        if not surveys_dir.is_dir():
            raise SamenspelError("map met enquêtes bestaat niet" if not surveys_dir.exists()
                                 else "dit is een bestand; geef de map met enquêtes op", path=surveys_dir)
        specs, unpaired, spec_errors = _survey_specs(surveys_dir)
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
        "passages_ok": int((df["status"] == "ok").sum()),
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
