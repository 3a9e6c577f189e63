"""`pipeline.topics.corpus`: corpora from the data, and the role of each passage."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from pipeline.topics.config import CorpusSpec
from pipeline.topics.corpus import derive_corpora, load_passages, mark_roles, normalise, select_corpus
from tests.topics.helpers import config, scrubbed_table


def test_corpora_are_derived_from_the_data_by_default():
    """`topics.corpora: []`: per kind present, and per question with enough answers, whatever the ids."""
    table = scrubbed_table([f"Antwoord {i} over samenwerking." for i in range(12)])
    table["question_id"] = ["extraQuestions_vraag1"] * 5 + ["Rol?"] * 5 + ["kort"] * 2
    table.loc[5:6, "status"] = "na"  # NA cells are not answers: 'Rol?' has 3
    docs = scrubbed_table(["Artikel 1. De regeling."] * 2, kind="document").assign(question_id=None, wave=None)
    specs = derive_corpora(pd.concat([table, docs], ignore_index=True), min_answers=3)
    assert [(s.name, s.kind, s.questions) for s in specs] == [
        ("enquete", "survey", None), ("enquete_extraquestions_vraag1", "survey", ["extraQuestions_vraag1"]),
        ("enquete_rol", "survey", ["Rol?"]), ("documenten", "document", None)]
    assert [s.name for s in derive_corpora(table, min_answers=4)] == ["enquete", "enquete_extraquestions_vraag1"]
    # One question only: its corpus would be `enquete` again. Documents only: `documenten`.
    assert [s.name for s in derive_corpora(table.assign(question_id="v"), min_answers=1)] == ["enquete"]
    assert [s.name for s in derive_corpora(docs, min_answers=1)] == ["documenten"]
    assert config(corpora=[]).corpora == []


def test_languages_null_keeps_every_language(inputs):
    passages = load_passages(*inputs)
    frame = mark_roles(select_corpus(passages, CorpusSpec("alles", "survey")), "lemmas", 1, None)
    assert "other_language" not in set(frame["role"])
    assert config(languages=None).languages is None
    with pytest.raises(SamenspelError, match="topics.languages"):
        config(languages="nl")


def test_duplicates_are_judged_on_what_the_backend_reads_after_case_folding():
    frame = pd.DataFrame({"text": ["De Bus  rijdt.", "de bus rijdt.", "Ja.", "The bus runs.", "De trein."],
                          "content_lemmas": [["bus", "rijden"], ["bus", "rijden"], [], ["bus", "run"], ["trein"]],
                          "lang": ["nl", "nl", "nl", "en", "nl"]})
    marked = mark_roles(frame, "text", 1, ["nl"])
    assert marked["role"].tolist() == ["unique", "duplicate", "filler", "other_language", "unique"]
    assert marked["first"].tolist() == [0, 0, 2, 3, 4]
    assert normalise("  De Bus\n rijdt. ") == "de bus rijdt."
