"""Stage `scrub`: replace personal data in passages by typed placeholders.

Inputs:  `passages.parquet` (schema `PASSAGES`), from `ingest`.
Outputs: scrubbed passages (schema `SCRUBBED`: the same columns plus `scrubbed` and
         `pii_types`) and flat metrics (JSON: placeholders per type, passages scrubbed,
         passages with personal data, whether deduce and NER were used).
Params:  section `scrub` of params.yaml (`surveys`, `documents`, `deduce`, `ner`,
         `batch_size`).

Placeholders are fixed strings, so the output is deterministic and the same value
gives the same text everywhere:

    [EMAIL] [TELEFOON] [IBAN] [BSN] [KENTEKEN] [ADRES] [POSTCODE] [NAAM]

Addresses: a street with a house number becomes `[ADRES]`; a postcode becomes
`[POSTCODE]`; town names are kept (the regional analysis needs them), so
"Stationsstraat 12, 3511 AB Utrecht" -> "[ADRES], [POSTCODE] Utrecht". A postcode
directly followed by a house number ("3511 AB 12", the usual shorthand for one house)
becomes a single `[ADRES]`.

Numbers are matched by pattern and validated where the number has a checksum: IBANs
by the mod-97 check and their country's length, BSNs by the elfproef. A 9-digit BSN
is found without context; an 8-digit one (a BSN with its leading zero dropped) only
after a BSN keyword, because 8-digit numbers (KvK numbers, yyyymmdd dates) pass the
elfproef one time in eleven.

Names come from deduce (person annotations only; its locations and institutions are
ignored because municipality and region names must survive for the document scan),
from a small rule layer for forms deduce misses, and, when the caller passes a spaCy
pipeline with NER, from its PER entities. Measured on the planted fixtures, deduce
finds capitalised names in all forms (first + last, tussenvoegsels, initials, titles,
a first name alone in context) but no lowercase names and no surname-only forms with a
capitalised tussenvoegsel ("Van der Meer", "De Vries zei"); the rule layer adds those
(see `find_rule_names`). A title before the name is kept ("mevrouw [NAAM]").

Name spans are checked against deduce's place list and a few regional words, because
many Dutch places and rivers are names too ("Ede", "Veenendaal", "de Maas", "het Rijk"):
such a span is dropped unless a title introduces it, and so is a lone capitalised word
opening a sentence that is not a first name ("Spin in het web."). The cost: a surname
alone that is also a place, or alone at the start of a sentence, is not scrubbed.
Lowercase names are found only as "first name + surname" pairs from deduce's lists
(or after "bel/mail/vraag", "mevrouw/meneer"); a lowercase surname that is also a common
word behind nothing or "de" ("karin bos", "rutger de haan") is missed.

Overlapping matches are resolved by keeping the longest.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

import pandas as pd

from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_json, write_table
from pipeline.progress import progress
from pipeline.schema import PASSAGES, SCRUBBED

log = logging.getLogger(__name__)

#: Placeholder types in the order used to break ties between equally long matches.
PII_TYPES = ("IBAN", "EMAIL", "BSN", "TELEFOON", "KENTEKEN", "ADRES", "POSTCODE", "NAAM")
#: Position of each type in PII_TYPES, for tie-breaks and for listing types in that order.
RANK = {t: i for i, t in enumerate(PII_TYPES)}


class Span(NamedTuple):
    """A match of personal data: character offsets into the text and its type."""

    start: int
    end: int
    type: str


Detector = Callable[[str], Iterable[Span]]


def placeholder(pii_type: str) -> str:
    return f"[{pii_type}]"


# ------------------------------------------------------------------ checksums


def elfproef(number: str) -> bool:
    """True if `number` (9 digits, or 8 with the leading zero dropped) passes the BSN 11-test.

    Dots and spaces are ignored: "123.456.782" is the same number as "123456782".
    """
    digits = re.sub(r"[.\s]", "", number)
    if not digits.isdigit() or len(digits) not in (8, 9):
        return False
    digits = digits.zfill(9)
    if int(digits) == 0:
        return False
    total = sum(w * int(d) for w, d in zip(range(9, 1, -1), digits[:8])) - int(digits[8])
    return total % 11 == 0


#: IBAN length per country (ISO 13616 registry), used to cut the candidate and to reject.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27,
    "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VA": 22,
    "VG": 24, "XK": 20,
}


def iban_valid(iban: str) -> bool:
    """True if `iban` (spaces allowed, any case) has its country's length and passes mod-97."""
    value = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", value) or IBAN_LENGTHS.get(value[:2]) != len(value):
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# ------------------------------------------------------------------ regex detectors

_EMAIL = re.compile(r"(?<![\w.+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b")


def find_emails(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "EMAIL") for m in _EMAIL.finditer(text)]


def _d(low: int, high: int | None = None) -> str:
    """`low`..`high` digits, with at most one space, dot or dash between two digits."""
    high = high or low
    return rf"\d(?:[ .\-]?\d){{{low - 1},{high - 1}}}"


_AS = r"(?:\s?[\-/.]\s?|\s)?"  # after the area code: "06-", "06 - ", "020/", "020 "
# A Dutch number is a trunk 0 plus 9 digits: mobile 06 + 8, a 3-digit area code + 7 or a
# 4-digit one + 6; the first separator can only come after the area code, which is what
# keeps dates like "01-02-2024 12" out. Service numbers 0800/0900/0906/0909 + 4 to 7.
_PHONE_NATIONAL = rf"""
    0[89]0[069]{_AS}{_d(4, 7)}
  | 06{_AS}{_d(8)}
  | 0[1-9]\d{_AS}{_d(7)}
  | 0[1-9]\d\d{_AS}{_d(6)}
  | \(06\)\s?{_d(8)}
  | \(0[1-9]\d\)\s?{_d(7)}
  | \(0[1-9]\d\d\)\s?{_d(6)}
"""
_PHONE_INTERNATIONAL = rf"""
    (?:\+|00)\s?31\s?(?:\(0\)\s?)?-?\s?
    (?: 6{_AS}{_d(8)} | [1-9]\d{_AS}{_d(7)} | [1-9]\d\d{_AS}{_d(6)} )
"""
_PHONE = re.compile(
    rf"(?<![\w+])(?<!\d[.,\-/])(?:{_PHONE_INTERNATIONAL}|{_PHONE_NATIONAL})(?!\w|[.,\-/]\d)", re.VERBOSE)
_DATE_START = re.compile(r"\(?\d{1,2}([\-/.])\d{1,2}\1\d{2,4}(?!\d)")


def _plausible_date(text: str) -> bool:
    """'06-03-2024' is a date; '06.48.27' (a phone number written in pairs) is not."""
    day, month = (int(x) for x in re.findall(r"\d+", text)[:2])
    return 1 <= day <= 31 and 1 <= month <= 12


def find_phones(text: str) -> list[Span]:
    spans = []
    for m in _PHONE.finditer(text):
        date = _DATE_START.match(m.group())
        if date and _plausible_date(date.group()):  # "06-03-2024 14" is a date and a time
            continue
        spans.append(Span(m.start(), m.end(), "TELEFOON"))
    return spans


_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})")


def find_ibans(text: str) -> list[Span]:
    """IBANs written compact or in groups (single spaces), checked by length and mod-97."""
    spans = []
    for m in _IBAN_START.finditer(text):
        length = IBAN_LENGTHS.get(m.group(1).upper())
        if length is None:
            continue
        pos, have = m.end(), 4
        while have < length and pos < len(text):
            ch = text[pos]
            if ch.isascii() and ch.isalnum():
                have += 1
                pos += 1
            elif ch == " " and pos + 1 < len(text) and text[pos + 1].isascii() and text[pos + 1].isalnum():
                pos += 1
            else:
                break
        if have != length or (pos < len(text) and text[pos].isalnum()):
            continue
        if iban_valid(text[m.start():pos]):
            spans.append(Span(m.start(), pos, "IBAN"))
    return spans


_BSN9 = re.compile(r"(?<![\w.,\-/+€])\d{3}([. ]?)\d{3}\1\d{3}(?!\w|[.,\-/]\d)")
_BSN8 = re.compile(r"(?<![\w.,\-/+€])\d{8}(?!\w|[.,\-/]\d)")
_BSN_KEYWORD = re.compile(r"(?i)\b(bsn|burgerservice\s?nummer|sofi-?\s?nummer|sofinummer)\b")
_NOT_BSN_BEFORE = re.compile(r"(?i)(€|\beur\b|\beuro\b|\brsin\b)[\s:.]*$")


def find_bsns(text: str) -> list[Span]:
    spans = []
    for m in _BSN9.finditer(text):
        if elfproef(m.group()) and not _NOT_BSN_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            spans.append(Span(m.start(), m.end(), "BSN"))
    for m in _BSN8.finditer(text):
        if elfproef(m.group()) and _BSN_KEYWORD.search(text[max(0, m.start() - 40):m.start()]):
            spans.append(Span(m.start(), m.end(), "BSN"))
    return spans


# Dutch licence plates, sidecodes 1-14 (L = letter, D = digit); the dashes are required.
_SIDECODES = ("LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D", "D-LLL-DD",
              "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D")


def _sidecode_regex(code: str) -> str:
    out = []
    for part in code.split("-"):
        out.append(("[A-Za-z]" if part[0] == "L" else r"\d") + (f"{{{len(part)}}}" if len(part) > 1 else ""))
    return "-".join(out)


_KENTEKEN = re.compile(r"(?<![\w\-])(?:" + "|".join(_sidecode_regex(c) for c in _SIDECODES) + r")(?![\w\-])")


def find_kentekens(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "KENTEKEN") for m in _KENTEKEN.finditer(text)]


_UPPER = "A-ZÀ-ÖØ-ÞŞŠŽÇĞİĆČŁŃŚŹŻ"
_CAP = rf"[{_UPPER}][^\W\d_]*(?:['’\-][^\W\d_]+)*"  # a capitalised word, "Van-der-Berg" style too
_INTERFIX = r"(?:van|de|der|den|het|'t|ter|ten|te|op|in|la|le|du|el)"
_SUFFIXES = ("straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|hof|pad|park|steeg|markt|boulevard|plantsoen"
             "|dam|baan|wal|veld|ring|haven|allee|erf|poort|vaart|wetering|zoom|promenade|straatweg|dyk")
_LOWER_SUFFIXES = "straat|laan|plein|gracht|kade|singel|dreef|steeg|plantsoen|boulevard|straatweg"
_HOUSE_NUMBER = r"\d{1,4}(?:[a-zA-Z]\b|\s[A-Z]\b|\s?-\s?\d{1,3}\b|-[a-zA-Z]\b|\s?(?:bis|hs|zw)\b)?(?![\d,.]\d)"
# Capitalised words that open a sentence rather than a street name ("Aan de Kerkstraat 5").
_STREET_PREFIX = rf"(?!(?:In|Op|Aan|Bij|Naar|Mijn|Onze|Ons|Via|Vanaf|Tot|Richting|Een|Het|Ik|We|Wij)\s){_CAP}"
_STREET = rf"""
    (?:(?:{_STREET_PREFIX}\s+(?:{_INTERFIX}\s+)*){{0,2}}[{_UPPER}][^\W\d_]*?(?:{_SUFFIXES})
      | (?:{_STREET_PREFIX}\s+(?:{_INTERFIX}\s+)*){{1,2}}(?:{'|'.join(s.capitalize() for s in _SUFFIXES.split('|'))})
      | [a-z]{{3,}}(?:{_LOWER_SUFFIXES})
    )"""
_ADDRESS = re.compile(rf"(?<![\w\-])(?:{_STREET}\s+{_HOUSE_NUMBER}|[Pp]ostbus\s+\d{{1,5}}\b)", re.VERBOSE)

_POSTCODE = re.compile(r"(?<![\w€.,\-])([1-9]\d{3})(?:\s?([A-Z]{2})|([a-z]{2}))(?![\w\-])")
_POSTCODE_NUMBER = re.compile(r"\s*,?\s*(?:(?:nr\.?|nummer|huisnummer)\s*)?\d{1,4}(?:\s?[a-zA-Z]\b)?(?![\w\-]|[.,:]\d)")
# Letters that are far more often a unit or abbreviation than a postcode (in either case:
# "1200km"); they only count as a postcode next to an address, after a cue word or before a town.
_UNITS = {"KM", "KG", "MB", "GB", "KB", "TB", "MW", "KW", "GW", "CM", "MM", "ML", "HA", "EU", "NL"}
_GOVERNANCE = {"AB", "DB", "GR", "MT", "OR", "HR", "PO", "VO", "MO", "BO", "RO", "VN", "OV", "BV", "NV"}
# Words that say a postcode follows, whatever its letters: "verhuisd naar 2377 KB", "kantoor zit op
# 4398 NL", "woont in 1234 MB", "postcode: 3511 KM", "mijn adres is 2011 GB".
_POSTCODE_CONTEXT = re.compile(r"(?i)(?<!\w)(?:(?:post\s?code|adres)(?:\s+(?:is|was|wordt))?\s*[:.]?|naar|op|in)\s*$")
# ... but after a bare "in" or "op" a year with a board's letters is a year: "in 2019 AB besloten".
_YEAR_CONTEXT = re.compile(r"(?i)(?<!\w)(?:in|op)\s*$")
_POSTCODE_AFTER_WORD = re.compile(r"(?i:post\s?code)\s*[:.]?\s*([1-9]\d{3}\s?[a-z]{2})(?![\w\-])")
# "Markt 18, 5211 HX": any capitalised word with a house number right before a postcode.
_STREET_BEFORE_POSTCODE = re.compile(rf"([{_UPPER}][^\W\d_]+\s+{_HOUSE_NUMBER})\s*,?\s*$")


def find_addresses(text: str) -> list[Span]:
    """Streets with a house number ([ADRES]), postcodes ([POSTCODE]) and postcode + number ([ADRES])."""
    spans = [Span(m.start(), m.end(), "ADRES") for m in _ADDRESS.finditer(text)]
    for m in _POSTCODE.finditer(text):
        letters = m.group(2) or m.group(3)
        if letters.upper() in ("SA", "SD", "SS"):  # never issued
            continue
        number = int(m.group(1))
        year_and_board = 1900 <= number <= 2099 and letters.upper() in _GOVERNANCE
        if letters.upper() in _UNITS or year_and_board:
            after_address = any(s.end <= m.start() and text[s.end:m.start()].strip(" ,") == "" for s in spans)
            before_town = re.match(rf"\s+[{_UPPER}][a-z]", text[m.end():]) is not None
            before_number = _POSTCODE_NUMBER.match(text, m.end()) is not None
            before = text[max(0, m.start() - 20):m.start()]
            cue = _POSTCODE_CONTEXT.search(before) and not (year_and_board and _YEAR_CONTEXT.search(before))
            if not (after_address or before_town or before_number or cue):
                continue
        nr = _POSTCODE_NUMBER.match(text, m.end())
        if nr and not any(s.start <= m.start() < s.end for s in spans):
            spans.append(Span(m.start(), nr.end(), "ADRES"))
        else:
            spans.append(Span(m.start(), m.end(), "POSTCODE"))
        street = _STREET_BEFORE_POSTCODE.search(text, max(0, m.start() - 60), m.start())
        if street and not any(s.start <= street.start(1) < s.end for s in spans):
            spans.append(Span(street.start(1), street.end(1), "ADRES"))
    for m in _POSTCODE_AFTER_WORD.finditer(text):
        if not any(s.start <= m.start(1) < s.end for s in spans):
            spans.append(Span(m.start(1), m.end(1), "POSTCODE"))
    return spans


#: The detectors that need nothing but a regex, by type.
REGEX_DETECTORS: dict[str, Detector] = {
    "EMAIL": find_emails,
    "TELEFOON": find_phones,
    "IBAN": find_ibans,
    "BSN": find_bsns,
    "KENTEKEN": find_kentekens,
    "ADRES": find_addresses,  # also emits POSTCODE
}


# ------------------------------------------------------------------ names

_PERSON_TITLES = r"(?:mevrouw|mevr\.?|mw\.?|meneer|mijnheer|dhr\.?|de\s+heer|mej\.?|mr\.|dr\.|drs\.|ir\.|ing\.|prof\.)"
_ROLE_TITLES = (r"(?:collega|wethouder|burgemeester|gedeputeerde|directeur|teamleider|manager|voorzitter|secretaris"
                r"|raadslid|griffier|projectleider|programmamanager|coördinator|coordinator|adviseur|minister"
                r"|staatssecretaris|commissaris|beleidsmedewerker|contactpersoon|ambtenaar|secretaresse)")
_INITIALS = rf"(?:[{_UPPER}]\.\s?){{1,4}}"
_NAME_BODY = rf"(?:{_INITIALS}\s*)?(?:{_CAP}\s+)?(?:(?:{_INTERFIX}|[VD]an|De|Der|Den|Ter|Ten|Van)\s+)*{_CAP}"
_TITLE_NAME = re.compile(
    rf"(?i:\b(?P<title>{_PERSON_TITLES}|{_ROLE_TITLES}))[\s:]+(?P<name>{_NAME_BODY})")
_LEADING_TITLE = re.compile(
    rf"^(?i:(?:{_PERSON_TITLES}|{_ROLE_TITLES}|bacc\.?|bc\.?|ds\.?|lec\.?|kand\.?|dra\.?)(?![^\W\d_]))[\s:]*")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_INTERFIX_WORDS = {"van", "de", "der", "den", "het", "'t", "ter", "ten", "te", "op", "in", "la", "le", "du", "el",
                   "da", "di", "dos", "von", "zur", "aan", "uit", "bij"}
# Capitalised words after a role word that are departments or portfolios, not names.
_NOT_NAMES = {"gemeente", "gemeenten", "provincie", "regio", "rijk", "raad", "college", "bestuur", "team", "afdeling",
              "bedrijfsvoering", "wonen", "economie", "ruimte", "financiën", "financien", "jeugd", "zorg", "onderwijs",
              "mobiliteit", "verkeer", "sociaal", "domein", "fysiek", "veiligheid", "cultuur", "sport", "energie",
              "klimaat", "duurzaamheid", "communicatie", "personeel", "hr", "ict", "openbare", "orde", "ggd",
              "binnenlandse", "zaken", "bzk", "ezk", "i&w", "lnv", "vws", "ocw", "ministerie", "de", "het", "een"}


# Rivers, landscapes and other words in regional documents that deduce's lists hold as names.
_REGIONAL_WORDS = {"rijk", "maas", "waal", "rijn", "ijssel", "lek", "linge", "merwede", "schelde", "vecht", "eem",
                   "amstel", "dommel", "berkel", "regge", "dinkel", "roer", "geul", "waard", "kern", "veluwe",
                   "betuwe", "kempen", "peel", "gooi", "zaan", "zaanstreek", "delta"}


@contextmanager
def _quiet_import():
    """deduce calls logging.basicConfig(level=DEBUG) on import; undo that side effect."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)


@lru_cache(maxsize=1)
def name_lists() -> dict[str, frozenset[str]]:
    """Deduce's lookup lists (first names, surnames, places, common words), lowercased.

    Read from the list files shipped with deduce, which takes a second, not from its
    prebuilt structures, so the rule layer works with `use_deduce=False` too. Empty sets
    when deduce is not installed.
    """
    try:
        with _quiet_import():
            from deduce.deduce import _LOOKUP_LIST_PATH
            from deduce.lookup_structs import load_raw_itemset
    except ImportError:
        return {k: frozenset() for k in ("first", "surname", "place", "common")}
    src = Path(_LOOKUP_LIST_PATH) / "src"

    def load(*parts: str) -> frozenset[str]:
        return frozenset(s.lower() for s in load_raw_itemset(src.joinpath(*parts)))

    return {
        "first": load("names", "lst_first_name"),
        "surname": load("names", "lst_surname") | load("names", "lst_interfix_surname"),
        "place": load("locations", "lst_placename"),
        "common": load("whitelist", "lst_common_word") | load("whitelist", "lst_stop_word"),
    }


def core_words(name: str) -> list[str]:
    """The name's words without titles, initials and tussenvoegsels."""
    name = _LEADING_TITLE.sub("", name)
    return [w for w in _WORD.findall(name) if w.lower() not in _INTERFIX_WORDS and len(w) > 1]


def _is_place(name: str, lists: dict[str, frozenset[str]]) -> bool:
    """A place or region name rather than a person: "Ede", "Van Houten", "Parkstad Limburg".

    True when the words (without tussenvoegsels) are a place name, or when one of them is
    and nothing marks a person: no known first name, no initial.
    """
    words = [w for w in _WORD.findall(name) if w.lower() not in _INTERFIX_WORDS]
    if not words:
        return False
    if " ".join(words).lower() in lists["place"] or " ".join(name.split()).lower() in lists["place"]:
        return True
    person = any(len(w) == 1 or w.lower() in lists["first"] for w in words)
    return not person and any(w.lower() in lists["place"] for w in words)


def _is_word(name: str, lists: dict[str, frozenset[str]]) -> bool:
    """A one-word 'name' that is a common word or a regional term: "het Rijk", "de Maas"."""
    words = [w.lower() for w in _WORD.findall(name) if w.lower() not in _INTERFIX_WORDS]
    return len(words) == 1 and any(words[0] in vocab for vocab in (lists["common"], _NOT_NAMES, _REGIONAL_WORDS))


def _title_before(text: str, start: int) -> str:
    """The person title or role word right before `start`, or ''."""
    m = re.search(rf"(?i:\b(?:{_PERSON_TITLES}|{_ROLE_TITLES}))[\s:]*$", text[max(0, start - 25):start])
    return m.group().strip() if m else ""


def _sentence_start(text: str, pos: int) -> bool:
    return re.search(r"(^|[.!?:;]\s*|\n\s*)$", text[:pos]) is not None


def clean_name_spans(text: str, spans: Iterable[Span], lists: dict[str, frozenset[str]]) -> list[Span]:
    """Trim a leading title off name spans ("mevrouw [NAAM]") and drop bare place names."""
    out = []
    for s in spans:
        chunk = text[s.start:s.end]
        m = _LEADING_TITLE.match(chunk)
        start = s.start + (m.end() if m else 0)
        title = chunk[:m.end()] if m and m.end() else _title_before(text, s.start)
        # "mevrouw Van Houten" is a person; "de wethouder van Ede" is about a place.
        titled = bool(title) and (re.match(_PERSON_TITLES, title, re.IGNORECASE) is not None
                                  or text[start:start + 1].isupper())
        end = s.end
        while start > 1 and text[start - 1] in "-‐" and text[start - 2].isalpha():  # "Mei-[Ling Tan]"
            start -= 1
            while start > 0 and text[start - 1].isalpha():
                start -= 1
        while end + 1 < len(text) and text[end] in "-‐" and text[end + 1].isupper():  # "[Jan]-Willem"
            end += 1
            while end < len(text) and text[end].isalpha():
                end += 1
        chunk = text[start:end].rstrip(" ,.;:")
        sentence_start = _sentence_start(text, start)
        # deduce joins a capitalised word left of a first name: "Volgens Mirjam".
        head = re.match(r"([^\W\d_]+)\s+(?=\S)", chunk)
        if head and not titled:
            word = head.group(1).lower()
            if (word not in lists["first"] and word not in _INTERFIX_WORDS
                    and (word in lists["common"] or (sentence_start and word not in lists["surname"]))):
                start += head.end()
                chunk = chunk[head.end():]
                sentence_start = False
        end = start + len(chunk)
        if not chunk or not any(ch.isalpha() for ch in chunk):
            continue
        if not titled and (_is_place(chunk, lists) or _is_word(chunk, lists)):
            continue
        # One capitalised word opening a sentence that is no first name is too often just a
        # word that is also a surname: "Spin in het web.", "Pas toen ...", "Kern: ...".
        if not titled and sentence_start and " " not in chunk and chunk.lower() not in lists["first"]:
            continue
        out.append(Span(start, end, "NAAM"))
    return out


def find_rule_names(text: str, lists: dict[str, frozenset[str]] | None = None) -> list[Span]:
    """Names deduce tends to miss.

    - a title or role word followed by a capitalised name ("wethouder Hoekstra");
    - a person title followed by a lowercase name ("mevrouw de vries", "meneer jansen");
    - a surname with a capitalised tussenvoegsel ("Van der Meer", "De Vries zei");
    - a lowercase first name + surname ("sanne de vries"), or a lowercase first name after
      "bel/mail/app/vraag" ("bel sanne even"), using deduce's name lists.
    """
    lists = lists if lists is not None else name_lists()
    spans = []
    for m in _TITLE_NAME.finditer(text):
        name = m.group("name")
        words = core_words(name)
        if not words or words[0].lower() in _NOT_NAMES:
            continue
        if re.fullmatch(_ROLE_TITLES, m.group("title"), re.IGNORECASE):
            if name.split()[0] in _INTERFIX_WORDS:
                continue  # "de burgemeester van Ede": after a role word a name has "Van", not "van"
            # "wethouder Wonen": after a role word a capitalised word is a name only when it
            # is a known name or a tussenvoegsel/initial introduces it.
            known = any(w.lower() in lists["first"] or w.lower() in lists["surname"] for w in words)
            introduced = re.match(rf"(?:{_INITIALS}|(?:Van|De|Der|Den|Ter|Ten|El)\s)", name) is not None
            if not (known or introduced) or (not introduced and _is_place(name, lists)):
                continue
        spans.append(Span(m.start("name"), m.end("name"), "NAAM"))
    for m in _TITLE_LOWER.finditer(text):
        end = _lower_name_end(text, m.end(), lists, surname_only=True)
        if end:
            spans.append(Span(m.end(), end, "NAAM"))
    for m in _CALL_VERB.finditer(text):
        end = _lower_name_end(text, m.end(), lists, first_only=True)
        if end:
            spans.append(Span(m.end(), end, "NAAM"))
    for m in _CAP_INTERFIX_NAME.finditer(text):
        name, last = m.group(), m.group("last").lower()
        place = (" ".join(name.split()).lower() in lists["place"]
                 or (last in lists["place"] and last not in lists["surname"]))
        if last in _NOT_NAMES or place:  # "Den Haag", "Ter Apel", "Van Utrecht tot Ede"
            continue
        sentence_start = _sentence_start(text, m.start())
        weak = m.group("interfix") in ("De", "Den", "Der") or (sentence_start and m.group("interfix") != "Van")
        if weak and not (last in lists["surname"] and last not in lists["common"]):
            continue  # "De Nieuwe Route", "De Kern": an article, not a surname
        spans.append(Span(m.start(), m.end(), "NAAM"))
    pos = 0
    while (m := _LOWER_WORD.search(text, pos)) is not None:  # "sanne de vries", "joost bakker"
        end = _lower_name_end(text, m.start(), lists)
        if end:
            spans.append(Span(m.start(), end, "NAAM"))
            pos = end
        else:
            pos = m.end()
    return spans


_TITLE_LOWER = re.compile(rf"(?i:\b(?:{_PERSON_TITLES}))\s+(?=[a-z])")
_CALL_VERB = re.compile(r"\b(?:bel|mail|app|sms|whatsapp|vraag|spreek)\s+(?=[a-z])")
_CAP_INTERFIX_NAME = re.compile(
    rf"(?<![\w'’])(?P<interfix>Van|De|Den|Der|Ter|Ten|El)(?:\s+(?:der|den|de|het|'t))?\s+(?P<last>{_CAP})")
_LOWER_WORD = re.compile(r"(?<![\w@.\-])[a-z]{3,}(?![\w@\-])")
_LOWER_TOKENS = re.compile(r"(?:[a-z]+|'t)(?:\s+(?:[a-z]+|'t)){0,4}")


def _lower_name_end(text: str, pos: int, lists: dict[str, frozenset[str]], surname_only: bool = False,
                    first_only: bool = False) -> int | None:
    """End of a lowercase name at `pos`: [first name] [tussenvoegsels] surname, or None.

    Without `surname_only` the name must start with a first name that is not a common
    word; `first_only` accepts a first name alone (after "bel", "mail").
    """
    m = _LOWER_TOKENS.match(text, pos)
    if not m:
        return None
    toks = [(t.start() + pos, t.end() + pos, t.group()) for t in re.finditer(r"\S+", m.group())]
    first, surname, common = lists["first"], lists["surname"], lists["common"]
    is_first = toks[0][2] in first and toks[0][2] not in common and toks[0][2] not in _INTERFIX_WORDS
    if first_only:
        return toks[0][1] if is_first else None
    best = None
    for i in ([0] if surname_only else []) + ([1] if is_first else []):
        j = i
        while j < len(toks) and toks[j][2] in _INTERFIX_WORDS:
            j += 1
        if j < len(toks) and toks[j][2] in surname and toks[j][2] not in _INTERFIX_WORDS:
            # A surname that is also a common word ("berg", "haar") only counts behind a
            # surname tussenvoegsel ("van den berg", "ter haar"), not behind an article
            # ("ken de mensen") or nothing ("meneer haar").
            between = [t[2] for t in toks[i:j]]
            if toks[j][2] not in common or (between and between not in (["de"], ["het"], ["in"], ["op"], ["te"])):
                best = max(best or 0, toks[j][1])
    return best


_DEDUCE_PERSON_TAGS = ("persoon", "patient", "naam", "initia")


@lru_cache(maxsize=1)
def load_deduce():
    """The deduce engine, built once per process.

    The first build in an environment takes about 80 s; deduce then caches its lookup
    structures as a pickle in its package folder (`deduce/data/lookup/cache/`), or, when
    that is read-only, in ~/.cache/samenspel/deduce. Later loads take about 2 s.
    """
    try:
        with _quiet_import():
            from deduce import Deduce
            from deduce.deduce import _LOOKUP_LIST_PATH
    except ImportError:
        raise SamenspelError("deduce is niet geïnstalleerd",
                             hint="pip install deduce==3.0.6, of zet scrub.deduce: false") from None
    cache = Path(_LOOKUP_LIST_PATH)
    if not _writable(cache / "cache"):
        cache = Path.home() / ".cache" / "samenspel" / "deduce"
        cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "cache" / "lookup_structs.pickle").exists():
        log.warning("deduce bouwt eenmalig zijn opzoekstructuren (± 80 s); daarna staan ze in %s", cache / "cache")
    t0 = time.perf_counter()
    # deduce's lookup tries are millions of small objects that live as long as the process.
    # Unpickling them with the collector on triggers collection after collection over the
    # growing heap (6.8 s here, 1.7 s without). Afterwards they are moved out of the
    # collector's reach, which keeps later full collections cheap and cuts ~15 s of garbage
    # collection at interpreter exit.
    enabled = gc.isenabled()
    gc.disable()
    try:
        engine = Deduce(cache_path=cache)
    finally:
        if enabled:
            gc.enable()
    gc.collect()
    gc.freeze()
    log.info("deduce geladen in %.0f s (cache: %s)", time.perf_counter() - t0, cache / "cache")
    return engine


def _writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK)


def find_deduce_names(text: str, engine=None) -> list[Span]:
    """Person-name annotations from deduce (tags 'persoon', 'patient' and name variants)."""
    engine = engine or load_deduce()
    doc = engine.deidentify(text)
    return [Span(a.start_char, a.end_char, "NAAM") for a in doc.annotations
            if any(t in a.tag for t in _DEDUCE_PERSON_TAGS) and "pseudo" not in a.tag]


def find_ner_names(doc) -> list[Span]:
    """PER entities of a spaCy Doc (nl_core_news_* label persons 'PER')."""
    return [Span(e.start_char, e.end_char, "NAAM") for e in doc.ents if e.label_ in ("PER", "PERSON")]


# ------------------------------------------------------------------ scrubbing


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (ties: type order in PII_TYPES, then leftmost)."""
    chosen: list[Span] = []
    for s in sorted(set(spans), key=lambda s: (-(s.end - s.start), RANK.get(s.type, 99), s.start)):
        if s.end > s.start and all(s.end <= c.start or s.start >= c.end for c in chosen):
            chosen.append(s)
    return sorted(chosen)


def scrub_text(text: str, *, detectors: Iterable[Detector] = tuple(REGEX_DETECTORS.values()),
               spans: Iterable[Span] = ()) -> tuple[str, list[str]]:
    """Replace personal data in `text` by placeholders.

    Args:
        text: The text to scrub.
        detectors: Functions text -> spans; the default runs all regex detectors.
        spans: Extra spans found beforehand (e.g. names from a batch NER run).

    Returns:
        The scrubbed text and the placeholder types inserted, in text order.
    """
    found = list(spans)
    for detect in detectors:
        found.extend(detect(text))
    chosen = resolve_overlaps(found)
    parts, types, pos = [], [], 0
    for s in chosen:
        parts.append(text[pos:s.start])
        parts.append(placeholder(s.type))
        types.append(s.type)
        pos = s.end
    parts.append(text[pos:])
    return "".join(parts), types


class Scrubber:
    """Configured scrubbing: which types, deduce on or off, an optional spaCy pipeline.

    Args:
        types: Placeholder types to scrub (default all of PII_TYPES).
        use_deduce: Find names with deduce (slow to load the first time).
        name_rules: Use the rule layer for names (titles, lowercase pairs).
        nlp: A spaCy pipeline whose PER entities count as names, or None.
        batch_size: Texts per `nlp.pipe` batch.
    """

    def __init__(self, types: Sequence[str] = PII_TYPES, use_deduce: bool = True, name_rules: bool = True,
                 nlp: Any = None, batch_size: int = 64):
        self.types = types
        self.use_deduce = use_deduce
        self.name_rules = name_rules
        self.nlp = nlp
        self.batch_size = batch_size

    def fit(self) -> "Scrubber":
        """Check the settings and load what the detectors need; returns self."""
        unknown = set(self.types) - set(PII_TYPES)
        if unknown:
            raise SamenspelError(f"onbekende type(s) persoonsgegevens: {sorted(unknown)}",
                                 hint=f"kies uit {', '.join(PII_TYPES)}")
        names = "NAAM" in self.types
        self.deduce_ = load_deduce() if names and self.use_deduce else None
        self.lists_ = name_lists() if names else None
        self.ner_ = bool(names and self.nlp is not None and _ent_pipes(self.nlp))
        if names and self.nlp is not None and not _ent_pipes(self.nlp):
            log.warning("het spaCy-model heeft geen NER; namen alleen via deduce en regels")
        detectors: list[Detector] = []
        for t, detect in REGEX_DETECTORS.items():
            if t in self.types or (t == "ADRES" and "POSTCODE" in self.types):
                detectors.append(detect)
        self.detectors_ = detectors
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "detectors_"):
            self.fit()

    def find(self, text: str, doc: Any = None) -> list[Span]:
        """All spans of personal data in `text`, overlaps resolved."""
        self._fitted()
        spans: list[Span] = []
        for detect in self.detectors_:
            spans.extend(detect(text))
        if "NAAM" in self.types:
            names: list[Span] = []
            if self.deduce_ is not None:
                names += find_deduce_names(text, self.deduce_)
            if doc is not None:
                names += find_ner_names(doc)
            names = clean_name_spans(text, names, self.lists_)
            if self.name_rules:
                names += find_rule_names(text, self.lists_)
            spans += names
        return resolve_overlaps(s for s in spans if s.type in self.types)

    def scrub(self, text: str, doc: Any = None) -> tuple[str, list[str]]:
        """Scrub one text; returns the new text and the placeholder types inserted."""
        if not text or not text.strip():
            return text, []
        return scrub_text(text, detectors=(), spans=self.find(text, doc))

    def scrub_many(self, texts: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
        """Scrub texts in order, running the spaCy pipeline (if any) in batches."""
        self._fitted()
        if not self.ner_:
            for text in texts:
                yield self.scrub(text)
            return
        texts = list(texts)
        docs = self.nlp.pipe(texts, batch_size=self.batch_size)
        for text, doc in zip(texts, docs):
            yield self.scrub(text, doc)


def _ent_pipes(nlp: Any) -> list[str]:
    names = [name for name, _ in getattr(nlp, "pipeline", [])]
    return [n for n in names if n in ("ner", "entity_ruler") or n.endswith("_ner")]


# ------------------------------------------------------------------ stage


@dataclass
class ScrubConfig:
    """Settings from the `scrub` section of params.yaml."""

    surveys: bool
    documents: bool
    deduce: bool
    ner: bool
    batch_size: int

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "ScrubConfig":
        from pipeline.config import require

        return cls(**{f: require(cfg, f, "scrub") for f in cls.__dataclass_fields__})


def run(input_path: Path, output_path: Path, metrics_path: Path, cfg: ScrubConfig, nlp: Any = None,
        say=None, cache_dir: Path | None = None) -> pd.DataFrame:
    """Scrub the passages of the kinds switched on in `cfg`; write the table and metrics.

    Survey rows also get their `meta_*` values scrubbed (free-text metadata can hold
    personal data); `respondent_id` and the other provenance columns are left alone.
    `nlp` is used for PER entities only when `cfg.ner` is on. With `cache_dir`, texts
    scrubbed before with the same settings and code are read back from the cache, and
    deduce is only loaded when something is new.
    """
    import importlib.metadata as md
    import sys

    from pipeline.cache import ContentCache, module_digest

    say = say or (lambda msg, warn=False: (log.warning if warn else log.info)(msg))
    df = read_table(input_path, PASSAGES).reset_index(drop=True)
    scrubber = Scrubber(use_deduce=cfg.deduce, nlp=nlp if cfg.ner else None, batch_size=cfg.batch_size)

    kinds = {k for k, on in (("survey", cfg.surveys), ("document", cfg.documents)) if on}
    selected = df["kind"].isin(kinds).to_numpy()
    idx = [i for i in range(len(df)) if selected[i]]
    texts = df["text"].tolist()
    meta_cols = [c for c in df.columns if c.startswith("meta_")]
    survey_rows = [i for i in idx if df.at[i, "kind"] == "survey"]

    def present(value) -> bool:
        return not (value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip())

    # Metadata repeats a few values many times: scrub each distinct value once.
    meta_values = sorted({str(v) for col in meta_cols for v in df.loc[survey_rows, col] if present(v)})
    inputs = [texts[i] for i in idx] + meta_values

    def compute(batch: list[str]) -> list[list]:
        scrubber.fit()
        return [[out, types] for out, types in progress(scrubber.scrub_many(batch), "scrubben", total=len(batch))]

    ner_label = (f"{nlp.meta.get('name')}-{nlp.meta.get('version')}" if nlp is not None and cfg.ner else None)
    fingerprint = [{"deduce": cfg.deduce, "ner": ner_label}, md.version("deduce") if cfg.deduce else None,
                   module_digest(sys.modules[__name__])]
    cache = ContentCache(cache_dir, "scrub", fingerprint)
    results = cache.map(inputs, compute)
    cache.close()

    types_per_row: list[list[str]] = [[] for _ in range(len(df))]
    for i, (out, types) in zip(idx, results[:len(idx)]):
        texts[i] = out
        types_per_row[i] = list(types)
    memo = dict(zip(meta_values, results[len(idx):]))
    meta_scrubbed = 0
    for col in meta_cols:
        values = df[col].tolist()
        for i in survey_rows:
            if not present(values[i]):
                continue
            out, types = memo[str(values[i])]
            if types:
                values[i] = out
                types_per_row[i] = types_per_row[i] + list(types)
                meta_scrubbed += 1
        df[col] = values

    df["text"] = texts
    df["scrubbed"] = selected
    df["pii_types"] = types_per_row
    df = SCRUBBED.validate(df)
    write_table(output_path, df, SCRUBBED)

    counts = Counter(t for types in types_per_row for t in types)
    metrics: dict[str, Any] = {
        "passages": len(df),
        "passages_scrubbed": int(selected.sum()),
        "passages_with_pii": sum(bool(t) for t in types_per_row),
        "meta_values_scrubbed": meta_scrubbed,
        "placeholders": sum(counts.values()),
        **{f"pii_{t.lower()}": counts.get(t, 0) for t in PII_TYPES},
        "deduce": bool(cfg.deduce),
        "ner": ner_label is not None,
        "cache_hits": cache.hits,
        "cache_misses": cache.misses,
    }
    write_json(metrics_path, metrics)
    say(f"scrub: {metrics['passages_scrubbed']} van {metrics['passages']} passages gescrubd, "
        f"{metrics['placeholders']} persoonsgegevens vervangen in {metrics['passages_with_pii']} passages "
        f"→ {output_path}")
    return df
