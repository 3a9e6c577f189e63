"""Word (.docx) documents via python-docx: paragraphs, headings, tables in body order."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from lxml.etree import XMLSyntaxError

from pipeline.errors import InputFileError
from pipeline.readers.base import Paragraph, check_file, check_zip, document_reader


def _is_heading(paragraph) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    return style.lower().startswith(("heading", "kop", "title", "titel"))


@document_reader(".docx")
def read_docx(path: Path) -> list[Paragraph]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    check_file(path)
    check_zip(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, XMLSyntaxError, KeyError, ValueError) as exc:
        raise InputFileError(f"Word-bestand is beschadigd of geen .docx ({type(exc).__name__})", path=path,
                             hint="open het in Word en sla het opnieuw op als .docx") from None
    out: list[Paragraph] = []
    section: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, DocxParagraph):
            text = " ".join(block.text.split())
            if not text:
                continue
            if _is_heading(block):
                section = text
                continue
            out.append(Paragraph(text, section=section))
        elif isinstance(block, Table):
            for row in block.rows:
                cells = []
                for cell in row.cells:
                    t = " ".join(cell.text.split())
                    if t and t not in cells:  # merged cells repeat their text
                        cells.append(t)
                if cells:
                    out.append(Paragraph(" | ".join(cells), section=section))
    return out
