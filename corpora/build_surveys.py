"""Build the synthetic example survey waves for samenspel.

The open answers are hand-written for this project in ``corpora/src/surveys/``
(``golf_2016.yaml``, ``golf_2026.yaml``); this script only adds the closed
metadata that the sources leave open (organisation type, function, region,
share of time spent on external collaboration), a few paradata columns, and
writes each wave in the awkward shape real survey exports arrive in:

* ``enquete_2016.csv``: cp1252, ``;`` delimiter, CRLF, quoted multi-line answers,
  an extra ``duur_sec`` column the pipeline does not keep.
* ``enquete_2026.xlsx``: LimeSurvey-style export with the full question texts in
  an extra second header row and missing answers written as ``NA``.

Each data file gets a dataset YAML (``enquete_<wave>.yaml``) describing it.
The sources are validated first (cp1252-safe, no repeated answer openings,
respondent counts, planted personal data present where ``planted_pii.yaml``
says it is). Randomness comes only from ``random.Random(seed)``.

Inputs:  corpora/src/surveys/golf_2016.yaml, golf_2026.yaml, planted_pii.yaml
Outputs: corpora/surveys/enquete_2016.{csv,yaml}, enquete_2026.{xlsx,yaml}

The xlsx is written through `pipeline.files.stable_zip`, so the samenspel package must
be installed (``make setup``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import yaml

from pipeline.files import ZipMember, stable_zip

HERE = Path(__file__).resolve().parent
DEFAULT_SRC = HERE / "src" / "surveys"
DEFAULT_OUT = HERE / "surveys"
DEFAULT_SEED = 20160515

QUESTIONS: dict[str, str] = {
    "rol": "Hoe zou je jouw rol in regionale samenwerking omschrijven?",
    "uitdaging": "Wat is voor jou de grootste uitdaging in regionale samenwerking?",
    "ontwikkeling": "Wat helpt jou het meest om je te ontwikkelen in je rol?",
}
META_QUESTIONS: dict[str, str] = {
    "organisatietype": "Bij wat voor soort organisatie werk je?",
    "functie": "Wat is je functie?",
    "regio": "In welke provincie ligt het werkgebied van je organisatie?",
    "tijd_extern": "Welk deel van je werkweek besteed je gemiddeld aan externe samenwerking?",
}

ORG_TYPES: dict[str, float] = {
    "gemeente": 0.55,
    "provincie": 0.08,
    "waterschap": 0.04,
    "regionaal samenwerkingsverband": 0.14,
    "veiligheidsregio/GGD": 0.06,
    "rijksoverheid": 0.05,
    "anders": 0.08,
}
FUNCTIONS: dict[str, float] = {
    "beleidsadviseur": 0.34,
    "manager": 0.14,
    "projectleider/programmamanager": 0.18,
    "regiocoördinator": 0.10,
    "bestuursadviseur": 0.10,
    "griffier": 0.04,
    "anders": 0.10,
}
# Rough weights by number of municipalities, so Groningen and Zeeland stay small.
PROVINCES: dict[str, float] = {
    "Groningen": 0.04,
    "Friesland": 0.05,
    "Drenthe": 0.04,
    "Overijssel": 0.08,
    "Flevoland": 0.02,
    "Gelderland": 0.15,
    "Utrecht": 0.08,
    "Noord-Holland": 0.14,
    "Zuid-Holland": 0.17,
    "Zeeland": 0.03,
    "Noord-Brabant": 0.14,
    "Limburg": 0.06,
}
# The 2016 article: more than 40% spend over 60% of the week on external
# collaboration, more than 10% spend 80-100%. Quotas keep every seed on that side.
TIME_QUOTA: dict[str, float] = {
    "0-20%": 0.11,
    "20-40%": 0.17,
    "40-60%": 0.29,
    "60-80%": 0.30,
    "80-100%": 0.13,
}
# Roles whose job *is* the collaboration tend to sit in the higher buckets.
TIME_PROPENSITY: dict[str, float] = {
    "regiocoördinator": 1.2,
    "projectleider/programmamanager": 0.6,
    "bestuursadviseur": 0.3,
    "manager": 0.1,
    "beleidsadviseur": 0.0,
    "anders": -0.2,
    "griffier": -0.6,
}
FILLERS = {"", "-", "--", ".", "nvt", "n.v.t.", "n.v.t", "geen", "weet niet", "weet ik niet", "x", "?", "geen idee"}
SOURCE_KEYS = {"org", "functie", "regio", "extern", *QUESTIONS}
MIN_RESPONDENTS = 160
SYNTHETIC_NOTE = (
    "# Fictieve enquêtegolf, geschreven voor samenspel "
    "(synthetische voorbeelddata, geen echte respondenten)."
)


@dataclass(frozen=True)
class Wave:
    """How one wave is stored and exported."""

    wave: str
    source: str
    id_prefix: str
    date: dt.date
    kind: str  # "csv" or "xlsx"


WAVES: tuple[Wave, ...] = (
    Wave("2016", "golf_2016.yaml", "R16", dt.date(2016, 5, 15), "csv"),
    Wave("2026", "golf_2026.yaml", "R26", dt.date(2026, 4, 15), "xlsx"),
)

CSV_COLUMNS = {
    "respondent_id": "id",
    "organisatietype": "organisatietype",
    "functie": "functie",
    "regio": "regio",
    "tijd_extern": "tijd_extern",
    "Q1_rol": "rol",
    "Q2_uitdaging": "uitdaging",
    "Q3_ontwikkeling": "ontwikkeling",
    "duur_sec": "duur_sec",
}
XLSX_COLUMNS = {
    "id": "id",
    "submitdate": "submitdate",
    "lastpage": "lastpage",
    "startlanguage": "startlanguage",
    "org_type": "organisatietype",
    "functie": "functie",
    "regio": "regio",
    "extern_pct": "tijd_extern",
    "rol": "rol",
    "uitdaging": "uitdaging",
    "ontwikkeling": "ontwikkeling",
}
XLSX_SECOND_ROW = {
    "id": "Antwoord ID",
    "submitdate": "Datum verstuurd",
    "lastpage": "Laatste pagina",
    "startlanguage": "Starttaal",
    "org_type": META_QUESTIONS["organisatietype"],
    "functie": META_QUESTIONS["functie"],
    "regio": META_QUESTIONS["regio"],
    "extern_pct": META_QUESTIONS["tijd_extern"],
    **QUESTIONS,
}


class SourceError(ValueError):
    """A problem in the hand-written sources, phrased for the person fixing it."""


def _weighted(rng: Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]


def _is_filler(text: str) -> bool:
    return text.strip().lower() in FILLERS


def _opening(text: str, n: int = 4) -> str | None:
    words = re.findall(r"[\wÀ-ÿ'’-]+", text.lower())
    return " ".join(words[:n]) if len(words) >= n else None


def load_wave(src_dir: Path, wave: Wave) -> list[dict[str, Any]]:
    """Read and check one wave's hand-written answers.

    Args:
        src_dir: Folder with the source YAML files.
        wave: Which wave to read.

    Returns:
        One dict per respondent, in file order; answers are stripped strings.
    """
    path = src_dir / wave.source
    if not path.is_file():
        raise SourceError(f"{path}: bronbestand ontbreekt")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if str(doc.get("golf")) != wave.wave:
        raise SourceError(f"{path}: 'golf' is {doc.get('golf')!r}, verwacht {wave.wave!r}")
    records = doc.get("respondenten") or []
    out: list[dict[str, Any]] = []
    for i, rec in enumerate(records, start=1):
        where = f"{path.name}, respondent {i}"
        unknown = set(rec) - SOURCE_KEYS
        if unknown:
            raise SourceError(f"{where}: onbekende velden {sorted(unknown)}")
        if rec.get("org") is not None and rec["org"] not in ORG_TYPES:
            raise SourceError(f"{where}: onbekend organisatietype {rec['org']!r}")
        if rec.get("functie") is not None and rec["functie"] not in FUNCTIONS:
            raise SourceError(f"{where}: onbekende functie {rec['functie']!r}")
        if rec.get("regio") is not None and rec["regio"] not in PROVINCES:
            raise SourceError(f"{where}: onbekende provincie {rec['regio']!r}")
        if rec.get("extern") is not None and rec["extern"] not in TIME_QUOTA:
            raise SourceError(f"{where}: onbekende tijdsklasse {rec['extern']!r}")
        clean = dict(rec)
        for q in QUESTIONS:
            value = rec.get(q)
            text = "" if value is None else str(value).strip()
            try:
                text.encode("cp1252")
            except UnicodeEncodeError as exc:
                raise SourceError(f"{where}, {q}: teken {text[exc.start]!r} past niet in cp1252") from exc
            clean[q] = text
        out.append(clean)
    if len(out) < MIN_RESPONDENTS:
        raise SourceError(f"{path}: {len(out)} respondenten, minimaal {MIN_RESPONDENTS} nodig")
    return out


def check_openings(waves: dict[str, list[dict[str, Any]]]) -> None:
    """Refuse answers to the same question that open with the same four words."""
    problems = []
    for q in QUESTIONS:
        seen: dict[str, str] = {}
        for wave, recs in waves.items():
            for i, rec in enumerate(recs, start=1):
                key = _opening(rec[q])
                if key is None or _is_filler(rec[q]):
                    continue
                here = f"{wave} #{i}"
                if key in seen:
                    problems.append(f"{q}: '{key}' in {seen[key]} en {here}")
                else:
                    seen[key] = here
    if problems:
        raise SourceError("antwoorden beginnen met dezelfde vier woorden:\n  " + "\n  ".join(problems))


def check_planted(src_dir: Path, waves: dict[str, list[dict[str, Any]]], prefixes: dict[str, str]) -> int:
    """Check that every value in planted_pii.yaml sits where it says.

    Returns:
        The number of planted values.
    """
    path = src_dir / "planted_pii.yaml"
    if not path.is_file():
        raise SourceError(f"{path}: lijst met geplante persoonsgegevens ontbreekt")
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for e in entries:
        wave, rid, q, value = str(e["wave"]), e["respondent_id"], e["question"], str(e["value"])
        recs = waves.get(wave)
        if recs is None or not rid.startswith(prefixes[wave] + "-"):
            raise SourceError(f"{path.name}: onbekende golf of id {wave}/{rid}")
        nr = int(rid.split("-")[1])
        if q not in QUESTIONS or not 1 <= nr <= len(recs) or value not in recs[nr - 1][q]:
            raise SourceError(f"{path.name}: {value!r} staat niet in {rid} / {q}")
    return len(entries)


def assign_metadata(recs: list[dict[str, Any]], rng: Random) -> list[dict[str, Any]]:
    """Fill organisation type, function, region and time bucket where the source is silent."""
    rows = []
    for rec in recs:
        rows.append(
            {
                "organisatietype": rec.get("org") or _weighted(rng, ORG_TYPES),
                "functie": rec.get("functie") or _weighted(rng, FUNCTIONS),
                # A few respondents skip the region question.
                "regio": rec.get("regio") or ("" if rng.random() < 0.025 else _weighted(rng, PROVINCES)),
                "tijd_extern": rec.get("extern"),
                **{q: rec[q] for q in QUESTIONS},
            }
        )
    # Fill the time buckets by quota: rank the open respondents on a noisy
    # propensity and hand out the remaining places in each bucket from low to high.
    n = len(rows)
    quota = {b: round(share * n) for b, share in TIME_QUOTA.items()}
    quota["40-60%"] += n - sum(quota.values())
    for row in rows:
        if row["tijd_extern"]:
            quota[row["tijd_extern"]] -= 1
    open_rows = [r for r in rows if not r["tijd_extern"]]
    ranked = sorted(open_rows, key=lambda r: TIME_PROPENSITY[r["functie"]] + rng.gauss(0, 1))
    buckets = [b for b, k in quota.items() for _ in range(max(k, 0))]
    buckets += ["40-60%"] * (len(ranked) - len(buckets))
    for row, bucket in zip(ranked, buckets):
        row["tijd_extern"] = bucket
    return rows


def _duration(rng: Random, row: dict[str, Any]) -> int:
    chars = sum(len(row[q]) for q in QUESTIONS)
    seconds = 75 + chars * rng.uniform(0.3, 0.9) + rng.expovariate(1 / 90)
    if rng.random() < 0.03:  # tab left open over lunch
        seconds += rng.randint(2400, 30000)
    return int(seconds)


def _submitdate(rng: Random) -> dt.datetime:
    start = dt.date(2026, 3, 2)
    while True:
        day = start + dt.timedelta(days=rng.randint(0, 38))
        if day.weekday() < 5 or rng.random() < 0.1:
            break
    hour = min(22, max(7, int(rng.gauss(12.5, 2.8))))
    return dt.datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59))


def write_csv(path: Path, wave: Wave, rows: list[dict[str, Any]], rng: Random) -> None:
    """Write the 2016 wave as a Dutch Excel-style CSV (cp1252, ';', CRLF)."""
    with path.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(list(CSV_COLUMNS))
        for i, row in enumerate(rows, start=1):
            values = {**row, "id": f"{wave.id_prefix}-{i:04d}", "duur_sec": _duration(rng, row)}
            writer.writerow([values[key] for key in CSV_COLUMNS.values()])


def write_xlsx(path: Path, wave: Wave, rows: list[dict[str, Any]], rng: Random) -> None:
    """Write the 2026 wave as a LimeSurvey-style export with a second header row."""
    from openpyxl import Workbook  # only this wave needs it

    wb = Workbook()
    ws = wb.active
    ws.title = "Resultaten"
    ws.append(list(XLSX_COLUMNS))
    ws.append([XLSX_SECOND_ROW[c] for c in XLSX_COLUMNS])
    for i, row in enumerate(rows, start=1):
        values = {
            **row,
            "id": f"{wave.id_prefix}-{i:04d}",
            "submitdate": _submitdate(rng),
            "lastpage": 3 if row["ontwikkeling"] else rng.choice([2, 3]),
            "startlanguage": "nl",
        }
        ws.append([values[key] if values[key] != "" else "NA" for key in XLSX_COLUMNS.values()])
    for letter, width in zip("ABCDEFGHIJK", (10, 19, 8, 8, 28, 28, 14, 10, 60, 60, 60)):
        ws.column_dimensions[letter].width = width
    wb.properties.creator = "samenspel corpora/build_surveys.py"
    wb.properties.title = f"Fictieve enquêtegolf {wave.wave} (synthetische voorbeelddata)"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_reproducible_zip(buffer.getvalue(), dt.datetime.combine(wave.date, dt.time(12, 0))))


def _reproducible_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """Pin the timestamps openpyxl writes (zip entries, docProps) so rebuilds are byte-identical.

    Without this every build changes the xlsx and DVC sees a new output. Each entry keeps
    the permissions openpyxl gave it.
    """
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + iso.encode() + rb"\g<2>", content)
            members.append(ZipMember(info.filename, content, mode=info.external_attr >> 16))
    return stable_zip(members, stamp.timetuple()[:6])


def write_dataset_yaml(path: Path, wave: Wave, data_file: str, columns: dict[str, str], xlsx: bool) -> None:
    """Write the dataset description the pipeline reads (hand-formatted, comment first)."""
    by_field = {field: col for col, field in columns.items()}
    q_cols = {"rol": by_field["rol"], "uitdaging": by_field["uitdaging"], "ontwikkeling": by_field["ontwikkeling"]}
    lines = [
        SYNTHETIC_NOTE,
        f'wave: "{wave.wave}"',
        f"date: {wave.date.isoformat()}",
        f"file: {data_file}",
        f"id_column: {by_field['id']}",
        "questions:",
    ]
    for key, text in QUESTIONS.items():
        lines.append(f"  {key}: {{column: {q_cols[key]}, text: {json.dumps(text, ensure_ascii=False)}}}")
    lines.append("metadata:")
    for field in META_QUESTIONS:
        lines.append(f"  {field}: {by_field[field]}")
    if xlsx:
        lines.append("extra_header_rows: 1")
        lines.append('na_values: ["NA"]')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(src_dir: Path, out_dir: Path, seed: int) -> dict[str, int]:
    """Validate the sources and write both waves.

    Args:
        src_dir: Folder with golf_2016.yaml, golf_2026.yaml and planted_pii.yaml.
        out_dir: Folder to write the data files and dataset YAMLs to.
        seed: Seed for the metadata and paradata draws.

    Returns:
        Respondent count per wave, plus the number of planted personal data values.
    """
    waves = {w.wave: load_wave(src_dir, w) for w in WAVES}
    check_openings(waves)
    n_planted = check_planted(src_dir, waves, {w.wave: w.id_prefix for w in WAVES})
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for w in WAVES:
        rng = Random(seed + int(w.wave))  # one stream per wave: editing 2026 leaves 2016 alone
        rows = assign_metadata(waves[w.wave], rng)
        if w.kind == "csv":
            data_file = f"enquete_{w.wave}.csv"
            write_csv(out_dir / data_file, w, rows, rng)
            write_dataset_yaml(out_dir / f"enquete_{w.wave}.yaml", w, data_file, CSV_COLUMNS, xlsx=False)
        else:
            data_file = f"enquete_{w.wave}.xlsx"
            write_xlsx(out_dir / data_file, w, rows, rng)
            write_dataset_yaml(out_dir / f"enquete_{w.wave}.yaml", w, data_file, XLSX_COLUMNS, xlsx=True)
        counts[w.wave] = len(rows)
    counts["planted_pii"] = n_planted
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bouw de synthetische voorbeeldenquêtes van samenspel.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed voor metadata (standaard {DEFAULT_SEED})")
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="map met de bronteksten")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="uitvoermap")
    args = parser.parse_args(argv)
    try:
        counts = run(args.src, args.out, args.seed)
    except SourceError as exc:
        print(f"fout in de bronnen: {exc}", file=sys.stderr)
        return 1
    print(
        f"{args.out}: enquete_2016.csv ({counts['2016']} respondenten), "
        f"enquete_2026.xlsx ({counts['2026']} respondenten), {counts['planted_pii']} geplante persoonsgegevens gecontroleerd"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
