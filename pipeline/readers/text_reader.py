"""Plain text (.txt) and Markdown (.md) documents.

Plain text: paragraphs are separated by blank lines; hard-wrapped lines are joined.
Markdown is parsed with markdown-it-py, so markup never reaches the passages; the headings
above a paragraph become its section, nested ("Hoofdstuk 2 › Artikel 7").
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.readers.base import Paragraph, check_file, decode_bytes, document_reader, looks_binary
from pipeline.schema import SECTION_SEPARATOR, STATUS_SIGNATURE

# Real renderings of Dutch regulations write `####Begripsbepalingen`; CommonMark wants a space.
_ATX_NO_SPACE = re.compile(r"^( {0,3}#{1,6})(?=[^#\s])", re.MULTILINE)

# Units of Dutch regulations, from large to small. Renderings often put "Hoofdstuk" and "Artikel"
# at the same heading level, so an article nests under its chapter by rank, not by level.
# A heading that is only "Toelichting" explains the unit above it and ranks below an article.
_UNIT_RANK = {"bijlage": 0, "hoofdstuk": 1, "afdeling": 2, "paragraaf": 3, "§": 3, "artikel": 4,
              "aanwijzing": 4, "toelichting": 5}
_UNIT = re.compile(r"^(bijlage|hoofdstuk|afdeling|paragraaf|§|artikel|aanwijzing)(?=[\s\d.:]|$)|^(toelichting):?$",
                   re.IGNORECASE)
# "Hoofdstuk I", "§ 2.1", "Artikel 3a": a unit without its title, which often follows as the next heading.
_BARE_UNIT = re.compile(r"^(bijlage|hoofdstuk|afdeling|paragraaf|§|artikel|aanwijzing)"
                        r"(\s*([0-9]+[a-z]?(\.[0-9]+)*|[IVXLC]+|[A-Z]))?\.?$", re.IGNORECASE)

_FOOTNOTE_MARK = re.compile(r"^\s*[0-9*†]+\)?\s*")
# CommonMark leaves unbalanced emphasis marks ("*Derde lid:*Aan") and bullets after "a." as text;
# a mark glued between punctuation and a word stood for a space.
_GLUED_MARK = re.compile(r"(?<=[:;.,])\*+(?=\w)")

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
# Lines a signature block is made of: who signs, "w.g.", initials and name, place and date.
_SIGNER = re.compile(r"^(de|het)?\s*(minister|staatssecretaris|minister-president|voorzitter|secretaris|griffier|"
                     r"burgemeester|gouverneur|commissaris|koning|koningin|directeur)\b[^.;:]*,?$", re.IGNORECASE)
_ANCHOR = re.compile(rf"^([wW]\.[gG]\..*|([A-Z]\.\s?){{1,4}}\s*[^\W\d_][\w'’ -]*|([Dd]en [Hh]aag|'s-Gravenhage)\b.*|"
                     rf"([^\W\d_][\w'’ -]*,\s*)?\d{{1,2}}\s+({_MONTHS})\s+\d{{4}}\.?)$")
_STRONG_ANCHOR = re.compile(rf"^([wW]\.[gG]\.|.*\d{{1,2}}\s+({_MONTHS})\s+\d{{4}})")
# "Onderwijs, Cultuur en Wetenschap," continues a signer's title (but "a. het bestuur," is a list item).
_TITLE_GOES_ON = re.compile(r"^(?![a-z0-9]{1,3}[.)])[^.;:]*,$")
_SIGNATURE_LINE_CHARS = 60


def _decode(path: Path) -> str:
    check_file(path)
    decoded = decode_bytes(path.read_bytes(), path)
    if looks_binary(decoded.text):
        raise InputFileError("bevat binaire gegevens, geen tekst", path=path, hint="controleer of de extensie klopt")
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputFileError("bestand bevat geen tekst", path=path)
    return text


@document_reader(".txt", ".text")
def read_txt(path: Path) -> list[Paragraph]:
    text = _decode(path)
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if lines:
            out.append(Paragraph(" ".join(lines)))
    return out


def _signature_lines(lines: list[str]) -> bool:
    """Every line could be part of a signature block (short, and a signer, a name, a place or a date)."""
    return bool(lines) and all(len(line) <= _SIGNATURE_LINE_CHARS and (
        _ANCHOR.match(line) or _SIGNER.match(line) or line.lower() in ("de", "het")
        or _TITLE_GOES_ON.match(line)) for line in lines)


def _is_signature(lines: list[str]) -> bool:
    """A run of short lines saying who signed, where and when ("De Minister van X,", "w.g. J. Jansen")."""
    if not _signature_lines(lines):
        return False
    anchors = [line for line in lines if _ANCHOR.match(line)]
    signed = any(_SIGNER.match(line) for line in lines) or len(lines) >= 2
    return bool(anchors) and (signed or bool(_STRONG_ANCHOR.match(anchors[0])))


class _Sections:
    """The open headings above the current paragraph, nested by heading level (and unit rank)."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, int | None, str]] = []  # (level, unit rank or None, title)
        self.just_opened = False  # the last block was a heading, with no paragraph after it yet

    def open(self, level: int, title: str) -> None:
        rank = self._rank(title)
        if self.just_opened and self.stack and rank is None:
            top_level, top_rank, top_title = self.stack[-1]
            if level >= top_level and _BARE_UNIT.match(top_title):  # "### Artikel 3" + "####Taken"
                self.stack[-1] = (top_level, top_rank, f"{top_title} {title}")
                return
        parent = [i for i, (_, r, _) in enumerate(self.stack) if rank is not None and r is not None and r < rank]
        if parent:
            del self.stack[parent[-1] + 1:]
        else:
            while self.stack and (self.stack[-1][0] >= level
                                  or (rank is not None and self.stack[-1][1] is not None)):
                self.stack.pop()
        self.stack.append((level, rank, title))
        self.just_opened = True

    def path(self) -> str | None:
        """The section of the paragraph read now; a heading after it no longer completes the one above."""
        self.just_opened = False
        return SECTION_SEPARATOR.join(title for _, _, title in self.stack) or None

    @staticmethod
    def _rank(title: str) -> int | None:
        unit = _UNIT.match(title)
        return _UNIT_RANK[(unit.group(1) or unit.group(2)).lower()] if unit else None


@document_reader(".md", ".markdown")
def read_markdown(path: Path) -> list[Paragraph]:
    """Paragraphs of a Markdown document, each with the path of headings above it.

    Lenient with renderings of regulations: headings without a space after `#`, lid numbers
    of ordered lists kept ("1. ..."), footnote markers in <sup> dropped, table rules and
    emphasis marks left out. A signature block stays a passage, with status 'signature'.
    """
    from markdown_it import MarkdownIt

    text = _ATX_NO_SPACE.sub(r"\1 ", _decode(path))
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    out: list[Paragraph] = []
    sections = _Sections()
    heading_level: int | None = None
    row: list[str] | None = None
    number: str | None = None  # the lid number of the ordered-list item being read
    run: list[tuple[Paragraph, list[str]]] = []  # consecutive paragraphs that may form a signature block
    for tok in tokens:
        if tok.type in ("heading_open", "tr_open"):
            _mark_signature(run)
        if tok.type == "heading_open":
            heading_level = int(tok.tag[1])
        elif tok.type == "heading_close":
            heading_level = None
        elif tok.type in ("list_item_open", "list_item_close"):
            number = f"{tok.info}{tok.markup}" if tok.type == "list_item_open" and tok.info else None
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and row is not None:
            if row:
                out.append(Paragraph(" | ".join(row), section=sections.path()))
            row = None
        elif tok.type == "inline":
            lines = [_clean(line) for line in _inline_lines(tok)]
            lines = [line for line in lines if line]
            plain = " ".join(lines)
            if not re.search(r"\w", plain):  # an emphasis mark or a rule, nothing to read
                continue
            if heading_level is not None:
                sections.open(heading_level, plain)
            elif row is not None:
                row.append(plain)
            else:
                if number:
                    plain, number = f"{number} {plain}", None
                out.append(Paragraph(plain, section=sections.path()))
                if _signature_lines(lines):
                    run.append((out[-1], lines))
                else:
                    _mark_signature(run)
    _mark_signature(run)
    return out


def _mark_signature(run: list[tuple[Paragraph, list[str]]]) -> None:
    """Flag the paragraphs of a signature block, whether its lines share one paragraph or not; empty the run."""
    if run and _is_signature([line for _, lines in run for line in lines]):
        for para, _ in run:
            para.status = STATUS_SIGNATURE
    run.clear()


def _clean(line: str) -> str:
    line = _GLUED_MARK.sub(" ", line).replace("*", "")
    return " ".join(line.split())


def _inline_lines(tok) -> list[str]:
    """The text of an inline token, one string per source line; footnote markers in <sup> dropped."""
    lines, parts = [], []
    sup: list[str] | None = None
    for child in tok.children or []:
        if child.type == "html_inline" and re.match(r"<sup\b", child.content, re.IGNORECASE):
            sup = []
        elif child.type == "html_inline" and re.match(r"</sup\s*>", child.content, re.IGNORECASE) and sup is not None:
            parts.append(_footnote("".join(sup)))
            sup = None
        elif child.type in ("text", "code_inline"):
            (sup if sup is not None else parts).append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            if sup is not None:
                sup.append(" ")
            else:
                lines.append("".join(parts))
                parts = []
    if sup is not None:  # never closed: keep what it says
        parts.append(_footnote("".join(sup)))
    lines.append("".join(parts))
    return lines


def _footnote(text: str) -> str:
    """A footnote marker ("1", "*") disappears; a footnote written out in the <sup> keeps its words."""
    words = _FOOTNOTE_MARK.sub("", text, count=1).strip()
    return f" {words} " if len(words) > 3 else ""
