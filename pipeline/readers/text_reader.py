"""Plain text (.txt) and Markdown (.md) documents.

Plain text: paragraphs are separated by blank lines; hard-wrapped lines are joined.
Markdown is parsed with markdown-it-py, so markup never reaches the passages.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.readers.base import Paragraph, check_file, decode_bytes, document_reader, looks_binary


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


@document_reader(".md", ".markdown")
def read_markdown(path: Path) -> list[Paragraph]:
    from markdown_it import MarkdownIt

    text = _decode(path)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    out: list[Paragraph] = []
    section: str | None = None
    in_heading = False
    row: list[str] | None = None
    for tok in tokens:
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "heading_close":
            in_heading = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and row is not None:
            if any(row):
                out.append(Paragraph(" | ".join(c for c in row if c), section=section))
            row = None
        elif tok.type == "inline":
            plain = " ".join(_inline_text(tok).split())
            if not plain:
                continue
            if in_heading:
                section = plain
            elif row is not None:
                row.append(plain)
            else:
                out.append(Paragraph(plain, section=section))
    return out


def _inline_text(tok) -> str:
    parts = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
