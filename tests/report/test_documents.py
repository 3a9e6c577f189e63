"""pipeline/report/documents.py: the document scan."""

from __future__ import annotations

import re


def test_documentscan_lists_codes_locations_quotes_and_places(page):
    scan = page[page.index('<section id="documentscan">'):page.index('<section id="per-code">')]
    assert "01_regio_deal.pdf" in scan and "02_notitie.docx" in scan
    assert "p. 1 ¶ 2" in scan  # belangen on page 1, paragraph 2
    assert "¶ 2" in scan and "Tiel" in scan and "Gelderland" in scan
    assert "Regio Deal Waalvallei" in scan
    places = re.findall(r'<dl class="places">.*?</dl>', scan, flags=re.S)[0]
    assert "Buren" in places and "Culemborg" in places
    assert ">Ede<" not in scan


def test_places_per_kind_and_ner_places_the_gazetteer_missed():
    import pandas as pd

    from pipeline.places import default_gazetteer
    from pipeline.report.documents import document_places

    part = pd.DataFrame({"passage_id": ["d/1", "d/2"],
                         "text": ["De gemeenten Tiel en Buren in Gelderland.", "Tiel werkt samen langs de Waal."]})
    entities = {"d/1": ["GPE:Tiel"], "d/2": ["LOC:de Waal", "LOC:de Waal", "PER:Jan"]}
    by_kind, ner = document_places(part, default_gazetteer(), entities)
    assert [(p["name"], p["n"]) for p in by_kind["gemeente"]] == [("Tiel", 2), ("Buren", 1)]  # most named first
    assert [p["name"] for p in by_kind["provincie"]] == ["Gelderland"]
    assert ner == [("de Waal", 2)]  # Tiel was found by the gazetteer already
    assert document_places(part, default_gazetteer(), None)[1] == []
