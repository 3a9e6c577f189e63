"""Build the fictitious example regional documents for samenspel.

Inputs:  corpora/src/documents/NN_*.md|txt  (YAML front matter + text) and
         corpora/src/documents/afbrekingen.txt (hyphenation points for PDFs).
Outputs: corpora/documents/<bestand> (PDF, DOCX, HTML, Markdown, plain text)
         and corpora/documents/README.md.

The documents are written for this project and say so near the start. They
exercise the document readers: the PDFs have running headers and footers,
paragraphs spread over lines and pages and words hyphenated at line ends; the
DOCX files use real Word heading and list styles; the HTML pages carry site
boilerplate (cookie banner, menu, breadcrumb, sidebar, footer) around the main
text.

Output is byte-stable: reportlab runs with ``invariant=1``, DOCX core
properties get fixed dates and the DOCX zip is rewritten with fixed
timestamps (by `pipeline.files.stable_zip`, so the samenspel package must be
installed: ``make setup``).

Usage:
    python corpora/build_documents.py [--src DIR] [--out DIR] [--only ID ...]
    python corpora/build_documents.py --hyphenation-candidates
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.files import stable_zip

HERE = Path(__file__).resolve().parent
DEFAULT_SRC = HERE / "src" / "documents"
DEFAULT_OUT = HERE / "documents"
HYPHENATION_FILE = "afbrekingen.txt"
STATEMENT = "Fictief voorbeelddocument, geschreven voor samenspel."

MONTHS_NL = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


@dataclass
class Block:
    """One block of a source: a heading, paragraph, list item or table."""

    kind: str  # title | h2 | h3 | para | item | table
    text: str = ""
    marker: str = ""  # list marker as written: "1.", "a.", "-"
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    meta: dict
    body: str

    @property
    def doc_id(self) -> str:
        return self.path.stem

    @property
    def fmt(self) -> str:
        return str(self.meta["formaat"])


_LIST_RE = re.compile(r"^(\d+\.|[a-z]\.|-)\s+(.*)$")


def read_source(path: Path) -> Source:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise SystemExit(f"{path}: front matter (---) ontbreekt")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    for key in ("bestand", "formaat", "soort", "titel", "datum"):
        if key not in meta:
            raise SystemExit(f"{path}: veld '{key}' ontbreekt in de front matter")
    return Source(path=path, meta=meta, body=body.strip("\n") + "\n")


def parse_blocks(body: str) -> list[Block]:
    """Split a Markdown-like body into blocks (blank line = block boundary)."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [ln.rstrip() for ln in chunk.splitlines() if ln.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            if len(lines) > 1:
                raise ValueError(f"kop met tekst eronder zonder witregel: {first!r}")
            kind = {1: "title", 2: "h2", 3: "h3"}[level]
            blocks.append(Block(kind, first[level:].strip()))
        elif first.startswith("|"):
            rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines]
            blocks.append(Block("table", rows=rows))
        elif all(_LIST_RE.match(ln) for ln in lines) and len(lines) > 1:
            for ln in lines:
                m = _LIST_RE.match(ln)
                blocks.append(Block("item", m.group(2), marker=m.group(1)))
        elif _LIST_RE.match(first):
            m = _LIST_RE.match(first)
            text = " ".join([m.group(2)] + [ln.strip() for ln in lines[1:]])
            blocks.append(Block("item", text, marker=m.group(1)))
        else:
            blocks.append(Block("para", " ".join(ln.strip() for ln in lines)))
    return blocks


def load_hyphenation(src: Path) -> dict[str, list[int]]:
    """Read 'sa-men-wer-king' lines into {'samenwerking': [2, 5, 8]}."""
    points: dict[str, list[int]] = {}
    path = src / HYPHENATION_FILE
    if not path.exists():
        return points
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, cuts, pos = "", [], 0
        for part in line.split("-"):
            word += part
            pos += len(part)
            cuts.append(pos)
        points[word.lower()] = cuts[:-1]
    return points


def nl_date(value) -> str:
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{d.day} {MONTHS_NL[d.month - 1]} {d.year}"


def fixed_datetime(value) -> dt.datetime:
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return dt.datetime(d.year, d.month, d.day, 9, 0, 0, tzinfo=dt.timezone.utc)


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"^([^\w]*)(\w+)([^\w]*)$", re.UNICODE)


@dataclass
class PdfStyle:
    font: str
    size: float
    leading: float
    before: float
    after: float
    hyphenate: bool


PDF_STYLES = {
    "title": PdfStyle("Helvetica-Bold", 16, 20, 0, 8, False),
    "subtitle": PdfStyle("Helvetica", 11, 15, 0, 10, False),
    "statement": PdfStyle("Helvetica-Oblique", 9, 12, 0, 14, False),
    "h2": PdfStyle("Helvetica-Bold", 11.5, 15, 10, 5, False),
    "h3": PdfStyle("Helvetica-Bold", 10.5, 14, 6, 4, False),
    "para": PdfStyle("Helvetica", 10, 14, 0, 8, True),
    "item": PdfStyle("Helvetica", 10, 14, 0, 8, True),
    "table": PdfStyle("Helvetica", 9, 13, 2, 10, False),
}


class PdfLayout:
    """Greedy line breaking with dictionary hyphenation and page layout."""

    def __init__(self, hyphenation: dict[str, list[int]], min_gap: float = 0.06):
        from reportlab.lib.pagesizes import A4

        self.width, self.height = A4
        self.left = 72.0
        self.right = self.width - 72.0
        self.top = self.height - 82.0
        self.bottom = 78.0
        self.hyphenation = hyphenation
        self.min_gap = min_gap
        self.hyphenated: list[str] = []
        self.candidates: dict[str, int] = {}
        self.pages: list[list[tuple]] = [[]]
        self.y = self.top

    # -- line breaking ---------------------------------------------------
    def _split_options(self, token: str) -> list[tuple[str, str]]:
        m = _TOKEN_RE.match(token)
        if not m:
            return []
        lead, core, trail = m.groups()
        cuts = self.hyphenation.get(core.lower(), [])
        return [
            (lead + core[:c] + "-", core[c:] + trail)
            for c in reversed(cuts)
            if c >= 2 and len(core) - c >= 3
        ]

    def wrap(self, text: str, font: str, size: float, width: float,
             hyphenate: bool) -> list[str]:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        def w(s: str) -> float:
            return stringWidth(s, font, size)

        words = text.split()
        lines: list[str] = []
        line = ""
        i = 0
        while i < len(words):
            word = words[i]
            trial = f"{line} {word}" if line else word
            if w(trial) <= width:
                line = trial
                i += 1
                continue
            if not line:  # a single word wider than the line
                lines.append(word)
                i += 1
                continue
            gap = width - w(line)
            if hyphenate and gap > self.min_gap * width:
                done = False
                for head, tail in self._split_options(word):
                    if w(f"{line} {head}") <= width:
                        lines.append(f"{line} {head}")
                        self.hyphenated.append(f"{head}{tail}")
                        words[i] = tail
                        line = ""
                        done = True
                        break
                if done:
                    continue
                m = _TOKEN_RE.match(word)
                if m and len(m.group(2)) >= 9 and "-" not in word:
                    key = m.group(2).lower()
                    self.candidates[key] = self.candidates.get(key, 0) + 1
            lines.append(line)
            line = ""
        if line:
            lines.append(line)
        return lines

    # -- pages -------------------------------------------------------------
    def _new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def _ensure(self, needed: float) -> None:
        if self.y - needed < self.bottom and self.y < self.top:
            self._new_page()

    def _draw(self, font: str, size: float, x: float, text: str) -> None:
        self.pages[-1].append((font, size, x, self.y, text))

    def add_lines(self, lines: list[str], st: PdfStyle, x: float,
                  first_prefix: tuple[float, str] | None = None,
                  keep_with_next: float = 0.0) -> None:
        if self.y < self.top:
            self.y -= st.before
        # keep at least two lines of a paragraph together at a page bottom
        self._ensure(min(len(lines), 2) * st.leading + keep_with_next)
        for n, text in enumerate(lines):
            if self.y - st.leading < self.bottom:
                self._new_page()
            self.y -= st.leading
            if n == 0 and first_prefix:
                self._draw(st.font, st.size, first_prefix[0], first_prefix[1])
            self._draw(st.font, st.size, x, text)
        self.y -= st.after

    def add_table(self, rows: list[list[str]], st: PdfStyle) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        ncol = max(len(r) for r in rows)
        bold = "Helvetica-Bold"
        first_w = max(stringWidth(r[0], bold if i == 0 else st.font, st.size)
                      for i, r in enumerate(rows))
        rest = (self.right - self.left - first_w - 16) / max(ncol - 1, 1)
        xs = [self.left] + [self.left + first_w + 16 + k * rest for k in range(ncol - 1)]
        self.y -= st.before
        self._ensure(len(rows) * st.leading)
        for i, row in enumerate(rows):
            font = bold if i == 0 else st.font
            self.y -= st.leading
            for x, cell in zip(xs, row):
                self._draw(font, st.size, x, cell)
        self.y -= st.after

    def layout(self, blocks: list[Block]) -> None:
        text_w = self.right - self.left
        prev = None
        for b in blocks:
            if b.kind == "table":
                self.add_table(b.rows, PDF_STYLES["table"])
                prev = b.kind
                continue
            kind = b.kind
            if kind == "para" and b.text == STATEMENT:
                kind = "statement"
            elif kind == "para" and prev == "title":
                kind = "subtitle"
            st = PDF_STYLES[kind]
            if kind == "item":
                indent = 18.0
                lines = self.wrap(b.text, st.font, st.size, text_w - indent, st.hyphenate)
                self.add_lines(lines, st, self.left + indent,
                               first_prefix=(self.left, b.marker if b.marker != "-" else "•"))
            else:
                keep = 3 * PDF_STYLES["para"].leading if kind in ("h2", "h3") else 0.0
                lines = self.wrap(b.text, st.font, st.size, text_w, st.hyphenate)
                self.add_lines(lines, st, self.left, keep_with_next=keep)
            prev = kind


def build_pdf(src: Source, out: Path, hyphenation: dict[str, list[int]]) -> dict:
    from reportlab.pdfgen import canvas

    blocks = parse_blocks(src.body)
    lay = PdfLayout(hyphenation)
    lay.layout(blocks)
    total = len(lay.pages)
    header = str(src.meta["kopregel"])

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(lay.width, lay.height), invariant=1)
    c.setTitle(str(src.meta["titel"]))
    c.setAuthor(str(src.meta.get("auteur", "samenspel")))
    c.setSubject(f"{STATEMENT} Soort: {src.meta['soort']}.")
    c.setCreator("samenspel corpora/build_documents.py")
    c.setKeywords("samenspel, fictief, voorbeelddocument")
    for number, ops in enumerate(lay.pages, start=1):
        c.setFillGray(0.35)
        c.setFont("Helvetica", 8)
        c.drawString(lay.left, lay.height - 44, header)
        c.setStrokeGray(0.6)
        c.setLineWidth(0.5)
        c.line(lay.left, lay.height - 50, lay.right, lay.height - 50)
        c.drawCentredString(lay.width / 2, 40, f"Pagina {number} van {total}")
        c.setFillGray(0)
        for font, size, x, y, text in ops:
            c.setFont(font, size)
            c.drawString(x, y, text)
        c.showPage()
    c.save()
    out.write_bytes(buf.getvalue())
    return {"pages": total, "hyphenated": lay.hyphenated, "candidates": lay.candidates}


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------


def _restarted_list_num(doc, style_name: str) -> int:
    """Create a new w:num for the style's abstract numbering, restarting at 1."""
    numbering = doc.part.numbering_part.element
    style = doc.styles[style_name]
    num_id = style.element.pPr.numPr.numId.val
    base = numbering.num_having_numId(num_id)
    num = numbering.add_num(base.abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _set_num(paragraph, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def build_docx(src: Source, out: Path) -> dict:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    blocks = parse_blocks(src.body)
    current_num: int | None = None
    prev = None
    for b in blocks:
        if b.kind != "item":
            current_num = None
        if b.kind == "title":
            doc.add_heading(b.text, level=0)
        elif b.kind == "h2":
            doc.add_heading(b.text, level=1)
        elif b.kind == "h3":
            doc.add_heading(b.text, level=2)
        elif b.kind == "para":
            p = doc.add_paragraph()
            run = p.add_run(b.text)
            if b.text == STATEMENT:
                run.italic = True
        elif b.kind == "item" and b.marker == "-":
            doc.add_paragraph(b.text, style="List Bullet")
        elif b.kind == "item":
            if current_num is None or prev != "item":
                current_num = _restarted_list_num(doc, "List Number")
            p = doc.add_paragraph(b.text, style="List Number")
            _set_num(p, current_num)
        elif b.kind == "table":
            rows = b.rows
            table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Light Grid Accent 1"
            for r, row in enumerate(rows):
                for k, cell in enumerate(row):
                    table.cell(r, k).text = cell
        prev = b.kind

    when = fixed_datetime(src.meta["datum"])
    cp = doc.core_properties
    cp.title = str(src.meta["titel"])
    cp.author = str(src.meta.get("auteur", "samenspel"))
    cp.last_modified_by = "samenspel"
    cp.subject = str(src.meta["soort"])
    cp.comments = STATEMENT
    cp.keywords = "samenspel; fictief; voorbeelddocument"
    cp.category = "voorbeelddocument"
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    cp.revision = 1

    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as written:  # python-docx stamps every entry with the time of writing
        out.write_bytes(stable_zip((info.filename, written.read(info)) for info in written.infolist()))
    return {}


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

SITES = {
    "regio": {
        "name": "Regio Waalvallei",
        "domain": "www.regiowaalvallei.example",
        "menu": [("Home", "/"), ("Over de regio", "/over-de-regio"),
                 ("Wat we doen", "/wat-we-doen"), ("Nieuws", "/nieuws"),
                 ("Bestuur en organisatie", "/bestuur"), ("Contact", "/contact")],
        "sidebar": [
            ("Downloads", [
                ("Regionale Agenda 2025–2029 (pdf, 2,1 MB)", "/documenten/regionale-agenda-2025-2029.pdf"),
                ("Voortgangsrapportage 2024 (pdf, 860 kB)", "/documenten/voortgangsrapportage-2024.pdf"),
            ]),
            ("Direct naar", [
                ("Gemeenschappelijke regeling", "/bestuur/gemeenschappelijke-regeling"),
                ("Regio Deal Waalvallei", "/wat-we-doen/regio-deal"),
                ("Vergaderingen algemeen bestuur", "/bestuur/vergaderingen"),
                ("Jaarverslagen en begrotingen", "/bestuur/financien"),
            ]),
        ],
        "address": ["Regiobureau Regio Waalvallei", "Stationsweg 14", "4001 XX Tiel",
                    "Postbus 4120, 4000 LC Tiel", "info@regiowaalvallei.example"],
        "footer_links": [("Privacyverklaring", "/privacy"), ("Cookies", "/cookies"),
                         ("Toegankelijkheid", "/toegankelijkheid"),
                         ("Proclaimer", "/proclaimer"), ("Sitemap", "/sitemap")],
    },
    "netwerk": {
        "name": "Verbindersnetwerk Waalvallei",
        "domain": "www.verbindersnetwerk-waalvallei.example",
        "menu": [("Home", "/"), ("Over het netwerk", "/over"), ("Nieuws", "/nieuws"),
                 ("Agenda", "/agenda"), ("Intervisie", "/intervisie"),
                 ("Lid worden", "/lid-worden")],
        "sidebar": [
            ("Meer nieuws", [
                ("Nieuwe intervisiegroepen starten in september", "/nieuws/intervisiegroepen-september"),
                ("Terugblik: netwerkdag november 2024 in Tiel", "/nieuws/terugblik-netwerkdag-tiel"),
                ("Regio Deal Waalvallei ondertekend", "/nieuws/regio-deal-ondertekend"),
            ]),
            ("Agenda", [
                ("13 november 2025 — Netwerkdag in Zaltbommel", "/agenda/netwerkdag-zaltbommel"),
                ("2 oktober 2025 — Lunchlezing regionale governance", "/agenda/lunchlezing-governance"),
            ]),
        ],
        "address": ["Verbindersnetwerk Waalvallei", "p/a Regiobureau Regio Waalvallei",
                    "Stationsweg 14", "4001 XX Tiel", "netwerk@verbindersnetwerk-waalvallei.example"],
        "footer_links": [("Privacy", "/privacy"), ("Cookies", "/cookies"),
                         ("Toegankelijkheid", "/toegankelijkheid"), ("Contact", "/contact")],
    },
}


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "pagina"


def _article_html(blocks: list[Block], meta: dict, site_key: str) -> list[str]:
    out: list[str] = []
    open_list: str | None = None

    def close_list() -> None:
        nonlocal open_list
        if open_list:
            out.append(f"        </{open_list}>")
            open_list = None

    for b in blocks:
        if b.kind != "item":
            close_list()
        if b.kind == "title":
            out.append("      <header class=\"article-header\">")
            out.append(f"        <h1>{_esc(b.text)}</h1>")
            if site_key == "netwerk":
                date = dt.date.fromisoformat(str(meta["gepubliceerd"]))
                out.append(f"        <p class=\"article-meta\"><time datetime=\"{date.isoformat()}\">"
                           f"{nl_date(date)}</time> · Nieuws</p>")
            out.append("      </header>")
        elif b.kind in ("h2", "h3"):
            tag = b.kind
            out.append(f"      <{tag} id=\"{_slug(b.text)}\">{_esc(b.text)}</{tag}>")
        elif b.kind == "para":
            cls = " class=\"disclaimer\"" if b.text == STATEMENT else ""
            out.append(f"      <p{cls}>{_esc(b.text)}</p>")
        elif b.kind == "item":
            tag = "ul" if b.marker == "-" else "ol"
            if open_list != tag:
                close_list()
                out.append(f"        <{tag}>")
                open_list = tag
            out.append(f"          <li>{_esc(b.text)}</li>")
        elif b.kind == "table":
            out.append("      <table>")
            for i, row in enumerate(b.rows):
                cell = "th" if i == 0 else "td"
                cells = "".join(f"<{cell}>{_esc(c)}</{cell}>" for c in row)
                out.append(f"        <tr>{cells}</tr>")
            out.append("      </table>")
    close_list()
    return out


def build_html(src: Source, out: Path) -> dict:
    site_key = str(src.meta["site"])
    site = SITES[site_key]
    blocks = parse_blocks(src.body)
    title = str(src.meta["titel"])
    crumbs = list(src.meta.get("kruimelpad", ["Home", title]))
    published = dt.date.fromisoformat(str(src.meta.get("gepubliceerd", src.meta["datum"])))
    first_para = next(b.text for b in blocks if b.kind == "para" and b.text != STATEMENT)
    description = first_para[:155].rsplit(" ", 1)[0] + " …"

    nav = "\n".join(
        f"          <li><a href=\"{href}\">{_esc(label)}</a></li>" for label, href in site["menu"])
    crumb_items = []
    for n, label in enumerate(crumbs):
        if n == len(crumbs) - 1:
            crumb_items.append(f"        <li aria-current=\"page\">{_esc(label)}</li>")
        else:
            href = "/" if n == 0 else "/" + _slug(label)
            crumb_items.append(f"        <li><a href=\"{href}\">{_esc(label)}</a></li>")
    sidebar = []
    for heading, links in site["sidebar"]:
        sidebar.append(f"      <section class=\"sidebar-block\">\n        <h2>{_esc(heading)}</h2>\n        <ul>")
        sidebar += [f"          <li><a href=\"{href}\">{_esc(label)}</a></li>" for label, href in links]
        sidebar.append("        </ul>\n      </section>")
    address = "<br>\n          ".join(_esc(a) for a in site["address"])
    footer_links = "\n".join(
        f"          <li><a href=\"{href}\">{_esc(label)}</a></li>" for label, href in site["footer_links"])
    article = "\n".join("  " + line for line in _article_html(blocks, src.meta, site_key))

    share = ""
    if site_key == "netwerk":
        share = ("\n      <div class=\"share\">\n        <span>Deel dit bericht:</span>\n"
                 "        <a href=\"https://www.linkedin.com/sharing/share-offsite/\">LinkedIn</a>\n"
                 "        <a href=\"mailto:?subject=Nieuws%20Verbindersnetwerk\">E-mail</a>\n      </div>\n"
                 "      <form class=\"newsletter\" action=\"/nieuwsbrief\" method=\"post\">\n"
                 "        <h2>Nieuwsbrief</h2>\n"
                 "        <p>Ontvang vier keer per jaar het laatste nieuws uit het netwerk.</p>\n"
                 "        <label for=\"email\">E-mailadres</label>\n"
                 "        <input id=\"email\" name=\"email\" type=\"email\">\n"
                 "        <button type=\"submit\">Aanmelden</button>\n      </form>")
    page = f"""<!DOCTYPE html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{_esc(title)} | {_esc(site['name'])}</title>
  <meta name="description" content="{_attr(description)}">
  <meta name="generator" content="samenspel corpora/build_documents.py">
  <link rel="canonical" href="https://{site['domain']}/{_slug(title)}">
  <link rel="stylesheet" href="/assets/css/main.css">
  <script>window.dataLayer = window.dataLayer || []; function consent(v) {{ dataLayer.push({{event: 'consent', value: v}}); }}</script>
</head>
<body>
  <a class="skip-link" href="#inhoud">Direct naar de inhoud</a>
  <div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookiemelding">
    <p>Wij gebruiken functionele en analytische cookies om deze website goed te laten werken en te verbeteren. Met uw toestemming plaatsen wij ook cookies voor het tonen van video's. Lees meer in onze <a href="/cookies">cookieverklaring</a>.</p>
    <button type="button" onclick="consent('all')">Alle cookies accepteren</button>
    <button type="button" onclick="consent('necessary')">Alleen noodzakelijke cookies</button>
  </div>
  <header class="site-header">
    <a class="logo" href="/"><img src="/assets/img/logo.svg" alt="{_attr(site['name'])}"></a>
    <form class="search" role="search" action="/zoeken">
      <label for="q">Zoeken op deze website</label>
      <input id="q" name="q" type="search">
      <button type="submit">Zoek</button>
    </form>
    <nav class="main-menu" aria-label="Hoofdmenu">
      <ul>
{nav}
      </ul>
    </nav>
  </header>
  <nav class="breadcrumb" aria-label="Kruimelpad">
    <ol>
{chr(10).join(crumb_items)}
    </ol>
  </nav>
  <div class="layout">
    <main id="inhoud">
      <article>
{article}
      </article>{share}
      <p class="page-meta">Laatst gewijzigd op {nl_date(published)}</p>
    </main>
    <aside class="sidebar" aria-label="Zijbalk">
{chr(10).join(sidebar)}
    </aside>
  </div>
  <footer class="site-footer">
    <div class="footer-columns">
      <section>
        <h2>{_esc(site['name'])}</h2>
        <p>
          {address}
        </p>
        <p>Bereikbaar op werkdagen van 9.00 tot 17.00 uur.</p>
      </section>
      <section>
        <h2>Over deze website</h2>
        <ul>
{footer_links}
        </ul>
      </section>
      <section>
        <h2>Volg ons</h2>
        <ul>
          <li><a href="https://www.linkedin.com/">LinkedIn</a></li>
          <li><a href="/nieuwsbrief">Nieuwsbrief</a></li>
        </ul>
      </section>
    </div>
    <p class="copyright">© {published.year} {_esc(site['name'])} · Fictieve website, geschreven voor samenspel</p>
  </footer>
  <script src="/assets/js/cookie-banner.js" defer></script>
</body>
</html>
"""
    out.write_text(page, encoding="utf-8", newline="\n")
    return {}


# --------------------------------------------------------------------------
# Markdown and plain text
# --------------------------------------------------------------------------


def build_text(src: Source, out: Path) -> dict:
    body = src.body
    if body.startswith(STATEMENT):
        body = body[len(STATEMENT):].lstrip("\n")
    out.write_text(f"{STATEMENT}\n\n{body}", encoding="utf-8", newline="\n")
    return {}


# --------------------------------------------------------------------------
# README and driver
# --------------------------------------------------------------------------

FORMAT_LABEL = {"pdf": "PDF", "docx": "Word (DOCX)", "html": "HTML", "md": "Markdown", "txt": "platte tekst"}


def build_readme(sources: list[Source], out: Path) -> None:
    rows = "\n".join(
        f"| `{s.meta['bestand']}` | {s.meta['soort']} | {FORMAT_LABEL[s.fmt]} |" for s in sources)
    text = f"""# Voorbeelddocumenten

Fictieve regionale beleidsdocumenten over samenwerking in de fictieve Regio
Waalvallei (Buren, Culemborg, Maasdriel, Neder-Betuwe, Tiel, West Betuwe,
West Maas en Waal en Zaltbommel). Alle documenten zijn **fictief en geschreven
voor samenspel**; de samenwerkingsverbanden, organisaties, personen, adressen en
cijfers bestaan niet. Bestaande gemeenten, provincies en plaatsen worden alleen
genoemd om de documenten realistisch te maken. Ieder document zegt aan het
begin dat het fictief is.

De documenten dienen om de lezers (PDF, DOCX, HTML, Markdown, tekst) en de
codering van de pipeline te testen: de PDF's hebben kop- en voetregels op elke
pagina en afgebroken woorden aan regeleinden, de DOCX-bestanden echte
Word-koppen en -opsommingen, en de HTML-pagina's menu, cookiemelding,
kruimelpad, zijbalk en voettekst rond de hoofdtekst.

| Bestand | Soort | Formaat |
|---|---|---|
{rows}

## Opnieuw bouwen

De bronteksten staan in `corpora/src/documents/` (Markdown of tekst met
YAML-kop; afbreekpunten voor de PDF's in `afbrekingen.txt`). Bouwen:

```
pip install reportlab python-docx pyyaml
python corpora/build_documents.py
```

De uitvoer is byte-voor-byte reproduceerbaar (vaste datums en tijdstempels).
"""
    out.write_text(text, encoding="utf-8", newline="\n")


BUILDERS = {"docx": build_docx, "html": build_html, "md": build_text, "txt": build_text}


def run(src: Path, out: Path, only: list[str] | None = None,
        hyphenation_candidates: bool = False) -> list[dict]:
    """Build every source in ``src`` into ``out``; return one summary per document."""
    if not src.is_dir():
        raise SystemExit(f"Bronmap {src} bestaat niet")
    paths = sorted(p for p in src.iterdir()
                   if re.match(r"^\d\d_", p.name) and p.suffix in (".md", ".txt"))
    sources = [read_source(p) for p in paths]
    hyph = load_hyphenation(src)
    out.mkdir(parents=True, exist_ok=True)
    summaries = []
    candidates: dict[str, int] = {}
    for s in sources:
        if only and s.doc_id not in only and str(s.meta["bestand"]) not in only:
            continue
        # md/txt get the statement as their first line from build_text
        if s.fmt not in ("md", "txt") and STATEMENT not in s.body:
            raise SystemExit(f"{s.path}: de zin '{STATEMENT}' ontbreekt")
        target = out / str(s.meta["bestand"])
        info = build_pdf(s, target, hyph) if s.fmt == "pdf" else BUILDERS[s.fmt](s, target)
        for k, v in info.pop("candidates", {}).items():
            candidates[k] = candidates.get(k, 0) + v
        summaries.append({"bestand": target.name, "bytes": target.stat().st_size, **info})
    if not only:
        build_readme(sources, out / "README.md")
    if hyphenation_candidates:
        for word, n in sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"{n:3d}  {word}")
    return summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bouw de fictieve voorbeelddocumenten van samenspel.")
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="map met bronteksten")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="uitvoermap")
    parser.add_argument("--only", nargs="*", help="alleen deze documenten (id of bestandsnaam)")
    parser.add_argument("--hyphenation-candidates", action="store_true",
                        help="toon woorden zonder afbreekpunten die een PDF-regel kort lieten")
    args = parser.parse_args(argv)
    summaries = run(args.src, args.out, args.only, args.hyphenation_candidates)
    for s in summaries:
        extra = f", {s['pages']} pagina's, {len(s['hyphenated'])} afbrekingen" if "pages" in s else ""
        print(f"  {s['bestand']} ({s['bytes']} bytes{extra})")
    print(f"{len(summaries)} documenten geschreven naar {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
