"""pipeline/report/text.py: quotes, names and locations."""

from __future__ import annotations


def test_truncate_cuts_on_a_word_boundary():
    from pipeline.report.text import truncate

    text = "Een heel lang citaat " * 20
    out = truncate(text, 60)
    assert len(out) <= 60 and out.endswith("…") and not out[:-1].endswith(" ")
    assert truncate("kort  citaat", 60) == "kort citaat"


def test_document_location_names_page_paragraph_and_heading():
    from pipeline.report.text import location

    row = {"kind": "document", "page": 3, "paragraph": 12, "chunk": 0, "section": "Artikel 4 Taken",
           "passage_id": "gr/0012"}
    assert location(row) == "p. 3, alinea 12 (Artikel 4 Taken)"
    assert location({**row, "section": None, "page": None}) == "alinea 12"
    # Nested sections, outermost first: the article is shown, not the title of the document.
    nested = "Gemeenschappelijke regeling Waalvallei 2026 › Hoofdstuk 2 Het algemeen bestuur › Artikel 7 Samenstelling"
    assert location({**row, "section": nested}) == "p. 3, alinea 12 (… › Artikel 7 Samenstelling)"
    assert location({**row, "section": "Hoofdstuk 2 › Artikel 7"}) == "p. 3, alinea 12 (Hoofdstuk 2 › Artikel 7)"
    long_article = "Regeling › Artikel 9 " + "Taken en bevoegdheden van het dagelijks bestuur " * 2
    assert location({**row, "section": long_article}).startswith("p. 3, alinea 12 (… › Artikel 9 Taken")


def test_similar_file_names_stay_distinguishable():
    from pipeline.report.text import distinct_labels, shorten

    names = [f"GR_Regeling_Regionaal_Historisch_Centrum_{place}_BWBR00{n}.md"
             for place, n in (("Gelderland_Oost", 11), ("Groningen_Stad", 12), ("in_Noord_Holland", 13))]
    labels = distinct_labels(names, 40)
    assert len(set(labels)) == 3 and all(len(lbl) <= 40 for lbl in labels)
    assert all(lbl.endswith(f"_BWBR00{n}.md") for lbl, n in zip(labels, (11, 12, 13)))
    assert shorten("kort.md", 40) == "kort.md"
    # The old cut kept the start only: the three looked alike.
    from pipeline.report.text import truncate

    assert len({truncate(n, 40) for n in names}) == 1


def test_location_of_a_split_paragraph_and_of_a_survey_answer():
    from pipeline.report.text import file_name, location

    row = {"kind": "document", "page": None, "paragraph": 12, "chunk": 1, "section": None, "passage_id": "gr/0012.1"}
    assert location(row) == "alinea 12.1"
    assert location({**row, "paragraph": None}) == "gr/0012.1"  # nothing better to say
    answer = {"kind": "survey", "wave": "2016", "respondent_id": "R7", "question_id": None}
    assert location(answer) == "golf 2016, respondent R7"
    assert file_name("documents/regio/deal.pdf") == "deal.pdf"
