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

Spreadsheet safety: a text cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after
leading whitespace), or with a tab or line break, could run as a formula when the file
is opened. In the workbook such cells are stored as explicit strings with Excel's
quote-prefix flag, so the value is kept exactly and stays text even when edited; in the
CSV, which has no cell types, they get a leading ``'`` (`pipeline.files.csv_bytes`, in
either dialect).

Reproducibility: every timestamp (workbook properties, zip entries, QDA attributes) is
`export.timestamp`, every GUID is a UUID5 of a stable key (code id, passage id, ...), and
the zip containers are written entry by entry with fixed metadata, so a rerun on the same
input writes the same bytes. (Across machines the deflate output can still differ with
the zlib build; the content does not.)

REFI-QDA layout (QDA-XML 1.0, `Project.xsd` of March 2019 and `Codebook.xsd`):

* codes: two non-codable parents, "Oriëntaties" and "Thema's", holding the codebook codes
  (name = codebook name, description = definition); the same GUIDs in `.qdc` and `.qdpx`.
* one TextSource per survey respondent per wave (their answers under a "Vraag: <id>"
  line, separated by blank lines) and one per document (paragraphs separated by blank
  lines); parts of a split answer or paragraph are joined with a space.
* one PlainTextSelection per passage with at least one code, one Coding per code;
  positions count Unicode code points in the source text, end exclusive.
* one Case per respondent and wave, with the wave and the `meta_*` columns as Text
  variables; Sets group the sources per wave and the documents.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from lxml import etree

from pipeline.codebook import Codebook, load_codebook
from pipeline.errors import SamenspelError
from pipeline.files import CSV_DIALECTS, atomic_path, csv_bytes, csv_dialect, is_formula_like, read_table, stable_zip
from pipeline.progress import progress
from pipeline.schema import CLASSIFIED

log = logging.getLogger(__name__)

ORIGIN = "samenspel"
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PROJECT_XSD = f"{PROJECT_NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
CODEBOOK_XSD = f"{CODEBOOK_NS} http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"

#: Root of all GUIDs this stage writes; never change it, or reimports duplicate everything.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:samenspel:refi-qda")

GROUP_NAMES = {"orientatie": "Oriëntaties", "thema": "Thema's"}
GROUP_DESCRIPTIONS = {
    "orientatie": "De oriëntaties van de alliantiemanager uit het codeboek van samenspel.",
    "thema": "Thema's in regionale samenwerking uit het codeboek van samenspel.",
}
#: Colours per group (orientations blue-green, themes warm), cycled per code.
PALETTE = {
    "orientatie": ("#1F77B4", "#17BECF", "#2CA02C", "#9467BD", "#4C72B0", "#55A868"),
    "thema": ("#FF7F0E", "#D62728", "#E377C2", "#BCBD22", "#8C564B", "#DD8452"),
}
KIND_NL = {"survey": "enquête", "document": "document"}
STATUS_NL = {"ok": "inhoudelijk", "empty": "leeg", "na": "ontbrekend", "filler": "opvulling",
             "signature": "ondertekening"}
#: Statuses whose text goes into the QDA sources: what the respondent or document says.
SOURCE_STATUSES = ("ok", "filler", "signature")
UNKNOWN = "(onbekend)"
ALL_WAVES = "alle golven"

SHEETS = ("Passages", "Codes per golf", "Codes per groep", "Documenten", "Codeboek", "Verantwoording")

#: Provenance columns of the passage table and their Dutch export names.
PROVENANCE_NL = (
    ("passage_id", "passage_id"), ("source", "bron"), ("kind", "soort"), ("wave", "golf"),
    ("respondent_id", "respondent"), ("question_id", "vraag"), ("row", "rij"), ("page", "pagina"),
    ("paragraph", "alinea"), ("chunk", "deel"), ("section", "sectie"),
)

EXCEL_MAX_CHARS = 32767
# Characters XML 1.0 and Excel refuse; vertical tab and form feed (PDF page breaks) become spaces.
_SPACE_LIKE = re.compile("[\x0b\x0c]")
_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_UNCLEAN = re.compile("[\r\x0b\x0c\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # any of the above

Say = Callable[..., None]


# --------------------------------------------------------------------------- config


@dataclass
class ExportConfig:
    """Settings from the `export` section of params.yaml."""

    project_name: str
    timestamp: dt.datetime
    topic_corpora: list[str]
    csv_dialect: str  # a key of pipeline.files.CSV_DIALECTS

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "ExportConfig":
        from pipeline.config import require

        raw = {f: require(cfg, f, "export") for f in cls.__dataclass_fields__}
        name = str(raw["project_name"]).strip()
        if not name:
            raise SamenspelError("export.project_name is leeg", hint="geef het project een naam in params.yaml")
        corpora = raw["topic_corpora"] or []
        if not isinstance(corpora, list):
            raise SamenspelError("export.topic_corpora moet een lijst zijn (leeg = alle corpora)")
        csv_dialect(raw["csv_dialect"])
        return cls(project_name=name, timestamp=parse_timestamp(raw["timestamp"]),
                   topic_corpora=[str(c) for c in corpora], csv_dialect=raw["csv_dialect"])


def parse_timestamp(value: Any) -> dt.datetime:
    """A fixed export time as naive UTC, whole seconds; accepts YAML dates and ISO strings."""
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, dt.date):
        ts = dt.datetime(value.year, value.month, value.day)
    else:
        try:
            ts = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise SamenspelError(f"export.timestamp '{value}' is geen geldige datum-tijd",
                                 hint="schrijf bijvoorbeeld \"2016-06-22T00:00:00Z\"") from None
    if ts.tzinfo is not None:
        ts = ts.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if ts.year < 1980:  # zip archives cannot store earlier dates
        raise SamenspelError(f"export.timestamp '{value}' ligt voor 1980", hint="kies een latere datum")
    return ts.replace(microsecond=0)


# --------------------------------------------------------------------------- text safety


def clean_text(value: str) -> str:
    """Line breaks as LF and no characters that XML or Excel refuse; the same text everywhere."""
    if not _UNCLEAN.search(value):  # most text: nothing to do (called for every XML value)
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", _SPACE_LIKE.sub(" ", value))


# --------------------------------------------------------------------------- GUIDs


def guid(kind: str, key: str, scope: str = "") -> str:
    """A stable RFC 4122 GUID (UUID5) for one object; `scope` separates projects."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{scope}\x1f{kind}\x1f{key}"))


def code_guid(code_id: str) -> str:
    # Codes are not scoped to a project, so the .qdc and every project share their GUIDs.
    return guid("code", code_id)


def group_guid(group: str) -> str:
    return guid("group", group)


# --------------------------------------------------------------------------- inputs


def check_codes(df: pd.DataFrame, codebook: Codebook, path: Path) -> None:
    """The table must hold p_<code> and <code> for exactly the codebook's codes."""
    missing = [c for c in codebook.ids if c not in df.columns or f"p_{c}" not in df.columns]
    in_table = [c[len("p_"):] for c in df.columns if c.startswith("p_")]
    extra = [c for c in in_table if c not in codebook.ids]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"kolommen ontbreken voor code(s) {', '.join(missing)}")
        if extra:
            parts.append(f"code(s) {', '.join(extra)} staan niet in het codeboek")
        raise SamenspelError("; ".join(parts), path=path,
                             hint="codeboek en classificatie lopen uiteen; draai `dvc repro classify` opnieuw")


#: Columns of `topics.parquet` (schema `TOPICS` in pipeline.topics) that the export reads.
TOPIC_COLUMNS = ("passage_id", "corpus", "label")


def read_topic_labels(path: Path) -> pd.DataFrame:
    """passage_id, corpus and label from `topics.parquet`, checked at the boundary.

    Only these columns are checked, not the whole `TOPICS` schema: importing it from
    `pipeline.topics` loads BERTopic, which takes longer than the whole export.
    """
    try:
        topics = pd.read_parquet(path, columns=list(TOPIC_COLUMNS))
    except (OSError, ValueError, KeyError) as exc:
        raise SamenspelError(f"onderwerpen niet leesbaar ({exc})", path=path,
                             hint="draai `dvc repro topics` opnieuw") from None
    if topics[list(TOPIC_COLUMNS)].isna().any().any():
        raise SamenspelError("lege passage_id, corpus of label in de onderwerpen", path=path,
                             hint="draai `dvc repro topics` opnieuw")
    dup = topics.duplicated(["corpus", "passage_id"])
    if dup.any():
        first = topics.loc[dup].iloc[0]
        raise SamenspelError(f"passage '{first['passage_id']}' staat twee keer in corpus '{first['corpus']}'",
                             path=path, hint="draai `dvc repro topics` opnieuw")
    return topics


def topic_labels(topics_path: Path, passage_ids: pd.Series, corpora: list[str], say: Say) -> pd.DataFrame:
    """One column `onderwerp_<corpus>` with the topic label per passage (empty outside the corpus)."""
    topics = read_topic_labels(topics_path)
    available = list(dict.fromkeys(topics["corpus"]))
    wanted = corpora or available
    absent = [c for c in wanted if c not in available]
    if absent:
        say(f"let op: corpus {', '.join(absent)} komt niet voor in {topics_path} "
            f"(wel: {', '.join(available) or '-'}); kolom overgeslagen", warn=True)
    unknown = set(topics["passage_id"]) - set(passage_ids)
    if unknown:
        say(f"let op: {len(unknown)} passages in {topics_path} staan niet in de gecodeerde passages; "
            "draai `dvc repro topics` opnieuw", warn=True)
    out = pd.DataFrame(index=pd.Index(passage_ids, name="passage_id"))
    for corpus in (c for c in wanted if c in available):
        labels = topics.loc[topics["corpus"] == corpus].set_index("passage_id")["label"]
        out[f"onderwerp_{corpus}"] = labels.reindex(out.index).astype(object).where(lambda s: s.notna(), None)
    return out


def _as_list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(v) for v in value]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


# --------------------------------------------------------------------------- tables


def passage_table(df: pd.DataFrame, codebook: Codebook, topics: pd.DataFrame | None = None) -> pd.DataFrame:
    """The export table: one row per passage, Dutch column names, cleaned text.

    Columns: provenance, respondent metadata (without the `meta_` prefix), text, status,
    scrubbing, `codes`, `<code>` 0/1 and `p_<code>` per code, topic labels, evidence.
    """
    ids = codebook.ids
    out = pd.DataFrame({dst: df[src].to_numpy() for src, dst in PROVENANCE_NL})
    for col in ("row", "page", "paragraph", "chunk"):
        out[dict(PROVENANCE_NL)[col]] = df[col].astype("Int64").array
    out["soort"] = [KIND_NL.get(k, k) for k in df["kind"]]
    fixed = set(out.columns) | {"tekst", "taal", "status", "gescrubd", "persoonsgegevens", "gecodeerd", "codes",
                                "bewijs"}
    clash = [c for c in ids if c in fixed or f"p_{c}" in fixed]
    if clash:
        raise SamenspelError(f"code-id('s) {', '.join(clash)} botsen met een kolomnaam van de export",
                             hint="geef de code een ander id in het codeboek")
    taken = fixed | set(ids) | {f"p_{c}" for c in ids}
    for col in sorted(c for c in df.columns if c.startswith("meta_")):
        name = col[len("meta_"):]
        out[name if name and name not in taken else col] = df[col].to_numpy()
    out["tekst"] = [clean_text(str(t)) for t in df["text"]]
    out["taal"] = df["lang"].to_numpy()  # flagged, not dropped: 'und' = te kort om te bepalen
    out["status"] = [STATUS_NL.get(s, s) for s in df["status"]]
    out["gescrubd"] = np.where(df["scrubbed"].to_numpy(dtype=bool), "ja", "nee")
    out["persoonsgegevens"] = [", ".join(_as_list(v)) for v in df["pii_types"]]
    out["gecodeerd"] = np.where(df["classified"].to_numpy(dtype=bool), "ja", "nee")
    out["codes"] = df["codes"].to_numpy()
    for c in ids:
        out[c] = df[c].astype(int).to_numpy()
    for c in ids:
        out[f"p_{c}"] = df[f"p_{c}"].astype(float).to_numpy()
    if topics is not None:
        aligned = topics.reindex(df["passage_id"])
        for col in topics.columns:
            out[col] = aligned[col].to_numpy()
    out["bewijs"] = [clean_text(" | ".join(_as_list(v))) for v in df["evidence"]]
    return out


def _respondents(frame: pd.DataFrame) -> int:
    return len(frame[["wave", "respondent_id"]].drop_duplicates())


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _note(text: str) -> pd.DataFrame:
    return pd.DataFrame({"toelichting": [text]})


def codes_per_wave(df: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per code and wave: coded survey passages and respondents with the code, and their shares.

    The first row is the base: the number of coded passages and respondents per wave.
    """
    surveys = df[(df["kind"] == "survey") & df["classified"].astype(bool)]
    if surveys.empty:
        return _note("Geen gecodeerde enquêtepassages in de invoer.")
    waves = sorted(surveys["wave"].dropna().astype(str).unique())
    blocks = [(w, surveys[surveys["wave"] == w]) for w in waves]
    if len(waves) > 1:
        blocks.append((ALL_WAVES, surveys))
    base: dict[str, Any] = {"code": "(basis)", "naam": "Gecodeerde passages en respondenten", "groep": ""}
    rows = []
    for code in codebook.codes:
        rows.append({"code": code.id, "naam": code.name, "groep": GROUP_NAMES.get(code.group, code.group)})
    for label, sub in blocks:
        n_pass, n_resp = len(sub), _respondents(sub)
        base.update({f"{label} passages": n_pass, f"{label} aandeel passages": None,
                     f"{label} respondenten": n_resp, f"{label} aandeel respondenten": None})
        for row, code in zip(rows, codebook.codes):
            hits = sub[sub[code.id] == 1]
            row[f"{label} passages"] = len(hits)
            row[f"{label} aandeel passages"] = _share(len(hits), n_pass)
            row[f"{label} respondenten"] = _respondents(hits)
            row[f"{label} aandeel respondenten"] = _share(_respondents(hits), n_resp)
    return pd.DataFrame([base] + rows)


def codes_per_group(df: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per respondent characteristic (`meta_*`), value and wave: coded passages per code and their share."""
    surveys = df[(df["kind"] == "survey") & df["classified"].astype(bool)]
    metas = sorted(c for c in df.columns if c.startswith("meta_") and surveys[c].notna().any())
    if surveys.empty or not metas:
        return _note("Geen respondentkenmerken (meta_-kolommen) bij de gecodeerde enquêtepassages.")
    waves = sorted(surveys["wave"].dropna().astype(str).unique())
    blocks = ([(ALL_WAVES, surveys)] if len(waves) > 1 else []) + [(w, surveys[surveys["wave"] == w]) for w in waves]
    ids = codebook.ids
    rows = []
    for meta in metas:
        for label, sub in blocks:
            values = sub[meta].astype(object).where(sub[meta].notna(), UNKNOWN).astype(str)
            # Per value at once: passages, respondents (wave and id) and passages per code.
            passages = values.value_counts()
            people = pd.DataFrame({"value": values, "wave": sub["wave"], "id": sub["respondent_id"]})
            respondents = people.drop_duplicates()["value"].value_counts()
            hits = (sub[ids] == 1).groupby(values).sum()
            for value in sorted(values.unique()):
                n = int(passages[value])
                row: dict[str, Any] = {"kenmerk": meta[len("meta_"):], "waarde": value, "golf": label,
                                       "gecodeerde passages": n, "respondenten": int(respondents[value])}
                for code in ids:
                    k = int(hits.at[value, code])
                    row[f"{code} passages"] = k
                    row[f"{code} aandeel"] = _share(k, n)
                rows.append(row)
    return pd.DataFrame(rows)


def _place(page: Any, paragraph: Any) -> str:
    parts = []
    if not _missing(page):
        parts.append(f"p. {int(page)}")
    if not _missing(paragraph):
        parts.append(f"alinea {int(paragraph)}")
    return ", ".join(parts) or "?"


def documents_table(df: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per document and code: passages with the code and where they are (page, paragraph)."""
    docs = df[df["kind"] == "document"]
    if docs.empty:
        return _note("Geen documenten in de invoer.")
    rows = []
    for source in dict.fromkeys(docs["source"]):
        doc = docs[docs["source"] == source].sort_values(["paragraph", "chunk"], kind="stable")
        n = int(doc["classified"].astype(bool).sum())
        found = False
        for code in codebook.codes:
            hits = doc[doc[code.id] == 1]
            if hits.empty:
                continue
            found = True
            places = dict.fromkeys(_place(p, a) for p, a in zip(hits["page"], hits["paragraph"]))
            rows.append({"document": source, "code": code.id, "naam": code.name, "passages met code": len(hits),
                         "gecodeerde passages": n, "aandeel": _share(len(hits), n),
                         "vindplaatsen": "; ".join(places)})
        if not found:
            rows.append({"document": source, "code": "", "naam": "(geen codes)", "passages met code": 0,
                         "gecodeerde passages": n, "aandeel": _share(0, n), "vindplaatsen": ""})
    return pd.DataFrame(rows)


def codebook_table(codebook: Codebook) -> pd.DataFrame:
    return pd.DataFrame([{"id": c.id, "groep": GROUP_NAMES.get(c.group, c.group), "naam": c.name,
                          "definitie": c.definition, "indicatoren": ", ".join(c.indicators)}
                         for c in codebook.codes])


def accounting(df: pd.DataFrame, codebook: Codebook, cfg: ExportConfig, classified_path: Path,
               topic_columns: list[str]) -> dict[str, Any]:
    """The counts behind the export, also returned as the stage summary."""
    surveys, docs = df[df["kind"] == "survey"], df[df["kind"] == "document"]
    classified = df["classified"].astype(bool)
    status = df["status"].value_counts()
    return {
        "passages": len(df),
        "survey_passages": len(surveys),
        "document_passages": len(docs),
        "waves": sorted(surveys["wave"].dropna().astype(str).unique()),
        "respondents": _respondents(surveys),
        "documents": int(docs["source"].nunique()),
        "classified": int(classified.sum()),
        "not_classified": int((~classified).sum()),
        **{f"status_{s}": int(status.get(s, 0)) for s in STATUS_NL},
        "with_code": int((df["codes"] != "").sum()),
        "scrubbed": int(df["scrubbed"].astype(bool).sum()),
        "surveys_not_scrubbed": int((~surveys["scrubbed"].astype(bool)).sum()),
        "with_pii_replaced": int(sum(bool(_as_list(v)) for v in df["pii_types"])),
        "codes": len(codebook.codes),
        "codebook_version": codebook.version,
        "topic_columns": topic_columns,
        "input": classified_path.name,
        "timestamp": cfg.timestamp.isoformat() + "Z",
    }


def accounting_table(acc: dict[str, Any], cfg: ExportConfig) -> pd.DataFrame:
    rows = [
        ("Project", cfg.project_name),
        ("Exportmoment (vast, export.timestamp)", acc["timestamp"]),
        ("Invoer", acc["input"]),
        ("Codeboek", f"versie {acc['codebook_version']}, {acc['codes']} codes"),
        ("Passages", acc["passages"]),
        ("  waarvan enquêtepassages", acc["survey_passages"]),
        ("  waarvan documentpassages", acc["document_passages"]),
        ("Golven", ", ".join(acc["waves"]) or "-"),
        ("Respondenten (per golf geteld)", acc["respondents"]),
        ("Documenten", acc["documents"]),
        ("Gecodeerd (inhoudelijke passages)", acc["classified"]),
        ("Niet gecodeerd", acc["not_classified"]),
        ("  leeg", acc["status_empty"]),
        ("  ontbrekend (NA-waarde)", acc["status_na"]),
        ("  opvulling (bijv. 'weet niet')", acc["status_filler"]),
        ("  ondertekening (documenten)", acc["status_signature"]),
        ("Met minstens één code", acc["with_code"]),
        ("Gescrubde passages", acc["scrubbed"]),
        ("Passages waarin persoonsgegevens zijn vervangen", acc["with_pii_replaced"]),
        ("Enquêtepassages niet gescrubd", acc["surveys_not_scrubbed"]),
        ("Onderwerpkolommen", ", ".join(acc["topic_columns"]) or "geen (geen topics.parquet)"),
        ("Toelichting", "De tekst is de gescrubde versie: persoonsgegevens in enquêteantwoorden zijn vervangen "
                        "door plaatshouders zoals [NAAM]; de ruwe tekst zit niet in deze export."),
        ("Toelichting", "Codes zijn voorstellen van een classifier: <code> is de beslissing (1 = toegekend), "
                        "p_<code> de geschatte kans, bewijs de woorden die de doorslag gaven. Controleer ze "
                        "voordat je er conclusies aan verbindt."),
        ("Toelichting", "Aandelen zijn berekend over de gecodeerde passages (of respondenten met minstens één "
                        "gecodeerde passage) in de rij; lege, ontbrekende en opvulantwoorden tellen niet mee."),
        ("Toelichting", "Tekst die met =, +, - of @ begint, is als tekst opgeslagen en wordt nooit als formule "
                        "uitgevoerd; in passages.csv staat er een ' voor."),
        ("Toelichting", f"{', '.join(SHEETS)}; dezelfde passages staan in passages.csv en, als gecodeerde "
                        "fragmenten, in het REFI-QDA-project (.qdpx) voor ATLAS.ti, MAXQDA, NVivo en QualCoder."),
    ]
    return pd.DataFrame(rows, columns=["onderdeel", "waarde"])


# --------------------------------------------------------------------------- workbook


@dataclass
class Sheet:
    title: str
    frame: pd.DataFrame
    freeze: str = "A2"
    wrap: tuple[str, ...] = ()
    first_row_bold: bool = False


def _cell_value(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str) and len(value) > EXCEL_MAX_CHARS:  # Excel's cell limit
        value = value[: EXCEL_MAX_CHARS - 1] + "…"
    return value


def _number_format(column: str) -> str | None:
    if "aandeel" in column:
        return "0.0%"
    if column.startswith("p_"):
        return "0.000"
    return None


def _width(frame: pd.DataFrame, column: str, wrap: bool) -> float:
    if wrap:
        return 70.0
    longest = max((len(str(v)) for v in frame[column].tolist() if not _missing(v)), default=0)
    return float(min(max(max(len(str(column)), longest) + 2, 8), 50))


def fill_sheet(ws, sheet: Sheet) -> None:
    """Write a frame with a bold frozen header, an autofilter, widths, and safe text cells.

    `ws` is a write-only worksheet: rows are streamed, not kept as cell objects, which is
    several times faster and lighter for 100k passages.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    frame = sheet.frame
    columns = [str(c) for c in frame.columns]
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    formats = [_number_format(c) for c in columns]
    wrapped = [c in sheet.wrap for c in columns]
    styled = [bool(f) or w for f, w in zip(formats, wrapped)]

    def put(value: Any, j: int | None = None, font=None):
        value = _cell_value(value)
        # openpyxl would store '=...' as a formula and '#N/A' as an error
        risky = isinstance(value, str) and (is_formula_like(value) or value.startswith("=") or value in ERROR_CODES)
        if not risky and font is None and (j is None or not styled[j]):
            return value  # a plain value: no cell object needed
        cell = WriteOnlyCell(ws, value=value)
        # openpyxl makes '=...' a formula and '#N/A' an error; force text, and set Excel's
        # quote prefix so editing the cell in Excel keeps it text too.
        if risky:
            cell.data_type = "s"
            cell.quotePrefix = True
        if j is not None and formats[j] and value is not None:
            cell.number_format = formats[j]
        if j is not None and wrapped[j]:
            cell.alignment = wrap
        if font is not None:
            cell.font = font
        return cell

    for j, name in enumerate(columns, start=1):  # widths and panes go before the first row
        ws.column_dimensions[get_column_letter(j)].width = _width(frame, frame.columns[j - 1], wrapped[j - 1])
    ws.freeze_panes = sheet.freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{len(frame) + 1}"
    header = []
    for name in columns:
        cell = WriteOnlyCell(ws, value=_cell_value(name))
        if isinstance(cell.value, str) and (cell.data_type in ("f", "e") or is_formula_like(cell.value)):
            cell.data_type = "s"
            cell.quotePrefix = True
        cell.font = bold
        cell.fill = header_fill
        header.append(cell)
    ws.append(header)
    rows = progress(frame.itertuples(index=False, name=None), f"werkmap: {sheet.title}", total=len(frame))
    for i, row in enumerate(rows):
        font = bold if sheet.first_row_bold and i == 0 else None
        ws.append([put(value, j, font) for j, value in enumerate(row)])


def workbook_bytes(sheets: list[Sheet], cfg: ExportConfig) -> bytes:
    """The .xlsx with fixed document properties and zip metadata."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook(write_only=True)
    for sheet in sheets:
        fill_sheet(wb.create_sheet(sheet.title), sheet)
    wb.properties.creator = ORIGIN
    wb.properties.lastModifiedBy = ORIGIN
    wb.properties.title = cfg.project_name
    wb.properties.created = cfg.timestamp
    wb.properties.modified = cfg.timestamp
    buf = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook stamps `modified` with the current time.
    # Stored, not deflated: stable_zip below compresses every entry anyway.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as written:
        entries = [(info.filename, written.read(info)) for info in written.infolist()]
    return stable_zip(entries, cfg.timestamp.timetuple()[:6])


# --------------------------------------------------------------------------- REFI-QDA


@dataclass
class Selection:
    passage_id: str
    start: int
    end: int
    codes: list[str]
    description: str


@dataclass
class TextSource:
    key: str
    name: str
    text: str
    description: str
    group: str  # wave label or "documenten", for Sets
    selections: list[Selection] = field(default_factory=list)
    case: dict[str, str] | None = None  # variable name -> value, for survey respondents


def _decimal(p: float) -> str:
    return f"{p:.2f}".replace(".", ",")


def _selection_description(rec: dict[str, Any], codes: list[str], evidence: list[str]) -> str:
    assigned = "; ".join(f"{c} (p = {_decimal(float(rec[f'p_{c}']))})" for c in codes)
    text = f"Automatisch gecodeerd door samenspel: {assigned}."
    if evidence:
        text += " Bewijs: " + " | ".join(evidence) + "."
    return text


class _SourceText:
    """Builds a source text and records where each passage lands, in code points."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


def _add_passage(buf: _SourceText, rec: dict[str, Any], ids: list[str], selections: list[Selection]) -> None:
    """Append one passage; a coded passage becomes a selection over exactly its text."""
    start, end = buf.add(rec["_text"])
    codes = [c for c in ids if int(rec[c]) == 1]
    if codes:
        selections.append(Selection(rec["passage_id"], start, end, codes,
                                    _selection_description(rec, codes, _as_list(rec["evidence"]))))


def build_sources(df: pd.DataFrame, codebook: Codebook) -> list[TextSource]:
    """Survey respondents (per wave) and documents as text sources with coded selections.

    A respondent's source has a "Vraag: <id>" line before each answer and a blank line
    between answers; a document's source has a blank line between paragraphs. The parts
    of an answer or paragraph that ingest split on sentences are joined with a space.
    Sources keep the order in which they first occur in the table.
    """
    ids = codebook.ids
    metas = sorted(c for c in df.columns if c.startswith("meta_"))
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in df.to_dict("records"):
        rec["_text"] = clean_text(str(rec["text"])).strip()
        if rec["status"] not in SOURCE_STATUSES or not rec["_text"]:
            continue
        if rec["kind"] == "survey":
            key = ("survey", f"{rec['wave']}/{rec['respondent_id']}")
        else:
            key = ("document", str(rec["source"]))
        groups.setdefault(key, []).append(rec)

    sources: list[TextSource] = []
    for (kind, name), recs in groups.items():
        buf, selections = _SourceText(), []
        first = recs[0]
        if kind == "survey":
            previous = None
            for rec in recs:  # ingest order: question by question, parts in order
                if rec["question_id"] != previous:
                    buf.add(("\n\n" if buf.length else "") + f"Vraag: {rec['question_id']}\n")
                else:
                    buf.add(" ")
                previous = rec["question_id"]
                _add_passage(buf, rec, ids, selections)
            variables = {"golf": str(first["wave"])}
            for meta in metas:
                value = next((r[meta] for r in recs if not _missing(r[meta])), None)
                if value is not None:
                    variables[meta[len("meta_"):]] = str(value)
            sources.append(TextSource(
                key=f"survey:{name}", name=name, text=buf.text(),
                description=f"Enquête golf {first['wave']}, respondent {first['respondent_id']} ({first['source']}).",
                group=str(first["wave"]), selections=selections, case=variables))
        else:
            previous = None
            for rec in sorted(recs, key=lambda r: (_sort_int(r["paragraph"]), _sort_int(r["chunk"]))):
                if buf.length:
                    buf.add(" " if rec["paragraph"] == previous else "\n\n")
                previous = rec["paragraph"]
                _add_passage(buf, rec, ids, selections)
            sources.append(TextSource(key=f"document:{name}", name=name, text=buf.text(),
                                      description=f"Document {name}.", group="documenten", selections=selections))
    return sources


def _sort_int(value: Any) -> int:
    return -1 if _missing(value) else int(value)


def _sub(parent, ns: str, tag: str, attrs: dict[str, str] | None = None, text: str | None = None):
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for k, v in (attrs or {}).items():
        el.set(k, clean_text(v))
    if text is not None:
        el.text = clean_text(text)
    return el


def _unique_names(codebook: Codebook) -> dict[str, str]:
    names: dict[str, str] = {}
    seen = set(GROUP_NAMES.values())
    for code in codebook.codes:
        name = code.name if code.name not in seen else f"{code.name} ({code.id})"
        seen.add(name)
        names[code.id] = name
    return names


def _add_codes(codes_el, ns: str, codebook: Codebook) -> None:
    """Two non-codable parents (the codebook groups) with the codable codes below them."""
    names = _unique_names(codebook)
    for group, parent_name in GROUP_NAMES.items():
        members = codebook.group(group)
        if not members:
            continue
        parent = _sub(codes_el, ns, "Code", {"guid": group_guid(group), "name": parent_name, "isCodable": "false"})
        _sub(parent, ns, "Description", text=GROUP_DESCRIPTIONS[group])
        for i, code in enumerate(members):
            colour = PALETTE[group][i % len(PALETTE[group])]
            el = _sub(parent, ns, "Code", {"guid": code_guid(code.id), "name": names[code.id],
                                           "isCodable": "true", "color": colour})
            _sub(el, ns, "Description", text=f"{code.definition}\n(samenspel-id: {code.id})")


def _xml_bytes(root) -> bytes:
    # The declaration by hand: lxml writes it with single quotes, the QDA programs with double.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def codebook_xml(codebook: Codebook) -> bytes:
    """The REFI-QDA codebook (.qdc)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS, "xsi": XSI_NS})
    root.set("origin", ORIGIN)
    root.set(f"{{{XSI_NS}}}schemaLocation", CODEBOOK_XSD)
    _add_codes(_sub(root, CODEBOOK_NS, "Codes"), CODEBOOK_NS, codebook)
    return _xml_bytes(root)


def project_xml(sources: list[TextSource], codebook: Codebook, cfg: ExportConfig) -> tuple[bytes, dict[str, str]]:
    """project.qde and the source file name per source key (sources/<guid>.txt)."""
    ns, scope = PROJECT_NS, cfg.project_name
    when = cfg.timestamp.isoformat() + "Z"
    user = guid("user", ORIGIN, scope)
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns, "xsi": XSI_NS})
    for k, v in (("name", cfg.project_name), ("origin", ORIGIN), ("creatingUserGUID", user),
                 ("creationDateTime", when), (f"{{{XSI_NS}}}schemaLocation", PROJECT_XSD)):
        root.set(k, v)
    # Children in the order of ProjectType: Users, CodeBook, Variables, Cases, Sources,
    # Notes, Links, Sets, Graphs, Description; empty containers are left out (the schema
    # requires at least one child in each).
    _sub(_sub(root, ns, "Users"), ns, "User", {"guid": user, "name": ORIGIN})
    _add_codes(_sub(_sub(root, ns, "CodeBook"), ns, "Codes"), ns, codebook)

    variables: dict[str, str] = {}
    for src in sources:
        for name in (src.case or {}):
            variables.setdefault(name, guid("variable", name, scope))
    if variables:
        vars_el = _sub(root, ns, "Variables")
        for name, var_guid in variables.items():
            var = _sub(vars_el, ns, "Variable", {"guid": var_guid, "name": name, "typeOfVariable": "Text"})
            what = "de enquêtegolf" if name == "golf" else f"respondentkenmerk uit de enquête (meta_{name})"
            _sub(var, ns, "Description", text=f"Samenspel: {what}.")

    source_guids = {src.key: guid("source", src.key, scope) for src in sources}
    cases = [src for src in sources if src.case is not None]
    if cases:
        cases_el = _sub(root, ns, "Cases")
        for src in cases:
            case = _sub(cases_el, ns, "Case", {"guid": guid("case", src.key, scope), "name": src.name})
            for name, value in src.case.items():
                vv = _sub(case, ns, "VariableValue")
                _sub(vv, ns, "VariableRef", {"targetGUID": variables[name]})
                _sub(vv, ns, "TextValue", text=value)
            _sub(case, ns, "SourceRef", {"targetGUID": source_guids[src.key]})

    files: dict[str, str] = {}
    if sources:
        sources_el = _sub(root, ns, "Sources")
        for src in sources:
            sg = source_guids[src.key]
            files[src.key] = f"sources/{sg}.txt"
            el = _sub(sources_el, ns, "TextSource", {"guid": sg, "name": src.name,
                                                      "plainTextPath": f"internal://{sg}.txt",
                                                      "creatingUser": user, "creationDateTime": when})
            _sub(el, ns, "Description", text=src.description)
            for sel in src.selections:
                sel_el = _sub(el, ns, "PlainTextSelection", {
                    "guid": guid("selection", sel.passage_id, scope), "name": sel.passage_id,
                    "startPosition": str(sel.start), "endPosition": str(sel.end),
                    "creatingUser": user, "creationDateTime": when})
                _sub(sel_el, ns, "Description", text=sel.description)
                for code in sel.codes:
                    coding = _sub(sel_el, ns, "Coding", {"guid": guid("coding", f"{sel.passage_id}\x1f{code}", scope),
                                                         "creatingUser": user, "creationDateTime": when})
                    _sub(coding, ns, "CodeRef", {"targetGUID": code_guid(code)})

    groups = list(dict.fromkeys(src.group for src in sources))
    if groups:
        sets_el = _sub(root, ns, "Sets")
        for group in groups:
            name = "Documenten" if group == "documenten" else f"Enquête golf {group}"
            set_el = _sub(sets_el, ns, "Set", {"guid": guid("set", group, scope), "name": name})
            for src in sources:
                if src.group == group:
                    _sub(set_el, ns, "MemberSource", {"targetGUID": source_guids[src.key]})

    _sub(root, ns, "Description", text=(
        f"{cfg.project_name}: passages uit samenspel met de codes die de classifier toekende. Elke code is "
        "een voorstel: controleer en verbeter de codering in je QDA-programma. Enquêteantwoorden zijn gescrubd "
        "(persoonsgegevens vervangen door plaatshouders zoals [NAAM])."))
    return _xml_bytes(root), files


def qdpx_bytes(sources: list[TextSource], codebook: Codebook, cfg: ExportConfig) -> bytes:
    project, files = project_xml(sources, codebook, cfg)
    entries = [("project.qde", project)]
    entries += [(files[src.key], src.text.encode("utf-8")) for src in sources]
    return stable_zip(entries, cfg.timestamp.timetuple()[:6])


# --------------------------------------------------------------------------- stage


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path, suffix=path.suffix or ".tmp") as tmp:
        tmp.write_bytes(data)


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
    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
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
        _write_bytes(path, data)

    acc.update({"qda_sources": len(sources), "qda_cases": sum(s.case is not None for s in sources),
                "qda_selections": sum(len(s.selections) for s in sources),
                "qda_codings": sum(len(sel.codes) for s in sources for sel in s.selections)})
    say(f"export: {acc['passages']} passages ({acc['classified']} gecodeerd, {acc['with_code']} met een code) "
        f"→ {workbook_path}, {csv_path} (CSV-dialect {cfg.csv_dialect}); REFI-QDA: {acc['qda_sources']} bronnen, "
        f"{acc['qda_selections']} gecodeerde fragmenten → {qdpx_path} (codeboek {qdc_path})")
    return acc
