"""The codebook (corpora/codebook.yaml): codes, groups, definitions, indicators.

Codes are data, not code: adding a block to the YAML adds a code to every stage
(columns `p_<id>` and `<id>`, the dictionary baseline, the report) without code changes.

Tables and charts name a code by its short name: the optional field `kort`, else the
`naam` without the words that every name of its group starts with ("De alliantiemanager
als strateeg" → "Strateeg"), with a capital.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from pipeline.errors import SamenspelError

GROUPS = ("orientatie", "thema")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: Column prefixes of the classified table that a code id may not start with.
_RESERVED_PREFIXES = ("p_", "meta_")


def reserved_ids() -> set[str]:
    """Column names a code id would clash with.

    Those of the classified table, and `id`: the key column of the annotation sheet
    (`samenspel annotate export`), which has a column per code beside it.
    """
    from pipeline.schema import CLASSIFIED

    return set(CLASSIFIED.names) | {"id"}


@dataclass(frozen=True)
class Code:
    id: str
    group: str
    name: str
    definition: str
    indicators: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    axes: dict = field(default_factory=dict, hash=False, compare=False)
    short: str = ""  # set by load_codebook; see short_names


def short_names(codes: list[Code], given: dict[str, str]) -> dict[str, str]:
    """Short name per code id: `given` (the field `kort`), else the name without the words all
    names of its group start with, capitalised; a group of one keeps its whole name."""
    out: dict[str, str] = {}
    for group in dict.fromkeys(c.group for c in codes):
        members = [c for c in codes if c.group == group]
        words = [c.name.split() for c in members]
        common = 0
        if len(members) > 1:
            while all(len(w) > common + 1 for w in words) and len({tuple(w[:common + 1]) for w in words}) == 1:
                common += 1
        for c, w in zip(members, words):
            rest = " ".join(w[common:]) or c.name
            out[c.id] = given.get(c.id) or rest[:1].upper() + rest[1:]
    return out


@dataclass(frozen=True)
class Codebook:
    codes: tuple[Code, ...]
    version: int | str = 1

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def __getitem__(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def group(self, group: str) -> list[Code]:
        return [c for c in self.codes if c.group == group]


def load_codebook(path: str | Path) -> Codebook:
    path = Path(path)
    if not path.exists():
        raise SamenspelError("codeboek niet gevonden", path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SamenspelError(f"ongeldige YAML: {exc}", path=path) from None
    codes: list[Code] = []
    given: dict[str, str] = {}
    for i, raw in enumerate(data.get("codes") or [], start=1):
        where = f"code {i}"
        for key in ("id", "groep", "naam", "definitie", "indicatoren"):
            if key not in raw:
                raise SamenspelError(f"{where}: veld '{key}' ontbreekt", path=path)
        if not _ID.match(str(raw["id"])):
            raise SamenspelError(f"{where}: id '{raw['id']}' moet uit kleine letters, cijfers en _ bestaan",
                                 path=path)
        if str(raw["id"]) in reserved_ids() or str(raw["id"]).startswith(_RESERVED_PREFIXES):
            raise SamenspelError(f"{where}: id '{raw['id']}' is gereserveerd (een kolomnaam van de uitvoer)",
                                 path=path, hint="kies een andere id, bijvoorbeeld met een achtervoegsel")
        if raw["groep"] not in GROUPS:
            raise SamenspelError(f"{where}: groep '{raw['groep']}' onbekend (kies {' of '.join(GROUPS)})", path=path)
        codes.append(Code(
            id=str(raw["id"]), group=str(raw["groep"]), name=str(raw["naam"]),
            definition=" ".join(str(raw["definitie"]).split()),
            indicators=tuple(str(x) for x in raw["indicatoren"]),
            include=tuple(str(x) for x in raw.get("insluiten") or ()),
            exclude=tuple(str(x) for x in raw.get("uitsluiten") or ()),
            examples=tuple(str(x) for x in raw.get("voorbeelden") or ()),
            axes=dict(raw.get("as") or {}),
        ))
        if raw.get("kort") is not None:
            given[str(raw["id"])] = " ".join(str(raw["kort"]).split())
    if not codes:
        raise SamenspelError("het codeboek bevat geen codes", path=path)
    ids = [c.id for c in codes]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SamenspelError(f"dubbele code-id's: {sorted(dup)}", path=path)
    shorts = short_names(codes, given)
    return Codebook(tuple(replace(c, short=shorts[c.id]) for c in codes), data.get("versie", 1))
