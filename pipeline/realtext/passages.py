"""Real text the project did not write: reading it by locator, for the development set.

The real-text development set (`corpora/devset/labels.jsonl`) stores only labels and a
locator per passage, never the text: the texts are in the `shared` folder beside the
project (`../shared`, or `$SAMENSPEL_SHARED`), which a user's machine usually does not
have. This module turns those files into passages the same way every time, so that a
locator keeps pointing at the same text:

- Markdown (`realdev/regelingen/*.md`, `realworld/gebruikersonderzoeken/**/*.md`): blocks
  separated by blank lines, numbered from 0 among the non-empty blocks after front matter
  and HTML comments; the text is the block with Markdown marks and HTML tags removed.
- The Baarn coalition agreement (YAML): every `tekst` field, numbered in file order.
- The Amsterdam citizen reports (CSV): the `Tekst` cell of each row.
- The partypanel exports (CSV): each non-missing cell of an open-answer column.

Each passage also carries a short hash of its source text (the raw block or cell, so that
a better cleaning does not orphan the labels); a label whose hash no longer matches is
reported, not silently measured on other text.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SamenspelError

#: Sources whose passages are, by construction, not about collaboration between
#: organisations (the off-domain false-positive rate is measured on them).
OFF_DOMAIN = ("meldingen", "partypanel", "gebruikersonderzoek")
#: Which kind of text each source stands for.
KIND = {"regelingen": "document", "baarn": "document", "meldingen": "answer", "partypanel": "answer",
        "gebruikersonderzoek": "answer"}
PARTYPANEL_COLUMNS = re.compile(r"^(adviseFriend|disclose|extraQuestions_|extraQuestJustificat_|expertise$|"
                                r"recruitment$|suggestion$|justification$)")
NA = {"", "NA", "N/A", "NaN", "nan", "NULL", "-99", "-999"}


@dataclass(frozen=True)
class RealPassage:
    """One passage of real text: `locator` is unique and stable, `digest` hashes the raw
    source text the passage was made from."""

    locator: str
    source: str
    text: str
    raw: str = ""

    @property
    def kind(self) -> str:
        return KIND[self.source]

    @property
    def digest(self) -> str:
        return hashlib.sha1((self.raw or self.text).encode("utf-8")).hexdigest()[:10]


def shared_dir(explicit: str | Path | None = None) -> Path | None:
    """The shared folder: the argument, `$SAMENSPEL_SHARED`, or `../shared`; None if absent."""
    for cand in (explicit, os.environ.get("SAMENSPEL_SHARED"), Path.cwd().parent / "shared"):
        if cand and Path(cand, "realdev").is_dir():
            return Path(cand)
    if explicit:
        raise SamenspelError("map met echte teksten niet gevonden (realdev/ ontbreekt)", path=explicit)
    return None


_TAG = re.compile(r"<sup>.*?</sup>|<[^>]+>", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"^\s*#+\s*", re.M)
_EMPHASIS = re.compile(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)")
_RULE = re.compile(r"^[\s|:\-]*$")


def clean_markdown(block: str, links: bool = True) -> str:
    """A Markdown block as plain text: no tags, heading marks, emphasis or table rules,
    and links as their text (`links=False`: as written, which is how the sample was drawn)."""
    text = _TAG.sub("", block)
    if links:
        text = _LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = text.replace("\\", "")
    return re.sub(r"\s+", " ", text).strip()


def markdown_blocks(path: Path) -> list[tuple[str, str]]:
    """(raw, cleaned) non-empty blocks of a Markdown file, without front matter and comments."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if raw.startswith("---"):
        end = raw.find("\n---", 3)
        raw = raw[end + 4:] if end > 0 else raw
    raw = re.sub(r"<!--.*?-->", "", raw, flags=re.S)
    raw = re.sub(r"^(import|export) .*$", "", raw, flags=re.M)  # MDX lines
    out = []
    for block in re.split(r"\n\s*\n", raw):
        if _RULE.match(block):
            continue
        text = clean_markdown(block)
        if text and any(ch.isalpha() for ch in text):
            out.append((block.strip(), text))
    return out


def read_passages(shared: Path) -> list[RealPassage]:
    """Every passage of every source, in a fixed order."""
    out: list[RealPassage] = []
    for path in sorted((shared / "realdev" / "regelingen").glob("*.md")):
        rel = path.relative_to(shared).as_posix()
        out += [RealPassage(f"{rel}#{i}", "regelingen", t, r) for i, (r, t) in enumerate(markdown_blocks(path))]
    world = shared / "realworld"
    research = world / "gebruikersonderzoeken" / "docs"
    for path in sorted(research.rglob("*.md")):
        rel = path.relative_to(shared).as_posix()
        out += [RealPassage(f"{rel}#{i}", "gebruikersonderzoek", t, r)
                for i, (r, t) in enumerate(markdown_blocks(path))]
    baarn = world / "baarn-raadsinformatie" / "coalitieakkoord.yaml"
    if baarn.exists():
        import yaml

        texts: list[str] = []

        def walk(node) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("tekst"), str):
                    texts.append(node["tekst"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(yaml.safe_load(baarn.read_text(encoding="utf-8")))
        rel = baarn.relative_to(shared).as_posix()
        out += [RealPassage(f"{rel}#{i}", "baarn", re.sub(r"\s+", " ", t).strip(), t) for i, t in enumerate(texts)]
    reports = world / "example-textual-classification-citizen-reports" / "voorbeeld_meldingen.csv"
    if reports.exists():
        rel = reports.relative_to(shared).as_posix()
        with reports.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                raw = row.get("Tekst") or ""
                text = re.sub(r"\s+", " ", raw).strip()
                if text:
                    out.append(RealPassage(f"{rel}#row={i}", "meldingen", text, raw))
    for path in sorted((world / "partypanel-18.1").glob("*.csv")):
        rel = path.relative_to(shared).as_posix()
        with path.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                for col, value in row.items():
                    text = re.sub(r"\s+", " ", value or "").strip()
                    if col and PARTYPANEL_COLUMNS.match(col) and text not in NA:
                        out.append(RealPassage(f"{rel}#row={i}&col={col}", "partypanel", text, value))
    return out


#: Words that make a regulation's block likely to be about collaboration; part of each
#: regulation's sample is drawn among such blocks so that the set holds enough hard cases.
COLLAB = re.compile(r"samenwerk|overleg|partner|partij|regio|gemeenten|convenant|afstemm|coördin|regie|belang|"
                    r"netwerk|bestuur", re.I)


#: Stronger signs of collaboration, for the second, enriched draw.
STRONG = re.compile(r"samenwerk|gezamenlijk|overleg|afstemm|coördin|regie|partners|deelnemers|stuurgroep|"
                    r"regionale?\b|gemeenten", re.I)


def sample_devset(passages: list[RealPassage], seed: int = 20261207) -> list[RealPassage]:
    """The development sample (how `corpora/devset/labels.jsonl` was drawn).

    First draw: per regulation 4 random blocks and 3 among those matching `COLLAB`; 80
    passages of the coalition agreement; all citizen reports and partypanel answers; 100
    blocks of the user-research reports. The first draw held too few coded passages to
    measure per code, so a second draw adds 160 regulation blocks of at least 12 words
    matching `STRONG` and 40 more coalition-agreement passages. Duplicated texts are drawn
    once.
    """
    rng = random.Random(seed)
    # The sample was drawn before links were reduced to their text; draw on that text.
    passages = [RealPassage(p.locator, p.source, clean_markdown(p.raw, links=False), p.raw)
                if p.locator.split("#")[0].endswith(".md") else p for p in passages]
    by_source: dict[str, list[RealPassage]] = {}
    for p in passages:
        by_source.setdefault(p.source, []).append(p)
    chosen: list[RealPassage] = []
    files: dict[str, list[RealPassage]] = {}
    for p in by_source.get("regelingen", []):
        files.setdefault(p.locator.split("#")[0], []).append(p)
    for name in sorted(files):
        blocks = files[name]
        first = rng.sample(blocks, min(4, len(blocks)))
        rest = [b for b in blocks if b not in first and COLLAB.search(b.text)]
        chosen += first + rng.sample(rest, min(3, len(rest)))
    chosen += rng.sample(by_source.get("baarn", []), min(80, len(by_source.get("baarn", []))))
    chosen += by_source.get("meldingen", []) + by_source.get("partypanel", [])
    research = by_source.get("gebruikersonderzoek", [])
    chosen += rng.sample(research, min(100, len(research)))
    drawn = {p.locator for p in chosen}
    strong = [p for p in by_source.get("regelingen", [])
              if p.locator not in drawn and len(p.text.split()) >= 12 and STRONG.search(p.text)]
    chosen += rng.sample(strong, min(160, len(strong)))
    baarn_rest = [p for p in by_source.get("baarn", []) if p.locator not in drawn]
    chosen += rng.sample(baarn_rest, min(40, len(baarn_rest)))
    seen: set[str] = set()
    unique = []
    for p in chosen:
        if p.text not in seen:
            seen.add(p.text)
            unique.append(p)
    return unique


# ------------------------------------------------------------------ the development set


def load_labels(path: str | Path) -> list[dict]:
    """The development set's labels: one JSON object per passage (see corpora/devset/README.md)."""
    import json

    path = Path(path)
    if not path.exists():
        raise SamenspelError("labels van de echte ontwikkelset ontbreken", path=path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for n, row in enumerate(rows, start=1):
        missing = [k for k in ("locator", "digest", "source", "coder_a", "coder_b", "codes") if k not in row]
        if missing:
            raise SamenspelError(f"regel {n}: velden {missing} ontbreken", path=path)
    return rows


def devset(shared: Path, labels: list[dict]) -> tuple[list[dict], list[str]]:
    """Labels joined with their text from `shared`: (rows with a `text`, locators that
    no longer match their text or are gone)."""
    texts = {p.locator: p for p in read_passages(shared)}
    rows, drifted = [], []
    for row in labels:
        p = texts.get(row["locator"])
        if p is None or p.digest != row["digest"]:
            drifted.append(row["locator"])
        else:
            rows.append({**row, "text": p.text})
    return rows, drifted
