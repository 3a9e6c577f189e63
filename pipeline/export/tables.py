"""The sheets of the workbook as tables, with Dutch column names.

Passages (also written as `passages.csv`), codes per wave, codes per respondent group,
documents, the codebook, and the accounting of what was exported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.codebook import Codebook
from pipeline.dutch import distinct_places
from pipeline.errors import SamenspelError
from pipeline.export.config import ExportConfig
from pipeline.export.safety import clean_text
from pipeline.export.values import as_list
from pipeline.shares import shares

GROUP_NAMES = {"orientatie": "Oriëntaties", "thema": "Thema's"}
KIND_NL = {"survey": "enquête", "document": "document"}
STATUS_NL = {"ok": "inhoudelijk", "empty": "leeg", "na": "ontbrekend", "filler": "opvulling",
             "signature": "ondertekening"}
UNKNOWN = "(onbekend)"
ALL_WAVES = "alle golven"

SHEETS = ("Passages", "Codes per golf", "Codes per groep", "Documenten", "Codeboek", "Verantwoording")

#: Provenance columns of the passage table and their Dutch export names.
PROVENANCE_NL = (
    ("passage_id", "passage_id"), ("source", "bron"), ("kind", "soort"), ("wave", "golf"),
    ("respondent_id", "respondent"), ("question_id", "vraag"), ("row", "rij"), ("page", "pagina"),
    ("paragraph", "alinea"), ("chunk", "deel"), ("section", "sectie"),
)


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
    out["persoonsgegevens"] = [", ".join(as_list(v)) for v in df["pii_types"]]
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
    out["bewijs"] = [clean_text(" | ".join(as_list(v))) for v in df["evidence"]]
    return out


def _respondents(frame: pd.DataFrame) -> int:
    return len(frame[["wave", "respondent_id"]].drop_duplicates())


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _note(text: str) -> pd.DataFrame:
    return pd.DataFrame({"toelichting": [text]})


def _waves(surveys: pd.DataFrame) -> list[str]:
    return sorted(surveys["wave"].dropna().astype(str).unique())


def _coded_surveys(df: pd.DataFrame) -> pd.DataFrame:
    """The coded survey passages: the rows the shares of both code sheets are taken over."""
    return df[(df["kind"] == "survey") & df["classified"].astype(bool)]


def _per_wave(units: pd.DataFrame, ids: list[str], waves: list[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """(wave, code) -> (units in the wave, of them with the code), plus `ALL_WAVES` when there are several waves."""
    table = shares(units, ids, by="wave", classes=waves)
    if len(waves) > 1:
        table = pd.concat([table, shares(units, ids, overall=ALL_WAVES)], ignore_index=True)
    return {(c, col): (int(n), int(k)) for c, col, n, k in zip(table["class"], table["column"], table["n"], table["k"])}


def codes_per_wave(df: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per code and wave: coded survey passages and respondents with the code, and their shares.

    The first row is the base: the number of coded passages and respondents per wave.
    A respondent has a code when one of their passages in that wave has it.
    """
    surveys = _coded_surveys(df)
    if surveys.empty:
        return _note("Geen gecodeerde enquêtepassages in de invoer.")
    ids, waves = codebook.ids, _waves(surveys)
    respondents = surveys.groupby(["wave", "respondent_id"], as_index=False, dropna=False)[ids].max()
    units = {"passages": _per_wave(surveys, ids, waves), "respondenten": _per_wave(respondents, ids, waves)}
    base: dict[str, Any] = {"code": "(basis)", "naam": "Gecodeerde passages en respondenten", "groep": ""}
    rows = []
    for code in codebook.codes:
        rows.append({"code": code.id, "naam": code.name, "groep": GROUP_NAMES.get(code.group, code.group)})
    for label in waves + ([ALL_WAVES] if len(waves) > 1 else []):
        for unit, counts in units.items():
            base[f"{label} {unit}"] = counts[label, ids[0]][0]
            base[f"{label} aandeel {unit}"] = None
            for row, code in zip(rows, ids):
                n, k = counts[label, code]
                row[f"{label} {unit}"] = k
                row[f"{label} aandeel {unit}"] = _share(k, n)
    return pd.DataFrame([base] + rows)


def codes_per_group(df: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per respondent characteristic (`meta_*`), value and wave: coded passages per code and their share."""
    surveys = _coded_surveys(df)
    waves = _waves(surveys)
    metas = sorted(c for c in df.columns if c.startswith("meta_") and surveys[c].notna().any())
    if surveys.empty or not metas:
        return _note("Geen respondentkenmerken (meta_-kolommen) bij de gecodeerde enquêtepassages.")
    blocks = ([(ALL_WAVES, surveys)] if len(waves) > 1 else []) + [(w, surveys[surveys["wave"] == w]) for w in waves]
    ids = codebook.ids
    rows = []
    for meta in metas:
        for label, sub in blocks:
            table = shares(sub, ids, by=meta, missing=UNKNOWN)
            values = sub[meta].astype(object).where(sub[meta].notna(), UNKNOWN).astype(str)
            people = pd.DataFrame({"value": values, "wave": sub["wave"], "id": sub["respondent_id"]})
            respondents = people.drop_duplicates()["value"].value_counts()
            for value, part in table.groupby("class", sort=False):
                n = int(part["n"].iat[0])
                row: dict[str, Any] = {"kenmerk": meta[len("meta_"):], "waarde": value, "golf": label,
                                       "gecodeerde passages": n, "respondenten": int(respondents[value])}
                for code, k in zip(part["column"], part["k"]):
                    row[f"{code} passages"] = int(k)
                    row[f"{code} aandeel"] = _share(int(k), n)
                rows.append(row)
    return pd.DataFrame(rows)


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
            rows.append({"document": source, "code": code.id, "naam": code.name, "passages met code": len(hits),
                         "gecodeerde passages": n, "aandeel": _share(len(hits), n),
                         "vindplaatsen": "; ".join(distinct_places(hits, "long", fallback="?"))})
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
        "waves": _waves(surveys),
        "respondents": _respondents(surveys),
        "documents": int(docs["source"].nunique()),
        "classified": int(classified.sum()),
        "not_classified": int((~classified).sum()),
        **{f"status_{s}": int(status.get(s, 0)) for s in STATUS_NL},
        "with_code": int((df["codes"] != "").sum()),
        "scrubbed": int(df["scrubbed"].astype(bool).sum()),
        "surveys_not_scrubbed": int((~surveys["scrubbed"].astype(bool)).sum()),
        "with_pii_replaced": int(sum(bool(as_list(v)) for v in df["pii_types"])),
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
