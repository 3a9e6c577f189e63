"""The reader contract and the checks every reader shares.

There are two kinds of readers, registered by file extension:

* survey readers turn an export into a table of strings (`SurveyTable`);
* document readers turn a document into paragraphs (`Paragraph`).

A reader raises `InputFileError` for a file it cannot read; the ingest stage turns that
into a skip with a reason (or a fatal error with `--strict`).
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import charset_normalizer
import pandas as pd
from charset_normalizer.md import mess_ratio

from pipeline.errors import InputFileError


@dataclass
class Paragraph:
    """One paragraph of a document, with where it was found."""

    text: str
    page: int | None = None
    section: str | None = None  # nested headings above it, joined with " › "
    status: str = "ok"  # or e.g. 'signature' for a passage that is only a signature block


class Paragraphs(list):
    """A document reader's paragraphs with notes for the accounting, such as a fallback it took.

    A reader may return a plain list; this one also says how the text was found.
    """

    def __init__(self, paragraphs=(), notes: list[str] | None = None):
        super().__init__(paragraphs)
        self.notes = list(notes or [])


@dataclass
class SurveyTable:
    """A survey export as strings, with the 1-based data row of each record."""

    data: pd.DataFrame
    rows: list[int]
    question_texts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # records that could not be used, with reason


SurveyReader = Callable[..., SurveyTable]
DocumentReader = Callable[[Path], list[Paragraph]]

SURVEY_READERS: dict[str, SurveyReader] = {}
DOCUMENT_READERS: dict[str, DocumentReader] = {}


def _registrar(registry: dict[str, Callable], extensions: tuple[str, ...]):
    def deco(func):
        for ext in extensions:
            registry[ext] = func
        return func

    return deco


def survey_reader(*extensions: str):
    """Register a survey reader for the given extensions (with dot, lower case)."""
    return _registrar(SURVEY_READERS, extensions)


def document_reader(*extensions: str):
    """Register a document reader for the given extensions (with dot, lower case)."""
    return _registrar(DOCUMENT_READERS, extensions)


# ---------------------------------------------------------------- shared checks

#: Limits against decompression bombs in DOCX/XLSX (both are zip files).
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200

_MAGIC = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".sav": (b"$FL2", b"$FL3"),
    ".zsav": (b"$FL3",),
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_file(path: Path) -> bytes:
    """Fail early on missing, empty or misnamed files; return the first bytes."""
    if not path.exists():
        raise InputFileError("bestand niet gevonden", path=path)
    if not path.is_file():
        raise InputFileError("dit is een map, geen bestand", path=path, hint="geef het bestand zelf op")
    if path.stat().st_size == 0:
        raise InputFileError("leeg bestand (0 bytes)", path=path, hint="exporteer het bestand opnieuw")
    with path.open("rb") as fh:
        head = fh.read(8)
    ext = path.suffix.lower()
    magic = _MAGIC.get(ext)
    if magic and not head.startswith(magic):
        if head.startswith(_OLE) and ext in (".docx", ".xlsx"):
            raise InputFileError(
                f"geen geldig {ext}-bestand: het is versleuteld met een wachtwoord of een oud Office-formaat (.doc/.xls)",
                path=path,
                hint="verwijder het wachtwoord of sla het op als " + ext,
            )
        raise InputFileError(
            f"de inhoud past niet bij de extensie {ext} (beschadigd of verkeerd hernoemd)",
            path=path,
            hint=f"open het bestand en sla het opnieuw op als {ext}",
        )
    return head


def check_zip(path: Path) -> None:
    """Refuse corrupt zips and zip bombs before a library unpacks them."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise InputFileError("beschadigd of afgekapt bestand (geen geldige zip-container)", path=path,
                             hint="exporteer het bestand opnieuw") from None
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise InputFileError(
            f"verdacht bestand: pakt uit tot {total / 1e6:.0f} MB (zip-bom?)",
            path=path,
            hint="controleer de herkomst van het bestand",
        )


#: (byte-order mark, name to report, codec for the bytes after the mark)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)


#: Notes that start with this are shown as warnings, not only kept in the accounting.
WARNING_PREFIX = "LET OP:"


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class Decoded:
    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def decode_bytes(raw: bytes, path: Path, encoding: str | None = None) -> Decoded:
    """Decode text with a given or detected encoding.

    Order: a byte-order mark (UTF-8, or UTF-16 as Excel writes "Unicode text"), then
    strict UTF-8, then charset-normalizer among the encodings Dutch exports use.
    A few stray NUL bytes are removed (and noted); binary data is refused rather than
    decoded into garbage.
    """
    if encoding:
        try:
            decoded = Decoded(raw.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputFileError(f"kan niet lezen als {encoding}: {exc}", path=path,
                                 hint="pas 'encoding' aan in de YAML of laat het weg voor automatische herkenning") from None
        if not codecs.lookup(encoding).name.startswith("utf") and not raw.isascii() and _is_utf8(raw):
            # An 8-bit codec decodes anything, so a UTF-8 file read as cp1252 gives 'Ã©' for 'é'.
            decoded.notes.append(f"{WARNING_PREFIX} opgegeven codering {encoding}, maar het bestand is geldige UTF-8; "
                                 "letters met accenten worden verminkt (bijv. 'Ã©' voor 'é'). Verwijder 'encoding' "
                                 "uit de YAML of zet het op utf-8.")
        return decoded
    for bom, name, codec in _BOMS:
        if raw.startswith(bom):
            return Decoded(raw[len(bom):].decode(codec, errors="replace"), name)
    notes: list[str] = []
    sample = raw[:65536]
    if b"\x00" in sample:
        odd = sample[1::2]
        # UTF-16 without a BOM has a regular NUL pattern.
        if odd.count(0) > 0.4 * len(odd):
            return Decoded(raw.decode("utf-16-le", errors="replace"), "utf-16-le")
        nul = raw.count(0)
        if nul > max(16, len(raw) // 1000):
            raise InputFileError("bevat binaire gegevens, geen tekst", path=path,
                                 hint="controleer of de extensie klopt")
        raw = raw.replace(b"\x00", b"")
        notes.append(f"{nul} NUL-byte(s) verwijderd")
    try:
        return Decoded(raw.decode("utf-8"), "utf-8", notes)
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(raw, cp_isolation=["cp1252", "latin_1", "iso8859_15", "mac_roman"]).best()
    enc = best.encoding if best is not None else "cp1252"
    return Decoded(raw.decode(enc, errors="replace"), enc, notes)


#: charset-normalizer's mess ratio from which decoded text is taken for random bytes. Measured: real
#: texts score at most 0.11 (156 files: the example corpora, real Dutch exports, regulations and
#: reports), random bytes without control characters 1.1 or more once there are 100 characters.
#: Below that length a real answer can score 0.6 and random bytes 0.5, so short text is not judged.
BINARY_MESS = 1.0
BINARY_MESS_MIN_CHARS = 100


def looks_binary(text: str) -> bool:
    """True for a binary file named .txt: decoded text that is mostly control characters, or that
    reads as random bytes (letters, symbols and accents at random, as cp1252 makes of any byte)."""
    if not text:
        return False
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    if bad / len(sample) > 0.05:
        return True
    return len(sample) >= BINARY_MESS_MIN_CHARS and mess_ratio(sample, BINARY_MESS) >= BINARY_MESS
