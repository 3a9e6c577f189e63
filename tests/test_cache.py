"""pipeline/cache.py: results are read back only for the same text, stage, settings and version."""

from __future__ import annotations

import sqlite3

import pytest

import pipeline
from pipeline.cache import ContentCache, file_digest, module_digest


class Counting:
    """A compute function that records what it was asked for."""

    def __init__(self):
        self.calls: list[list[str]] = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return [{"len": len(t), "upper": t.upper()} for t in texts]


def never(texts):
    raise AssertionError(f"computed again: {texts}")


def test_results_are_read_back_in_a_new_session(tmp_path):
    texts = ["de regio", "samen", "één overleg"]
    compute = Counting()
    first = ContentCache(tmp_path, "nlp", {"batch": 1})
    got = first.map(texts, compute)
    assert (first.hits, first.misses) == (0, 3) and compute.calls == [texts]
    first.close()
    assert (tmp_path / "nlp.sqlite").exists()

    again = ContentCache(tmp_path, "nlp", {"batch": 1})
    assert again.map(texts, never) == got == [{"len": len(t), "upper": t.upper()} for t in texts]
    assert (again.hits, again.misses) == (3, 0)
    again.close()


def test_only_the_new_texts_are_computed_and_the_order_is_kept(tmp_path):
    cache = ContentCache(tmp_path, "scrub", "v1")
    cache.map(["a", "c"], Counting())
    compute = Counting()
    got = cache.map(["d", "a", "b", "c", "d"], compute)
    assert compute.calls == [["d", "b", "d"]]  # in input order; a repeat of a new text is computed with it
    assert [r["upper"] for r in got] == ["D", "A", "B", "C", "D"]
    assert (cache.hits, cache.misses) == (2, 3)
    cache.close()


@pytest.mark.parametrize("change", ["fingerprint", "stage", "version", "text"])
def test_any_change_of_what_determines_a_result_misses(tmp_path, monkeypatch, change):
    ContentCache(tmp_path, "classify", {"model": "abc"}).map(["regie"], Counting())
    stage, fingerprint, text = "classify", {"model": "abc"}, "regie"
    if change == "fingerprint":
        fingerprint = {"model": "abd"}
    elif change == "stage":
        stage = "topics"
    elif change == "version":
        monkeypatch.setattr(pipeline, "__version__", pipeline.__version__ + ".dev1")
    else:
        text = "regie "
    compute = Counting()
    cache = ContentCache(tmp_path, stage, fingerprint)
    cache.map([text], compute)
    assert compute.calls == [[text]] and cache.misses == 1


def test_fingerprint_key_order_does_not_matter(tmp_path):
    ContentCache(tmp_path, "nlp", {"a": 1, "b": [1, 2]}).map(["x"], Counting())
    assert ContentCache(tmp_path, "nlp", {"b": [1, 2], "a": 1}).map(["x"], never) == [{"len": 1, "upper": "X"}]


def test_more_texts_than_sqlite_binds_at_once(tmp_path):
    texts = [f"passage {i}" for i in range(2500)]
    ContentCache(tmp_path, "nlp", None).map(texts, Counting())
    cache = ContentCache(tmp_path, "nlp", None)
    # The limit of older SQLite builds (newer ones allow 32766): the lookup must go in chunks.
    cache._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    assert cache.map(texts, never)[-1] == {"len": len(texts[-1]), "upper": texts[-1].upper()}
    assert cache.hits == 2500


def test_text_that_is_not_valid_utf8_is_cached(tmp_path):
    """A lone surrogate (from a badly decoded file) gets a key instead of crashing the stage."""
    text = "kapot \ud800 teken"
    ContentCache(tmp_path, "scrub", None).map([text], lambda ts: ["ok" for _ in ts])
    assert ContentCache(tmp_path, "scrub", None).map([text], never) == ["ok"]


@pytest.mark.parametrize("folder", [None, ""])
def test_without_a_folder_everything_is_computed_and_nothing_written(tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)
    cache = ContentCache(folder, "nlp", None)
    compute = Counting()
    cache.map(["a"], compute)
    cache.map(["a"], compute)
    assert compute.calls == [["a"], ["a"]] and cache.misses == 1
    assert list(tmp_path.iterdir()) == []


def test_closed_cache_computes_and_stores_nothing(tmp_path):
    cache = ContentCache(tmp_path, "nlp", None)
    cache.close()
    compute = Counting()
    assert cache.map(["a"], compute) == [{"len": 1, "upper": "A"}] and compute.calls == [["a"]]
    compute = Counting()
    ContentCache(tmp_path, "nlp", None).map(["a"], compute)
    assert compute.calls == [["a"]]


def test_compute_must_return_one_result_per_text(tmp_path):
    cache = ContentCache(tmp_path, "nlp", None)
    with pytest.raises(RuntimeError, match="1 results for 2 texts"):
        cache.map(["a", "b"], lambda ts: ["one"])
    assert ContentCache(tmp_path, "nlp", None).map(["a"], Counting()) == [{"len": 1, "upper": "A"}]  # nothing stored


def test_file_digest_follows_the_bytes_and_their_order(tmp_path):
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"model v1")
    b.write_bytes(b"code")
    before = file_digest(a, b)
    assert before == file_digest(str(a), str(b)) and len(before) == 64
    assert file_digest(b, a) != before
    a.write_bytes(b"model v2")
    assert file_digest(a, b) != before


def test_module_digest_is_the_digest_of_the_module_files():
    from pipeline import cache, config

    assert module_digest(cache, config) == file_digest(cache.__file__, config.__file__)
