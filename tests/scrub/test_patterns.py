"""Tests for `pipeline.scrub.patterns`: the regex detectors, through `scrub_text`."""

from __future__ import annotations

import pytest

from pipeline.scrub.patterns import REGEX_DETECTORS, find_addresses, find_bsns
from pipeline.scrub.placeholders import PII_TYPES, Span
from pipeline.scrub.scrubber import scrub_text


def test_every_type_but_names_has_a_regex_detector():
    covered = set(REGEX_DETECTORS) | {"POSTCODE"}  # find_addresses emits POSTCODE too
    assert covered == set(PII_TYPES) - {"NAAM"}


def test_detectors_emit_spans_of_their_own_type():
    assert find_bsns("BSN 123456782") == [Span(4, 13, "BSN")]
    assert {s.type for s in find_addresses("Stationsstraat 12, 3511 AB Utrecht")} == {"ADRES", "POSTCODE"}


@pytest.mark.parametrize("phone", [
    "06-12345678", "06 1234 5678", "0612345678", "+31 6 12345678", "+31(0)6-12345678", "0031 6 12345678",
    "+31612345678", "06 - 12345678", "020-1234567", "020 123 4567", "(010) 123 45 67", "0318-123456",
    "0318 12 34 56", "+31 20 123 4567", "0800-1234", "0900 1234567", "088 123 4567",
])
def test_phone_formats(phone):
    text, types = scrub_text(f"Bel me op {phone}, graag na vijven.")
    assert text == "Bel me op [TELEFOON], graag na vijven."
    assert types == ["TELEFOON"]


@pytest.mark.parametrize("text", [
    "In 2023 en 2024 groeide het budget met 3,5%.",
    "Het kost € 1.250.000 per jaar, of 1,5 miljoen euro.",
    "Zie artikel 12 lid 3 en art. 2:25 BW.",
    "De raad vergaderde op 06-03-2024 14:00 en op 12.03.2024.",
    "Telefonisch bereikbaar tussen 09.00 en 17.00 uur.",
    "De periode 2019-2023 en het Kamerstuk 32 847, nr. 1045.",
    "In 2024 AB en DB samen; 500 MB data; 1000 KM gereden.",
    "Zaaknummer 123456789 is afgewezen.",
    "COVID-19 en de A12-corridor, CO2-reductie van 49%.",
    "Op 2021 DB-vergaderingen volgde in 2019 AB besluitvorming.",  # a year and a board after "op"/"in"
    "De bijlage is 1500kb groot en we reden 1200km.",  # units glued to the number, in lower case
])
def test_lookalikes_are_left_alone(text):
    assert scrub_text(text) == (text, [])


def test_addresses_postcodes_and_towns():
    assert scrub_text("Stationsstraat 12, 3511 AB Utrecht") == ("[ADRES], [POSTCODE] Utrecht", ["ADRES", "POSTCODE"])
    assert scrub_text("Mijn postcode is 3511AB.")[0] == "Mijn postcode is [POSTCODE]."
    assert scrub_text("Ik woon op 3511 AB 12.")[0] == "Ik woon op [ADRES]."  # postcode + house number
    assert scrub_text("Postbus 16, 6710 AA Ede")[0] == "[ADRES], [POSTCODE] Ede"


@pytest.mark.parametrize("text, scrubbed", [
    # Missed in a planted wave: letters that also read as a unit or abbreviation, after a cue word.
    ("Ze is verhuisd naar 2377 KB.", "Ze is verhuisd naar [POSTCODE]."),
    ("Ons kantoor zit op 4398 NL", "Ons kantoor zit op [POSTCODE]"),
    ("Hij woont in 1234 MB, dichtbij.", "Hij woont in [POSTCODE], dichtbij."),
    ("Postcode: 2000 MW", "Postcode: [POSTCODE]"),
    ("Mijn adres is 2011 GB", "Mijn adres is [POSTCODE]"),
    ("verhuisd naar 2019 AB", "verhuisd naar [POSTCODE]"),  # "naar" is no year's cue, unlike "in"
    ("naar 2377kb verhuisd", "naar [POSTCODE] verhuisd"),
    # ... and in addresses: after a street and house number, before a town or a house number.
    ("Kerkstraat 5, 4398 NL Tiel", "[ADRES], [POSTCODE] Tiel"),
    ("Dorpsweg 7 2377 KB", "[ADRES] [POSTCODE]"),
    ("Bezorgen op 2377 KB 14", "Bezorgen op [ADRES]"),
])
def test_postcodes_with_any_valid_letters_after_cue_words_and_in_addresses(text, scrubbed):
    assert scrub_text(text)[0] == scrubbed


def test_iban_bsn_plate_email():
    text, types = scrub_text("IBAN NL91 ABNA 0417 1643 00, BSN 123.456.782, auto 12-ABC-3, mail a.b@ede.nl.")
    assert text == "IBAN [IBAN], BSN [BSN], auto [KENTEKEN], mail [EMAIL]."
    assert types == ["IBAN", "BSN", "KENTEKEN", "EMAIL"]
    # an invalid IBAN and a number failing the elfproef stay; so do amounts and RSINs
    same = "Rekening NL92ABNA0417164300, nummer 123456789, RSIN 123456782, € 123.456.782, plaat 12ABC3."
    assert scrub_text(same) == (same, [])


def test_eight_digit_bsn_needs_a_keyword():
    assert scrub_text("Mijn BSN is 12345672.")[0] == "Mijn BSN is [BSN]."
    assert scrub_text("KvK-nummer 12345672.")[1] == []
