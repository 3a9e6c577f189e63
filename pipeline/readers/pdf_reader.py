"""PDF documents via pdfplumber: text layer, page numbers, paragraphs, headings.

Lines are grouped into paragraphs by vertical gaps. Headers and footers are lines at
the top or bottom of the page that repeat (digits ignored) on at least half of the
pages; they are dropped. Words hyphenated at a line end are joined again. A short
one-line paragraph in a larger or bold font, or numbered like a heading ("3.2 Regie",
"Artikel 4", "Hoofdstuk 2"), without closing punctuation, is a heading: it becomes the
`section` of the paragraphs below it, as headings in DOCX, HTML and Markdown do.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.readers.base import Paragraph, check_file, document_reader

#: Share of the page height at the top and bottom where running headers/footers live.
MARGIN = 0.1
#: A vertical gap larger than this many times the usual line gap starts a paragraph.
PARAGRAPH_GAP = 1.45
#: Below this many characters per page on average, the PDF is treated as a scan.
MIN_CHARS_PER_PAGE = 25

#: A heading is at most this long (characters and words) and on one line.
HEADING_MAX_CHARS = 100
HEADING_MAX_WORDS = 12
#: A font this much larger than the body text marks a heading.
HEADING_SIZE_RATIO = 1.12
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?|[IVX]+\.|(?:artikel|hoofdstuk|paragraaf|bijlage)\s+\w+\.?|§\s*\d+)"
                               r"(?:\s+\S.*)?$", re.IGNORECASE)
_LABEL_ONLY = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*|[IVX]+|(?:artikel|hoofdstuk|paragraaf|bijlage)\s+\w+)\.", re.IGNORECASE)
_BOLD = ("bold", "black", "heavy", "semibold", "demi")

_HYPHEN_END = re.compile(r"(\w)-$")
_KEEP_HYPHEN_NEXT = {"en", "of", "tot", "dan", "noch"}  # "gemeente- en provinciegrenzen"


def _norm(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines, repairing words hyphenated at a line end."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        m = _HYPHEN_END.search(out)
        first_word = line.split()[0] if line.split() else ""
        if m and first_word[:1].islower() and first_word.rstrip(".,;:") not in _KEEP_HYPHEN_NEXT:
            out = out[:-1] + line
        else:
            out = out + " " + line
    return out


@document_reader(".pdf")
def read_pdf(path: Path) -> list[Paragraph]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    check_file(path)
    pages: list[tuple[int, float, list[dict]]] = []
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                lines = page.extract_text_lines(layout=False, strip=True, return_chars=True)
                for ln in lines:  # keep only the font facts of the characters
                    chars = [c for c in ln.pop("chars", []) if not c.get("text", "").isspace()]
                    ln["size"] = statistics.median(float(c.get("size") or 0.0) for c in chars) if chars else 0.0
                    ln["bold"] = bool(chars) and (sum(any(b in str(c.get("fontname", "")).lower() for b in _BOLD)
                                                      for c in chars) > len(chars) / 2)
                pages.append((page.page_number, float(page.height), lines))
    except PDFPasswordIncorrect:
        raise InputFileError("PDF is versleuteld met een wachtwoord", path=path,
                             hint="sla een versie zonder wachtwoord op") from None
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many types for broken files
        # pdfplumber wraps pdfminer's errors; look at the wrapped one too.
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        name = type(exc).__name__
        if any(k in type(e).__name__ for e in (exc, inner) for k in ("Password", "Encrypt")):
            raise InputFileError("PDF is versleuteld", path=path, hint="sla een versie zonder wachtwoord op") from None
        raise InputFileError(f"PDF is beschadigd of afgekapt ({name})", path=path,
                             hint="download of exporteer het bestand opnieuw") from None
    if not pages:
        raise InputFileError("PDF heeft geen pagina's", path=path)
    total_chars = sum(len(ln["text"]) for _, _, lines in pages for ln in lines)
    if total_chars < MIN_CHARS_PER_PAGE * len(pages):
        raise InputFileError("PDF heeft geen tekstlaag (gescand beeld?)", path=path,
                             hint="voer eerst OCR uit, bijvoorbeeld met ocrmypdf, en lever die PDF aan")

    # Running headers and footers: near the edge, and repeated on >= half of the pages.
    edge_counts: Counter[str] = Counter()
    for _, height, lines in pages:
        seen = {_norm(ln["text"]) for ln in lines
                if ln["top"] < MARGIN * height or ln["bottom"] > (1 - MARGIN) * height}
        edge_counts.update(seen)
    min_repeat = max(2, (len(pages) + 1) // 2)
    repeated = {t for t, n in edge_counts.items() if n >= min_repeat} if len(pages) >= 2 else set()

    body_lines = [ln for _, height, lines in pages for ln in lines]
    sizes = [ln["size"] for ln in body_lines for _ in range(max(1, len(ln["text"])))]
    body_size = statistics.median(sizes) if sizes else 0.0
    bold_chars = sum(len(ln["text"]) for ln in body_lines if ln["bold"])
    body_bold = bold_chars > 0.5 * max(1, sum(len(ln["text"]) for ln in body_lines))

    def is_heading(block: list[dict]) -> bool:
        if len(block) != 1:
            return False
        line = block[0]
        text = " ".join(line["text"].split())
        if (not any(ch.isalpha() for ch in text) or len(text) > HEADING_MAX_CHARS
                or len(text.split()) > HEADING_MAX_WORDS or text.endswith((",", ";", ":"))):
            return False
        numbered = _NUMBERED_HEADING.match(text)
        if text.endswith(".") and not (numbered and _LABEL_ONLY.fullmatch(text)):
            return False  # a sentence, unless the whole line is a label like "Artikel 4."
        larger = body_size > 0 and line["size"] >= HEADING_SIZE_RATIO * body_size
        bolder = line["bold"] and not body_bold
        # Numbered without a font cue: only "3.2 Regie"-like lines, not list items "1. wonen".
        rest = text[numbered.end(1):].strip() if numbered else ""
        return larger or bolder or bool(numbered and (not rest or rest[:1].isupper()))

    blocks: list[tuple[int, list[dict]]] = []
    for page_no, height, lines in pages:
        body = [ln for ln in lines if not (
            _norm(ln["text"]) in repeated and (ln["top"] < MARGIN * height or ln["bottom"] > (1 - MARGIN) * height))]
        # A lone page number in the margin is a footer too.
        body = [ln for ln in body if not (re.fullmatch(r"[-–—\s]*\d+[-–—\s]*", ln["text"])
                                          and (ln["top"] < MARGIN * height or ln["bottom"] > (1 - MARGIN) * height))]
        if not body:
            continue
        gaps = sorted(b["top"] - a["bottom"] for a, b in zip(body, body[1:]) if b["top"] > a["top"])
        # The usual gap between wrapped lines: a low quantile, because pages with many
        # one-line paragraphs have more paragraph gaps than line gaps.
        usual = gaps[len(gaps) // 4] if gaps else 0.0
        heights = [ln["bottom"] - ln["top"] for ln in body]
        line_h = statistics.median(heights) if heights else 10.0
        threshold = max(usual * PARAGRAPH_GAP, usual + 0.35 * line_h)
        block = [body[0]]
        for prev, ln in zip(body, body[1:]):
            gap = ln["top"] - prev["bottom"]
            blank_line = gap > 1.2 * line_h and gap > usual * 1.15
            # A change of font size or weight between lines also ends a paragraph (a heading
            # set right above its text).
            font_change = (abs(ln["size"] - prev["size"]) > 0.1 * max(body_size, 1.0) or ln["bold"] != prev["bold"])
            if gap > threshold or blank_line or ln["top"] < prev["top"] or font_change:
                blocks.append((page_no, block))
                block = [ln]
            else:
                block.append(ln)
        blocks.append((page_no, block))

    paragraphs: list[Paragraph] = []
    section: str | None = None
    for i, (page_no, block) in enumerate(blocks):
        text = join_lines([ln["text"] for ln in block])
        # A heading names the paragraphs below it; one with nothing below stays a paragraph.
        if is_heading(block) and any(not is_heading(b) for _, b in blocks[i + 1:]):
            section = " ".join(text.split())
            continue
        paragraphs.append(Paragraph(text, page=page_no, section=section))

    # A paragraph cut by a page break continues in lower case on the next page.
    merged: list[Paragraph] = []
    for para in paragraphs:
        if (merged and para.page != merged[-1].page and para.text[:1].islower()
                and not merged[-1].text.rstrip().endswith((".", "!", "?", ":"))):
            merged[-1].text = join_lines([merged[-1].text, para.text])
        else:
            merged.append(para)
    return [p for p in merged if p.text.strip()]
