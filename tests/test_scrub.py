"""Tests for `pipeline.scrub`: validators, detectors, recall on planted PII, the stage."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.pii_recall import false_positive_rate, pii_recall
from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_table
from pipeline.schema import PASSAGES, SCRUBBED
from pipeline.scrub import (
    PII_TYPES,
    Scrubber,
    ScrubConfig,
    Span,
    elfproef,
    iban_valid,
    resolve_overlaps,
    run,
    scrub_text,
)

FIXTURES = Path(__file__).parent / "fixtures" / "pii"


def _load(name: str) -> list[dict]:
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def planted() -> list[dict]:
    return _load("planted.jsonl")


@pytest.fixture(scope="session")
def clean() -> list[dict]:
    return _load("clean.jsonl")


@pytest.fixture(scope="session")
def scrubber() -> Scrubber:
    """The full scrubber with deduce (about 80 s the first time deduce builds its cache)."""
    return Scrubber(use_deduce=True).fit()


@pytest.fixture(scope="session")
def regex_scrubber() -> Scrubber:
    return Scrubber(use_deduce=False).fit()


# ------------------------------------------------------------------ fixtures themselves


def test_fixture_files_are_consistent(planted, clean):
    assert len(planted) >= 200 and len(clean) >= 100
    types = {p["type"] for r in planted for p in r["pii"]}
    assert types == set(PII_TYPES)
    for rec in planted:
        assert rec["pii"], rec["id"]
        for p in rec["pii"]:
            assert p["value"] in rec["text"], rec["id"]
            if p["type"] == "IBAN":
                assert iban_valid(p["value"]), p
            if p["type"] == "BSN":
                assert elfproef(p["value"]), p
    assert all(not r["pii"] for r in clean)


# ------------------------------------------------------------------ validators


@pytest.mark.parametrize("number", ["123456782", "123.456.782", "123 456 782", "111222333", "12345672"])
def test_elfproef_accepts_valid_numbers(number):
    assert elfproef(number)


@pytest.mark.parametrize("number", ["123456789", "123456781", "000000000", "1234567", "1234567890", "12345678a",
                                    "987654321"])
def test_elfproef_rejects_invalid_numbers(number):
    assert not elfproef(number)


@pytest.mark.parametrize("iban", ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300",
                                  "GB82WEST12345698765432", "DE89370400440532013000", "BE68539007547034",
                                  "FR1420041010050500013M02606"])
def test_iban_accepts_valid(iban):
    assert iban_valid(iban)


@pytest.mark.parametrize("iban", ["NL92ABNA0417164300", "NL91ABNA041716430", "NL91ABNA04171643001",
                                  "XX91ABNA0417164300", "GB82WEST12345698765433", "NL91-ABNA-0417-1643-00"])
def test_iban_rejects_invalid(iban):
    assert not iban_valid(iban)


# ------------------------------------------------------------------ regex detectors


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


def test_overlaps_resolve_to_longest():
    spans = [Span(0, 5, "NAAM"), Span(2, 12, "EMAIL"), Span(12, 14, "NAAM"), Span(20, 24, "BSN"),
             Span(20, 24, "TELEFOON")]
    assert resolve_overlaps(spans) == [Span(2, 12, "EMAIL"), Span(12, 14, "NAAM"), Span(20, 24, "BSN")]


def test_scrub_is_deterministic_and_idempotent(scrubber, planted):
    for rec in planted[::7]:
        once, _ = scrubber.scrub(rec["text"])
        assert scrubber.scrub(rec["text"])[0] == once
        assert scrubber.scrub(once) == (once, [])


# ------------------------------------------------------------------ recall and false positives


def test_regex_recall_without_deduce(regex_scrubber, planted):
    recall = pii_recall(regex_scrubber, planted)
    for t in ("EMAIL", "TELEFOON", "ADRES", "POSTCODE", "IBAN", "BSN", "KENTEKEN"):
        assert recall[t] >= 0.95, (t, recall)


def test_recall_per_type_on_planted_set(scrubber, planted):
    recall = pii_recall(scrubber, planted)
    print("recall:", json.dumps(recall))
    assert set(recall) == set(PII_TYPES) | {"ALL"}
    assert all(v >= 0.95 for v in recall.values()), recall


def test_false_positive_rate_on_clean_set(scrubber, regex_scrubber, clean):
    rate = false_positive_rate(scrubber, clean)
    print(f"false positives (clean answers altered): {rate:.3f}")
    assert rate <= 0.05
    assert false_positive_rate(regex_scrubber, clean) <= 0.05


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


def test_spacy_per_entities_count_as_names():
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PER", "pattern": "Zwaantje Quist"}])
    sc = Scrubber(use_deduce=False, name_rules=False, nlp=nlp, batch_size=2).fit()
    assert sc.ner_
    out = list(sc.scrub_many(["Ik sprak Zwaantje Quist.", "Geen naam hier.", "Zwaantje Quist belde."]))
    assert out == [("Ik sprak [NAAM].", ["NAAM"]), ("Geen naam hier.", []), ("[NAAM] belde.", ["NAAM"])]
    assert not Scrubber(use_deduce=False, nlp=spacy.blank("nl")).fit().ner_  # no NER pipe: ignored


def test_unknown_type_is_a_user_error():
    with pytest.raises(SamenspelError):
        Scrubber(types=("NAAM", "PASPOORT"), use_deduce=False).fit()


# ------------------------------------------------------------------ stage


def _passages() -> pd.DataFrame:
    base = {"source": "surveys/golf.csv", "kind": "survey", "wave": "2024", "question_id": "q1", "page": None,
            "paragraph": None, "chunk": 0, "section": None, "status": "ok"}
    rows = [
        {**base, "passage_id": "2024/123456782/q1", "respondent_id": "123456782", "row": 1,
         "text": "Bel mevrouw De Vries op 06-12345678 over de regio.", "meta_functie": "beleidsadviseur"},
        {**base, "passage_id": "2024/r2/q1", "respondent_id": "r2", "row": 2,
         "text": "De samenwerking in Regio Foodvalley gaat goed.", "meta_functie": "contact: j.jansen@ede.nl"},
        {**base, "passage_id": "2024/r3/q1", "respondent_id": "r3", "row": 3, "text": "", "status": "empty",
         "meta_functie": None},
    ]
    doc = {"source": "documents/nota.md", "kind": "document", "wave": None, "respondent_id": None,
           "question_id": None, "row": None, "page": None, "chunk": 0, "section": "Inleiding", "status": "ok",
           "meta_functie": None}
    rows += [
        {**doc, "passage_id": "nota/0001", "paragraph": 1, "text": "Contact: wethouder Hoekstra, 030-1234567."},
        {**doc, "passage_id": "nota/0002", "paragraph": 2, "text": "Gemeente Utrecht trekt de kar."},
    ]
    df = pd.DataFrame(rows)
    for col in ("row", "page", "paragraph", "chunk"):
        df[col] = df[col].astype("Int64")
    return df


def _config(**over) -> ScrubConfig:
    params = {"surveys": True, "documents": False, "deduce": False, "ner": False, "batch_size": 8, **over}
    return ScrubConfig.from_params(params)


def test_run_scrubs_surveys_and_leaves_documents(tmp_path, scrubber):
    src = tmp_path / "passages.parquet"
    write_table(src, _passages(), PASSAGES)
    lines: list[str] = []
    df = run(src, tmp_path / "scrubbed.parquet", tmp_path / "scrub.json", _config(deduce=True),
             say=lambda msg, warn=False: lines.append(msg))

    out = read_table(tmp_path / "scrubbed.parquet", SCRUBBED)
    assert len(out) == 5 and list(out["passage_id"]) == list(_passages()["passage_id"])
    assert list(out["scrubbed"]) == [True, True, True, False, False]
    assert out.loc[0, "text"] == "Bel mevrouw [NAAM] op [TELEFOON] over de regio."
    assert list(out.loc[0, "pii_types"]) == ["NAAM", "TELEFOON"]
    assert out.loc[1, "text"] == "De samenwerking in Regio Foodvalley gaat goed."
    assert out.loc[1, "meta_functie"] == "contact: [EMAIL]" and list(out.loc[1, "pii_types"]) == ["EMAIL"]
    assert out.loc[0, "respondent_id"] == "123456782"  # an id, even though it passes the elfproef
    assert list(out.loc[2, "pii_types"]) == []
    assert out.loc[3, "text"] == "Contact: wethouder Hoekstra, 030-1234567."  # documents: false
    assert list(out.loc[3, "pii_types"]) == []
    pd.testing.assert_frame_equal(df.reset_index(drop=True), out.reset_index(drop=True), check_dtype=False)

    metrics = json.loads((tmp_path / "scrub.json").read_text(encoding="utf-8"))
    assert metrics["passages"] == 5 and metrics["passages_scrubbed"] == 3 and metrics["passages_with_pii"] == 2
    assert metrics["pii_naam"] == 1 and metrics["pii_telefoon"] == 1 and metrics["pii_email"] == 1
    assert metrics["placeholders"] == 3 and metrics["meta_values_scrubbed"] == 1
    assert metrics["deduce"] is True and metrics["ner"] is False
    assert all(not isinstance(v, (dict, list)) for v in metrics.values())  # flat
    assert len(lines) == 1 and "scrub:" in lines[0]


def test_run_scrubs_documents_when_asked(tmp_path):
    src = tmp_path / "passages.parquet"
    write_table(src, _passages(), PASSAGES)
    out = run(src, tmp_path / "s.parquet", tmp_path / "m.json", _config(surveys=False, documents=True),
              say=lambda *a, **k: None)
    assert list(out["scrubbed"]) == [False, False, False, True, True]
    assert out.loc[0, "text"].endswith("06-12345678 over de regio.")  # surveys: false
    assert out.loc[3, "text"] == "Contact: wethouder [NAAM], [TELEFOON]."
    assert out.loc[4, "text"] == "Gemeente Utrecht trekt de kar."
    assert out.loc[1, "meta_functie"] == "contact: j.jansen@ede.nl"


def test_config_names_the_missing_key():
    with pytest.raises(SamenspelError, match="scrub.batch_size"):
        ScrubConfig.from_params({"surveys": True, "documents": False, "deduce": True, "ner": False})


def test_recall_on_the_independently_written_planted_set(scrubber):
    """A second planted set, written by someone who never saw this module's code.

    It was used once to find misses (licence plates in lower case, lower-case postcodes
    after "postcode", one-word streets before a postcode, phone numbers in pairs with
    dots), which were then fixed; the names it holds were not tuned for.
    """
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "pii_independent" / "planted.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    planted = [r for r in records if r["pii"]]
    clean = [r for r in records if not r["pii"]]
    recall = pii_recall(scrubber, planted)
    assert len(planted) >= 200
    assert all(v >= 0.95 for v in recall.values()), recall
    assert false_positive_rate(scrubber, clean) <= 0.05
