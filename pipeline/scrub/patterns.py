"""Regex detectors: e-mail, phone numbers, IBAN, BSN, licence plates, addresses and postcodes.

Numbers are matched by pattern and validated where the number has a checksum
(`checksums`): IBANs by the mod-97 check and their country's length, BSNs by the
elfproef. A 9-digit BSN is found without context; an 8-digit one (a BSN with its leading
zero dropped) only after a BSN keyword, because 8-digit numbers (KvK numbers, yyyymmdd
dates) pass the elfproef one time in eleven.

Addresses: a street with a house number becomes `[ADRES]`; a postcode becomes
`[POSTCODE]`; town names are kept (the regional analysis needs them), so
"Stationsstraat 12, 3511 AB Utrecht" -> "[ADRES], [POSTCODE] Utrecht". A postcode
directly followed by a house number ("3511 AB 12", the usual shorthand for one house)
becomes a single `[ADRES]`.
"""

from __future__ import annotations

import re

from pipeline.scrub.checksums import IBAN_LENGTHS, elfproef, iban_valid
from pipeline.scrub.placeholders import Detector, Span

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


# Street and name patterns share these three (names.py imports them): capital letters,
# a capitalised word and the tussenvoegsels that may stand between words.
UPPER = "A-ZÀ-ÖØ-ÞŞŠŽÇĞİĆČŁŃŚŹŻ"
CAP = rf"[{UPPER}][^\W\d_]*(?:['’\-][^\W\d_]+)*"  # a capitalised word, "Van-der-Berg" style too
INTERFIX = r"(?:van|de|der|den|het|'t|ter|ten|te|op|in|la|le|du|el)"
_SUFFIXES = ("straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|hof|pad|park|steeg|markt|boulevard|plantsoen"
             "|dam|baan|wal|veld|ring|haven|allee|erf|poort|vaart|wetering|zoom|promenade|straatweg|dyk")
_LOWER_SUFFIXES = "straat|laan|plein|gracht|kade|singel|dreef|steeg|plantsoen|boulevard|straatweg"
_HOUSE_NUMBER = r"\d{1,4}(?:[a-zA-Z]\b|\s[A-Z]\b|\s?-\s?\d{1,3}\b|-[a-zA-Z]\b|\s?(?:bis|hs|zw)\b)?(?![\d,.]\d)"
# Capitalised words that open a sentence rather than a street name ("Aan de Kerkstraat 5").
_STREET_PREFIX = rf"(?!(?:In|Op|Aan|Bij|Naar|Mijn|Onze|Ons|Via|Vanaf|Tot|Richting|Een|Het|Ik|We|Wij)\s){CAP}"
_STREET = rf"""
    (?:(?:{_STREET_PREFIX}\s+(?:{INTERFIX}\s+)*){{0,2}}[{UPPER}][^\W\d_]*?(?:{_SUFFIXES})
      | (?:{_STREET_PREFIX}\s+(?:{INTERFIX}\s+)*){{1,2}}(?:{'|'.join(s.capitalize() for s in _SUFFIXES.split('|'))})
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
_STREET_BEFORE_POSTCODE = re.compile(rf"([{UPPER}][^\W\d_]+\s+{_HOUSE_NUMBER})\s*,?\s*$")


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
            before_town = re.match(rf"\s+[{UPPER}][a-z]", text[m.end():]) is not None
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
