"""pipeline/places.py: the gazetteer of municipalities, provinces and collaborations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def test_gazetteer_finds_places_on_word_boundaries():
    from pipeline.places import default_gazetteer

    g = default_gazetteer()
    text = "De gemeenten Tiel en Ede in Gelderland willen bedenken hoe zij samenwerken."
    found = {(m.place.name, m.place.kind) for m in g.find(text)}
    assert ("Tiel", "gemeente") in found and ("Gelderland", "provincie") in found
    assert ("Ede", "gemeente") in found  # the municipality itself ...
    assert not [m for m in g.find("We moeten bedenken wat we willen.") if m.place.name == "Ede"]  # ... not inside a word
    assert g.find("Onze buren in de regio") == []  # lower case is not a place


def test_gazetteer_covers_all_municipalities_and_provinces():
    from pipeline.places import default_gazetteer

    places = default_gazetteer().places
    assert sum(p.kind == "gemeente" for p in places) == 342
    assert sum(p.kind == "provincie" for p in places) == 12
    gemeenten = {p.name: p.province for p in places if p.kind == "gemeente"}
    assert gemeenten["Tiel"] == "Gelderland" and gemeenten["'s-Hertogenbosch"] == "Noord-Brabant"


def test_ambiguous_names_do_not_count_at_the_start_of_a_sentence():
    from pipeline.places import default_gazetteer

    g = default_gazetteer()
    assert g.find("Buren zijn belangrijk. Leiden tot niets.") == []
    assert [m.place.name for m in g.find("De raad van Buren besluit; zij werkt samen met Leiden.")] == ["Buren", "Leiden"]
    assert {m.place.name for m in g.find("Den Bosch en 's-Gravenhage")} == {"'s-Hertogenbosch", "Den Haag"}


def test_collaboration_names_and_spacy_entities():
    from pipeline.places import find_places, ner_places

    names = [(m.place.name, m.place.kind) for m in find_places(
        "Het Samenwerkingsverband Waalvallei en de regio Rivierenland werken met Regio Gooi en Vechtstreek.")]
    assert ("Samenwerkingsverband Waalvallei", "samenwerkingsverband") in names
    assert ("Regio Rivierenland", "samenwerkingsverband") in names
    assert ("Gooi en Vechtstreek", "regio") in names
    assert ner_places(["GPE:Waalvallei", "PER:Jan", "LOC:de  Waal"]) == ["Waalvallei", "de Waal"]


def test_matches_deduce_municipality_list_when_installed():
    """The shipped list agrees with deduce's reviewed list (modulo spelling variants)."""
    deduce = pytest.importorskip("deduce")
    from pipeline.places import default_gazetteer

    path = Path(deduce.__file__).parent / "data/lookup/src/locations/lst_placename/lst_municipality/items.txt"
    if not path.exists():
        pytest.skip("deduce ships no municipality list")

    def norm(s: str) -> str:
        return re.sub(r"[^a-z]", "", s.lower())

    ours = {norm(s) for s, p, _ in default_gazetteer().entries if p.kind == "gemeente"}
    theirs = {norm(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    theirs -= {norm(x) for x in ("Bonaire", "Saba", "Sint Eustatius", "Nuenen c.a.")}  # not municipalities / variant
    assert theirs <= ours
