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
