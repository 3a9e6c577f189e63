"""Place names in Dutch text: municipalities, provinces, regions and collaborations.

Used by the `report` stage (documentscan) to list which municipalities, provinces and
regions a regional document names. The names come from a gazetteer shipped with the
package (`pipeline/data/gemeenten.txt`: the 342 municipalities of 2025 with their
province, checked against deduce's municipality list, the 12 provinces and a short list
of well-known regions), matched case-sensitively on word boundaries, so 'Ede' is found
in "gemeente Ede" but not in "bedenken", and 'Buren' the municipality is not the word
"buren" (neighbours).

Names that are also ordinary words when capitalised (Best, Buren, Leiden, Putten, ...)
are flagged 'woord' in the gazetteer and only count when they are not the first word of
a sentence. Names of collaborations ("Regio Waalvallei", "Samenwerkingsverband X") are
found with a pattern, since no list can hold them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from pipeline.errors import SamenspelError

GAZETTEER = Path(__file__).parent / "data" / "gemeenten.txt"
KINDS = ("gemeente", "provincie", "regio")
#: Kind given to names found by the collaboration pattern.
COLLABORATION = "samenwerkingsverband"

# "Regio Waalvallei", "regio Foodvalley", "Samenwerkingsverband Rivierenland",
# "Metropoolregio Rotterdam Den Haag", "Veiligheidsregio Gelderland-Zuid": a prefix word
# and one or more capitalised words, joined by the usual lower-case particles.
_CAP = r"(?:[A-Z][\w'’]*(?:-[\w'’]+)*|'s-[A-Z][\w-]*)"
# No 'en': "regio X en Y" is two names more often than one.
_PARTICLE = r"(?:van|de|der|den|aan|op|in|'t)"
_PREFIX = (r"(?:[Rr]egio(?:\s+[Dd]eal)?|[Mm]etropoolregio|[Ss]amenwerkingsverband|[Vv]eiligheidsregio|"
           r"[Oo]mgevingsdienst|[Ee]nergieregio|[Ww]oningmarktregio|[Aa]rbeidsmarktregio|RES-regio)")
# "de Regio Deal is ..." is the instrument, not a region called "Deal".
COLLABORATION_PATTERN = re.compile(
    rf"(?<!\w){_PREFIX}\s+(?!Deal\b){_CAP}(?:\s+(?:{_PARTICLE}\s+)*{_CAP})*(?!\w)")
# Utrecht and Groningen are a municipality and a province: the word before decides.
_KIND_CUE = re.compile(r"\b(provincies?|gemeenten?|stad)\b", re.I)


def _kind_cue(before: str) -> str | None:
    """'provincie' or 'gemeente' when the nearest cue word in the last 40 characters says so."""
    window = re.split(r"[.;:!?]", before[-40:])[-1]
    cues = list(_KIND_CUE.finditer(window))
    if not cues:
        return None
    return "provincie" if cues[-1].group(1).lower().startswith("provincie") else "gemeente"
_SENTENCE_END = ".!?…"
_OPENERS = "\"'“‘„«([{"
_BULLETS = "-–—•*·"


@dataclass(frozen=True)
class Place:
    """One entry of the gazetteer."""

    name: str
    kind: str
    province: str | None = None


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    surface: str
    start: int
    end: int


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    while before and before[-1] in _OPENERS:
        before = before[:-1].rstrip()
    if not before or before[-1] in _SENTENCE_END:
        return True
    # A list item: the name is the first word after a bullet at the start of a line.
    line = before.rsplit("\n", 1)[-1].strip()
    if line and all(ch in _BULLETS for ch in line):
        return True
    return "\n" in text[:start] and not text[:start].rsplit("\n", 1)[-1].strip()


class Gazetteer:
    """Find gazetteer names in text, longest name first, on word boundaries.

    Args:
        entries: (surface form, place, is_ordinary_word) triples; a surface form may
            belong to several places (Utrecht is a municipality and a province).
    """

    def __init__(self, entries: Iterable[tuple[str, Place, bool]]):
        self.entries = list(entries)
        self._places: dict[str, list[Place]] = {}
        self._words: set[str] = set()
        for surface, place, is_word in self.entries:
            bucket = self._places.setdefault(surface, [])
            if place not in bucket:
                bucket.append(place)
            if is_word:
                self._words.add(surface)
        surfaces = sorted(self._places, key=lambda s: (-len(s), s))
        self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, surfaces)) + r")(?!\w)") if surfaces else None

    @classmethod
    def load(cls, path: str | Path = GAZETTEER) -> "Gazetteer":
        """Read a gazetteer file: `soort | naam | provincie | varianten | woord` per line."""
        path = Path(path)
        if not path.exists():
            raise SamenspelError("gazetteer niet gevonden", path=path,
                                 hint="installeer samenspel opnieuw (pipeline/data/gemeenten.txt hoort erbij)")
        entries = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")] + [""] * 4
            kind, name, province, variants, flag = parts[:5]
            if kind not in KINDS or not name:
                raise SamenspelError(f"regel {n}: verwacht 'soort | naam | ...' met soort {', '.join(KINDS)}",
                                     path=path)
            if flag not in ("", "woord"):
                raise SamenspelError(f"regel {n}: onbekende vlag '{flag}' (alleen 'woord')", path=path)
            place = Place(name, kind, province or None)
            for surface in [name, *(v.strip() for v in variants.split(";") if v.strip())]:
                entries.append((surface, place, flag == "woord"))
        return cls(entries)

    @property
    def places(self) -> list[Place]:
        return list(dict.fromkeys(p for _, p, _ in self.entries))

    def find(self, text: str) -> list[PlaceMatch]:
        """Every gazetteer name in `text`, one match per place the name stands for."""
        if self._pattern is None or not text:
            return []
        out = []
        for m in self._pattern.finditer(text):
            surface = m.group(0)
            if surface in self._words and _at_sentence_start(text, m.start()):
                continue
            places = self._places[surface]
            if len({p.kind for p in places}) > 1:
                kind = _kind_cue(text[:m.start()])
                if kind:
                    places = [p for p in places if p.kind == kind] or places
            out += [PlaceMatch(p, surface, m.start(), m.end()) for p in places]
        return out


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return Gazetteer.load(GAZETTEER)


def find_collaborations(text: str) -> list[PlaceMatch]:
    """Names of regions and collaborations built as 'Regio X', 'Samenwerkingsverband X', ..."""
    out = []
    for m in COLLABORATION_PATTERN.finditer(text or ""):
        name = " ".join(m.group(0).split())
        name = name[0].upper() + name[1:]
        out.append(PlaceMatch(Place(name, COLLABORATION), m.group(0), m.start(), m.end()))
    return out


def find_places(text: str, gazetteer: Gazetteer | None = None, collaborations: bool = True) -> list[PlaceMatch]:
    """Gazetteer names plus (optionally) collaboration names, in text order."""
    gazetteer = gazetteer or default_gazetteer()
    found = gazetteer.find(text)
    if collaborations:
        # A region from the list and a collaboration name that overlap are one name:
        # keep the longer ("Regio Rivierenland" over "Rivierenland").
        collabs = find_collaborations(text)
        regions = [m for m in found if m.place.kind == "regio"]

        def overlaps(a: PlaceMatch, b: PlaceMatch) -> bool:
            return a.start < b.end and b.start < a.end

        def longer(a: PlaceMatch, b: PlaceMatch) -> bool:
            return (a.end - a.start) > (b.end - b.start)

        found = [m for m in found if m.place.kind != "regio" or not any(overlaps(m, c) and longer(c, m) for c in collabs)]
        found += [c for c in collabs if not any(overlaps(c, r) and not longer(c, r) for r in regions)]
    return sorted(found, key=lambda m: (m.start, -m.end, m.place.kind, m.place.name))


def ner_places(entities: Sequence[str], labels: Sequence[str] = ("GPE", "LOC")) -> list[str]:
    """Names from spaCy entities stored as 'LABEL:text' (the `entities` column of NLP)."""
    out = []
    for ent in entities:
        label, _, name = str(ent).partition(":")
        name = " ".join(name.split())
        if label in labels and len(name) > 1:
            out.append(name)
    return out
