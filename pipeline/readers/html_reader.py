"""HTML pages via trafilatura: the main text, without navigation, banners and footers."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from pipeline.errors import InputFileError
from pipeline.readers.base import Paragraph, check_file, decode_bytes, document_reader


@document_reader(".html", ".htm")
def read_html(path: Path) -> list[Paragraph]:
    import trafilatura

    check_file(path)
    decoded = decode_bytes(path.read_bytes(), path)
    xml = trafilatura.extract(decoded.text, output_format="xml", include_comments=False, include_tables=True,
                              include_formatting=False, favor_recall=True, deduplicate=False)
    if not xml:
        raise InputFileError("geen hoofdtekst gevonden in de HTML-pagina", path=path,
                             hint="sla de pagina op als volledige HTML of lever de tekst als .txt aan")
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    if main is None:
        main = root
    # Text outside any block (a page without <p>, or between blocks) is left loose in <main>.
    loose = [(None, main.text)] + [(child, child.tail) for child in main]
    for child, text in reversed(loose):
        if text and text.strip():
            block = etree.Element("p")
            block.text = text
            if child is None:
                main.text = None
                main.insert(0, block)
            else:
                child.tail = None
                child.addnext(block)
    out: list[Paragraph] = []
    section: str | None = None
    for el in main.iter("head", "p", "item", "row", "quote"):
        if el.tag == "row":
            cells = [" ".join("".join(c.itertext()).split()) for c in el.iter("cell")]
            text = " | ".join(c for c in cells if c)
        elif el.tag in ("p", "item", "quote") and el.getparent() is not None and el.getparent().tag in ("item", "cell"):
            continue
        else:
            text = " ".join("".join(el.itertext()).split())
        if not text:
            continue
        if el.tag == "head":
            section = text
            continue
        out.append(Paragraph(text, section=section))
    return out
