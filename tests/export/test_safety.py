"""`pipeline.export.safety`: text that XML 1.0, Excel and the CSV can all hold."""

from __future__ import annotations

import pytest

from pipeline.export.safety import clean_text


@pytest.mark.parametrize("value, clean", [
    ("gewoon", "gewoon"),
    ("regel\r\nregel\rregel\n", "regel\nregel\nregel\n"),
    ("pagina\x0cvolgende\x0bregel", "pagina volgende regel"),  # page breaks of a PDF
    ("nul\x00bel\x07esc\x1b", "nulbelesc"),
    ("tab\tblijft", "tab\tblijft"),
    ("geen teken \ufffe\uffff", "geen teken "),
    ("emoji 😀 en ë blijven", "emoji 😀 en ë blijven"),
])
def test_clean_text(value, clean):
    assert clean_text(value) == clean
    assert clean_text(clean) == clean  # cleaning twice changes nothing


@pytest.mark.parametrize("value, stays_text", [
    ("=1+1", True), ("=", True), ("+31 6", True), ("-1", True), ("@SUM(A1)", True), ("  =A1", True),
    ("\tx", True), ("#N/A", True), ("#DIV/0!", True), ("#NAAM", False), ("a=b", False), ("", False),
    ("gewoon", False), (-1, False), (None, False),
])
def test_must_stay_text(value, stays_text):
    from pipeline.export.safety import must_stay_text

    assert must_stay_text(value) is stays_text
