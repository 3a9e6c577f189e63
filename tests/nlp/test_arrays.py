"""Tests for `pipeline.nlp.arrays`: chunks of token arrays and facts per distinct string."""

from __future__ import annotations

import numpy as np
import spacy

from pipeline.nlp import arrays
from pipeline.nlp.arrays import Chunk, StringFacts, doc_chunks


def test_string_facts_compute_each_hash_once_and_index_like_the_input():
    calls = []

    def compute(h):
        calls.append(h)
        return str(h), h % 2 == 0

    facts = StringFacts(compute, (object, bool))
    first = facts.ids(np.array([7, 4, 7, 9], dtype=np.uint64))
    second = facts.ids(np.array([9, 10, 4], dtype=np.uint64))
    text, even = facts.columns
    assert text[first].tolist() == ["7", "4", "7", "9"] and text[second].tolist() == ["9", "10", "4"]
    assert even[second].tolist() == [False, True, True]
    assert sorted(calls) == [4, 7, 9, 10]
    assert facts.ids(np.array([], dtype=np.uint64)).tolist() == []


def test_chunk_cuts_per_doc_and_sums_per_doc():
    chunk = Chunk.of([np.array([[1], [2]]), np.empty((0, 1), dtype=int), np.array([[3], [4], [5]])])
    assert len(chunk) == 3 and chunk.bounds.tolist() == [0, 2, 2, 5]
    mask = np.array([True, False, True, True, False])
    assert chunk.per_doc(["a", "c", "d"], mask) == [["a"], [], ["c", "d"]]
    assert chunk.per_doc_sum(np.array([1, 2, 3, 4, 5])).tolist() == [3, 0, 12]


def test_doc_chunks_sees_every_doc_in_order(monkeypatch):
    from spacy.attrs import LEMMA, ORTH

    monkeypatch.setattr(arrays, "CHUNK_DOCS", 2)
    nlp = spacy.blank("nl")
    texts = ["een twee", "", "drie", "vier vijf zes", "zeven"]
    seen = []
    chunks = list(doc_chunks(nlp.pipe(texts), [ORTH, LEMMA], lambda doc: seen.append(doc.text)))
    assert [len(c) for c in chunks] == [2, 2, 1] and seen == texts
    words = [nlp.vocab.strings[int(h)] for c in chunks for h in c.table[:, 0]]
    assert words == " ".join(texts).split()
