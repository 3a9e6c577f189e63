"""CSV and tab-separated survey exports: detected encoding and delimiter."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.readers.base import SurveyTable, check_file, decode_bytes, looks_binary, survey_reader
from pipeline.readers.tabular import SurveyOptions, build_table

DELIMITERS = ";,\t"
#: Parse a one-column export with a delimiter that never occurs in survey text.
ONE_COLUMN = "\x1f"

# One answer can be a pasted document; the csv module's default limit (128 KB per field)
# would refuse the whole export.
csv.field_size_limit(2**31 - 1)


def sniff_delimiter(text: str) -> str:
    """Pick `;`, `,` or tab from the first lines; Dutch Excel writes `;`.

    The header line must hold the delimiter, so a one-column export whose answers
    contain commas is not split on them (`ONE_COLUMN` is returned).
    """
    sample = text[:20000]
    first = sample.splitlines()[0] if sample else ""
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        if found in first:
            return found
    except csv.Error:
        pass
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ONE_COLUMN


@survey_reader(".csv", ".tsv", ".tab")
def read_csv(path: Path, options: SurveyOptions | None = None) -> SurveyTable:
    options = options or SurveyOptions()
    check_file(path)
    decoded = decode_bytes(path.read_bytes(), path, options.encoding)
    text = decoded.text
    if looks_binary(text):
        raise InputFileError("bevat binaire gegevens, geen tekst", path=path, hint="controleer of de extensie klopt")
    options.notes.extend(decoded.notes)
    if not text.strip():
        raise InputFileError("bestand bevat alleen witruimte", path=path, hint="exporteer het bestand opnieuw")
    if options.delimiter is not None and (not isinstance(options.delimiter, str) or len(options.delimiter) != 1):
        raise InputFileError(f"ongeldig scheidingsteken {options.delimiter!r} in de YAML", path=path,
                             hint='gebruik één teken: ";", "," of "\\t" (tussen dubbele aanhalingstekens)')
    delimiter = options.delimiter or ("\t" if path.suffix.lower() in (".tsv", ".tab") else sniff_delimiter(text))
    options.notes.append(f"codering {decoded.encoding}, "
                         + ("één kolom" if delimiter == ONE_COLUMN else f"scheidingsteken {delimiter!r}"))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:
        raise InputFileError(f"CSV kan niet worden gelezen: {exc}", path=path,
                             hint="controleer aanhalingstekens en het scheidingsteken") from None
    return build_table(records[0], records[1:], path, options)
