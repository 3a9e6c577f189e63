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


# ------------------------------------------------------------------ exports without a YAML, as survey tools write them

#: Open answers for the exports below (written for these tests).
LONG_ANSWERS = [
    "Ik breng de wethouders van de vier gemeenten bij elkaar voordat het dossier vastloopt.",
    "Mijn rol is vooral agenderen: ik zorg dat de regionale opgave op de lokale tafels komt.",
    "Ik bewaak de afspraken uit het convenant en spreek partners aan als ze achterblijven.",
    "Als secretaris van de stuurgroep schrijf ik de voorstellen en zoek ik vooraf draagvlak.",
    "We hebben te weinig mandaat; elke beslissing moet terug naar zes raden en dat duurt maanden.",
]
FOLLOW_UP = "Alleen als de provincie meebetaalt, anders blijft het bij praten over de ambitie."


def limesurvey_export(path: Path) -> tuple[Path, dict[str, int]]:
    """A LimeSurvey CSV export with question codes as headers and NA for every unanswered cell.

    Returns the path and the number of answers expected per open column.
    """
    n = 12
    rows = []
    for i in range(n):
        answered = i % 3 == 0  # a third of the respondents answered the open question
        rows.append({
            "id": str(i + 1), "submitdate": f"2030-03-{i + 1:02d} 10:{i:02d}:00" if i < 10 else "NA",
            "lastpage": str(3 if i < 10 else 1), "startlanguage": "nl", "seed": str(1_000_003 * (i + 7) % 99991),
            "startdate": f"2030-03-{i + 1:02d} 09:{i:02d}:00", "datestamp": f"2030-03-{i + 1:02d} 10:{i:02d}:00",
            "A1": ["A1", "A2", "A3"][i % 3],  # a list question, answer codes
            "Q2[SQ001]": "Y" if i % 2 else "NA", "Q2[SQ002]": "Y" if i % 4 == 1 else "NA",  # multiple choice
            "tevreden": ["Helemaal mee eens", "Mee eens", "Niet mee eens"][i % 3],
            "rol": LONG_ANSWERS[i // 3] if answered else "NA",
            "vervolg": FOLLOW_UP if i == 4 else "NA",  # an optional follow-up only one respondent answered
            "uitleg_SQ001": {2: LONG_ANSWERS[4], 7: LONG_ANSWERS[1]}.get(i, "NA"),  # several text fields
            "uitleg_SQ002": {2: "geen mandaat", 7: "zie boven"}.get(i, "NA"),  # short, but part of "uitleg"
            "interviewtime": f"{300 + 17 * i}.{i}", "groupTime123": str(100 + 7 * i), "12X3X45time": f"{20 + i}.5",
        })
    write_csv(path, rows, sep=",")
    return path, {"rol": 4, "vervolg": 1, "uitleg_SQ001": 2, "uitleg_SQ002": 2}


def qualtrics_export(path: Path) -> tuple[Path, dict[str, int]]:
    """A Qualtrics CSV export: a question-text row and an ImportId row under the names, empty cells for
    unanswered questions and -99 for "seen but not answered"."""
    import csv
    import json

    names = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
             "RecordedDate", "ResponseId", "RecipientLastName", "LocationLatitude", "DistributionChannel",
             "UserLanguage", "Q1", "Q2", "Q3_1", "Q3_2", "Q4", "Q7_First Click", "Q7_Last Click", "Q7_Page Submit",
             "Q7_Click Count"]
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
             "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Location Latitude",
             "Distribution Channel", "User Language", "Waar werkt u?", "Wat is uw rol in de regio?",
             "Vertrouwen - gemeenten", "Vertrouwen - provincie", "Wilt u nog iets toevoegen?", "Timing - First Click",
             "Timing - Last Click", "Timing - Page Submit", "Timing - Click Count"]
    records = [names, texts, [json.dumps({"ImportId": n}) for n in names]]
    for i in range(10):
        q2 = LONG_ANSWERS[i % 5] if i % 2 == 0 else ("-99" if i == 3 else "")
        records.append([
            f"2030-04-{i + 1:02d} 08:00:00", f"2030-04-{i + 1:02d} 08:{10 + i}:00", "0", f"192.0.2.{i + 10}",
            "100", str(600 + 31 * i), "1", f"2030-04-{i + 1:02d} 08:{10 + i}:01", f"R_{i:02d}AbCdEfGh{i}", "",
            f"52.{i}123", "anonymous", "NL", ["Bij een gemeente", "Bij de provincie"][i % 2], q2,
            str(40 + 5 * i), str(70 - 3 * i), {1: FOLLOW_UP, 6: LONG_ANSWERS[4]}.get(i, ""),  # a sparse follow-up
            f"{1.5 + i}", f"{9.25 + i}", f"{12.5 + i}", str(3 + i % 4)])
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(records)
    return path, {"Q2": 5, "Q4": 2}


def spss_export(path: Path) -> tuple[Path, dict[str, int]]:
    """An SPSS file: value labels on the choice questions, a duration in seconds, a start date and
    string variables that are empty when unanswered."""
    import datetime as dt

    import pandas as pd
    import pyreadstat

    n = 9
    df = pd.DataFrame({
        "respnr": [float(i + 1) for i in range(n)],
        "startdatum": [dt.datetime(2030, 5, 1 + i, 9, 30) for i in range(n)],
        "duur": [float(400 + 13 * i) for i in range(n)],
        "organisatie": [float(1 + i % 3) for i in range(n)],
        "code": ["A1", "B2", "A1", "C3", "B2", "A1", "C3", "A1", "B2"],
        "toelichting": [LONG_ANSWERS[i % 5] if i % 2 == 0 else "" for i in range(n)],
        "aanvulling": [FOLLOW_UP if i == 8 else "" for i in range(n)],
    })
    pyreadstat.write_sav(df, str(path), column_labels={"toelichting": "Licht uw rol toe",
                                                       "aanvulling": "Wilt u nog iets toevoegen?"},
                         variable_value_labels={"organisatie": {1.0: "Een gemeente in de regio",
                                                                2.0: "De provincie Gelderland", 3.0: "Een waterschap"}})
    return path, {"toelichting": 5, "aanvulling": 1}
