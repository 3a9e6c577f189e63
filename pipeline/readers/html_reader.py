"""HTML pages via trafilatura: the main text, without navigation, banners and footers.

When trafilatura finds no main text, the plain text of the whole page is read instead
(with a warning), and only a page without any visible text is skipped.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from lxml import etree

from pipeline.errors import InputFileError
from pipeline.readers.base import (
    WARNING_PREFIX,
    Paragraph,
    Paragraphs,
    check_file,
    decode_bytes,
    document_reader,
    looks_binary,
)

#: The note that says a page was read in full, menus and footers included.
PLAIN_TEXT_NOTE = (f"{WARNING_PREFIX} geen hoofdtekst gevonden; de platte tekst van de hele pagina gelezen "
                   "(met eventuele menu's en voetteksten)")


@document_reader(".html", ".htm")
def read_html(path: Path) -> list[Paragraph]:
    import trafilatura

    check_file(path)
    decoded = decode_bytes(path.read_bytes(), path)
    if looks_binary(decoded.text):
        raise InputFileError("bevat binaire gegevens, geen tekst", path=path, hint="controleer of de extensie klopt")
    xml = trafilatura.extract(decoded.text, output_format="xml", include_comments=False, include_tables=True,
                              include_formatting=False, favor_recall=True, deduplicate=False)
    if not xml:
        paragraphs = plain_text(decoded.text)
        if not paragraphs:
            raise InputFileError("geen hoofdtekst gevonden in de HTML-pagina", path=path,
                                 hint="sla de pagina op als volledige HTML of lever de tekst als .txt aan")
        return Paragraphs(paragraphs, notes=[PLAIN_TEXT_NOTE])
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


# Elements whose content a visitor does not read as text.
_HIDDEN = {"head", "title", "script", "style", "noscript", "template", "svg", "math"}
# Elements that end the text before them and start a new paragraph.
_BLOCKS = {"address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div",
           "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
           "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td",
           "th", "tr", "ul"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _PlainText(HTMLParser):
    """The visible text of a page, one paragraph per block, headings as sections.

    A streaming tokenizer keeps no tree, so no nesting depth limits it: libxml2, under
    lxml and so trafilatura, stops at 256 levels and drops the text below.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.heading = 0
        self.section: str | None = None
        self.parts: list[str] = []
        self.paragraphs: list[Paragraph] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body":  # a page that never closes its <head>
            self.hidden = 0
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.flush()
            self.heading += tag in _HEADINGS

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.flush()
            self.heading = max(0, self.heading - (tag in _HEADINGS))

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        self.parts = []
        if not text:
            return
        if self.heading:
            self.section = text
        else:
            self.paragraphs.append(Paragraph(text, section=self.section))


def plain_text(html: str) -> list[Paragraph]:
    """Every visible paragraph of a page, for when trafilatura finds no main text."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.paragraphs
