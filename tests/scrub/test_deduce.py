"""Tests for `pipeline.scrub.deduce`: which annotations count as names, the lookup lists."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from pipeline.errors import SamenspelError
from pipeline.scrub.deduce import find_deduce_names, load_deduce, name_lists
from pipeline.scrub.placeholders import Span


class _Engine:
    """Stands in for deduce: fixed annotations, so the test needs no lookup structures."""

    def deidentify(self, text: str):
        def ann(start: int, end: int, tag: str):
            return SimpleNamespace(start_char=start, end_char=end, tag=tag)

        return SimpleNamespace(annotations=[ann(0, 3, "persoon"), ann(4, 9, "voornaam_patient"), ann(10, 13, "locatie"),
                                            ann(14, 18, "instelling"), ann(19, 24, "pseudo_naam")])


def test_only_person_annotations_become_names():
    assert find_deduce_names("Jan Sanne Ede GGD Piet", _Engine()) == [Span(0, 3, "NAAM"), Span(4, 9, "NAAM")]


def test_name_lists_are_lowercase_and_hold_places():
    lists = name_lists()
    assert set(lists) == {"first", "surname", "place", "common"}
    assert "ede" in lists["place"] and "gerrit" in lists["first"] and "hoekstra" in lists["surname"]
    assert all(w == w.lower() for w in lists["first"])


def test_missing_deduce_is_a_user_error_with_a_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "deduce", None)  # `import deduce` now raises ImportError
    load_deduce.cache_clear()
    try:
        with pytest.raises(SamenspelError) as err:
            load_deduce()
        assert "scrub.deduce: false" in err.value.hint
    finally:
        load_deduce.cache_clear()
