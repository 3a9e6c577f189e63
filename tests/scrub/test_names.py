"""Tests for `pipeline.scrub.names`: the name rules and the checks that keep places and words."""

from __future__ import annotations

import pytest

from pipeline.scrub.deduce import name_lists
from pipeline.scrub.names import clean_name_spans, core_words, find_rule_names
from pipeline.scrub.placeholders import Span


def _names(text: str) -> list[str]:
    return [text[s.start:s.end] for s in find_rule_names(text, name_lists())]


def test_rules_find_the_forms_deduce_misses():
    assert _names("wethouder Hoekstra wil door") == ["Hoekstra"]
    assert _names("overleg met gerrit van den berg") == ["gerrit van den berg"]
    assert _names("De Vries zei dat het goed ging.") == ["De Vries"]
    assert _names("De burgemeester van Ede.") == []
    assert _names("De wethouder Wonen was er.") == []


def test_clean_name_spans_keeps_the_title_and_drops_places():
    lists = name_lists()
    text = "Ik sprak mevrouw De Vries gisteren."
    assert clean_name_spans(text, [Span(9, 25, "NAAM")], lists) == [Span(17, 25, "NAAM")]
    assert clean_name_spans("Gemeente Ede werkt samen.", [Span(9, 12, "NAAM")], lists) == []
    assert clean_name_spans("Volgens Mirjam klopt het.", [Span(0, 14, "NAAM")], lists) == [Span(8, 14, "NAAM")]


def test_core_words_leave_out_titles_initials_and_tussenvoegsels():
    assert core_words("mevrouw J. van den Berg") == ["Berg"]


@pytest.mark.parametrize("text", [
    "Gemeente Ede, Veenendaal en Barneveld werken samen in Regio Foodvalley.",
    "Holland Rijnland, Parkstad Limburg en het Land van Cuijk.",
    "De burgemeester van Amersfoort en de wethouder van Ede.",
    "Het Rijk betaalt mee; hoogwater langs de Maas en de Waal.",
    "De Liemers, De Bilt en Den Haag.",
    "Spin in het web. Pas toen kwam er geld.",
    "bel even als je vragen hebt, of vraag gerust iemand anders",
])
def test_place_and_region_names_survive(scrubber, text):
    assert scrubber.scrub(text) == (text, [])


@pytest.mark.parametrize("text, expected", [
    ("Ik sprak mevrouw De Vries gisteren.", "Ik sprak mevrouw [NAAM] gisteren."),
    ("wethouder Hoekstra wil door", "wethouder [NAAM] wil door"),
    ("burgemeester Van der Meer opende", "burgemeester [NAAM] opende"),
    ("Toen J.P. van den Heuvel vertrok.", "Toen [NAAM] vertrok."),
    ("bel Sanne even", "bel [NAAM] even"),
    ("bel sanne even", "bel [NAAM] even"),
    ("overleg met gerrit van den berg", "overleg met [NAAM]"),
    ("mevrouw de vries belde", "mevrouw [NAAM] belde"),
    ("Volgens Mirjam klopt het niet.", "Volgens [NAAM] klopt het niet."),
    ("De Vries zei dat het goed ging.", "[NAAM] zei dat het goed ging."),
    ("Samen met Mei-Ling Tan gedaan.", "Samen met [NAAM] gedaan."),
])
def test_name_forms(scrubber, text, expected):
    assert scrubber.scrub(text)[0] == expected


def test_role_word_before_a_department_is_not_a_name(scrubber):
    text = "De directeur Bedrijfsvoering en de wethouder Wonen waren er."
    assert scrubber.scrub(text) == (text, [])
