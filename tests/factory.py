"""Builders for test input files, written for this project.

Binary fixtures (XLSX, SAV, PDF, DOCX) are generated at test time instead of being
committed, so every test input is readable in this file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import yaml

ANSWERS = [
    "Ik ben vooral verbinder tussen de gemeenten in de regio en ken de partners goed.",
    "Als penvoerder van de regio deal bereid ik de stuurgroep voor.",
    "weet niet",
    "",
    "De lokale belangen schuren met de regionale opgave, dat moet bespreekbaar worden.",
    "Er zijn te veel overlegtafels die niets opleveren;\nwe praten maar door.",
]


def survey_rows(n: int = 6) -> list[dict[str, str]]:
    return [
        {"respondent": f"R{i + 1:03d}", "organisatie": ["gemeente", "provincie"][i % 2],
         "functie": "beleidsadviseur", "antwoord_rol": ANSWERS[i % len(ANSWERS)],
         "antwoord_uitdaging": ANSWERS[(i + 3) % len(ANSWERS)]}
        for i in range(n)
    ]


def write_spec(path: Path, file: str, wave: str = "2030", **extra) -> Path:
    spec = {"wave": wave, "date": "2030-03-01", "file": file, "id_column": "respondent",
            "questions": {"rol": {"column": "antwoord_rol", "text": "Wat is je rol?"},
                          "uitdaging": {"column": "antwoord_uitdaging", "text": "Grootste uitdaging?"}},
            "metadata": {"organisatie": "organisatie", "functie": "functie"}, **extra}
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def csv_text(rows: list[dict[str, str]], sep: str = ";") -> str:
    import csv

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=sep, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, rows, sep: str = ";", encoding: str = "utf-8") -> Path:
    data = csv_text(rows, sep)
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 LE with a BOM
        path.write_bytes(data.encode("utf-16"))
    else:
        path.write_bytes(data.encode(encoding))
    return path


def write_xlsx(path: Path, rows, header_rows: list[list[str]] | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for extra in header_rows or []:
        ws.append(extra)
    for r in rows:
        ws.append(list(r.values()))
    wb.save(path)
    return path


def write_sav(path: Path, rows) -> Path:
    import pandas as pd
    import pyreadstat

    df = pd.DataFrame(rows)
    df["organisatie"] = df["organisatie"].map({"gemeente": 1, "provincie": 2}).astype(float)
    pyreadstat.write_sav(df, str(path), column_labels={"antwoord_rol": "Wat is je rol?"},
                         variable_value_labels={"organisatie": {1.0: "gemeente", 2.0: "provincie"}})
    return path


PDF_PARAGRAPHS = [
    ["Artikel 1. De deelnemers werken samen in de regio op het gebied van wonen en mobiliteit."],
    ["De secretaris bereidt de vergaderingen van het algemeen bestuur voor en is penvoerder van de samen-",
     "werkingsagenda van de regio."],
    ["Artikel 2. Het dagelijks bestuur stelt jaarlijks een uitvoeringsprogramma vast."],
]


def write_pdf(path: Path, pages: int = 2, encrypt: str | None = None, image_only: bool = False) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=encrypt)
    width, height = A4
    for page in range(1, pages + 1):
        if image_only:
            c.setFillGray(0.5)
            c.rect(72, 300, 300, 200, fill=1)
        else:
            c.setFont("Helvetica", 9)
            c.drawString(72, height - 40, "Gemeenschappelijke regeling Testregio — versie 2030")
            c.drawString(width / 2, 30, f"Pagina {page} van {pages}")
            c.setFont("Helvetica", 11)
            y = height - 110
            for para in PDF_PARAGRAPHS:
                for line in para:
                    c.drawString(72, y, line)
                    y -= 14
                y -= 14
        c.showPage()
    c.save()
    return path


def write_pdf_with_headings(path: Path) -> Path:
    """A regulation-like PDF: a large title, bold and numbered headings, body text, a list."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    width, height = A4
    y = height - 80

    def line(text: str, font: str = "Helvetica", size: float = 11, gap: float = 14) -> None:
        nonlocal y
        c.setFont(font, size)
        c.drawString(72, y, text)
        y -= gap

    line("Gemeenschappelijke regeling Testregio", "Helvetica-Bold", 16, 28)
    line("Deze regeling regelt de samenwerking van de gemeenten in de Testregio.", gap=28)
    line("Hoofdstuk 1 Algemene bepalingen", "Helvetica-Bold", 11, 20)
    line("De deelnemers werken samen op het gebied van wonen, werken en mobiliteit en", gap=14)
    line("stemmen hun beleid daarover af.", gap=28)
    line("2.1 Taken van het bestuur", gap=28)
    line("Het algemeen bestuur stelt jaarlijks de begroting vast en legt verantwoording af", gap=14)
    line("aan de raden van de deelnemende gemeenten.", gap=28)
    line("De gemeenten kiezen voor:", gap=20)
    line("1. wonen", gap=14)
    line("2. mobiliteit", gap=28)
    line("Artikel 2. Het dagelijks bestuur voert de besluiten uit.", gap=28)
    c.showPage()
    c.save()
    return path


def write_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Convenant regionale woningbouw", level=1)
    d.add_paragraph("Partijen komen overeen de woningbouwopgave samen op te pakken.")
    d.add_heading("Governance", level=2)
    d.add_paragraph("Het portefeuillehoudersoverleg heeft de regie over de uitvoering.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Gemeente"
    table.cell(0, 1).text = "Aantal woningen"
    table.cell(1, 0).text = "Arnhem"
    table.cell(1, 1).text = "1200"
    d.save(path)
    return path


HTML = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Regionale agenda</title></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/nieuws">Nieuws</a></li><li><a href="/contact">Contact</a></li></ul></nav>
<div class="cookie">Wij gebruiken cookies. <button>Akkoord</button></div>
<main><article>
<h1>Regionale agenda 2030</h1>
<p>De regio werkt samen aan drie opgaven: wonen, werken en bereikbaarheid. De gemeenten stemmen hun plannen af.</p>
<h2>Samenwerking</h2>
<p>Wij investeren in het netwerk van partners en organiseren twee keer per jaar een netwerkbijeenkomst voor alle betrokkenen.</p>
<p>Over de verdeling van lusten en lasten maken de gemeenten heldere afspraken, waarbij lokale belangen bespreekbaar zijn.</p>
</article></main>
<footer><p>Regio Test | Postbus 1 | 1234 AB Teststad</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def zip_bomb(path: Path, megabytes: int = 60) -> Path:
    """A .docx-named zip whose single member unpacks to `megabytes` of zeros."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (megabytes * 1024 * 1024))
    return path
