"""Docs as numpy arrays: token attributes in chunks, string facts looked up per distinct word.

Reading `Token` attributes one by one is most of the cost beyond spaCy itself; a Doc's
attributes leave it as one array (`Doc.to_array`), a chunk of such arrays becomes one
table, and what a string is (its text, whether it is a content word ...) is computed once
per distinct string hash (`StringFacts`), so the facts of a token are plain array indexing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd

#: Docs whose token arrays are turned into columns together (bounds the memory of a chunk).
CHUNK_DOCS = 2048


class StringFacts:
    """Facts about spaCy strings, computed once per distinct hash and kept as numpy columns.

    A corpus has far fewer distinct words than tokens, so `ids` looks a chunk of token
    hashes up at once and the facts of a token are then plain array indexing.

    Args:
        compute: hash -> one value per column.
        dtypes: numpy dtype per column (``object`` for strings).
    """

    def __init__(self, compute: Callable[[int], tuple], dtypes: tuple[Any, ...]):
        self.compute = compute
        self.dtypes = dtypes
        self.columns = tuple(np.empty(0, dtype=d) for d in dtypes)
        self._index: dict[int, int] = {}

    def ids(self, hashes: np.ndarray) -> np.ndarray:
        inverse, unique = pd.factorize(hashes)  # a hash table: no sort
        keys = unique.tolist()
        index = self._index
        new = [h for h in keys if h not in index]
        if new:
            for h in new:
                index[h] = len(index)
            rows = list(zip(*map(self.compute, new)))
            self.columns = tuple(np.concatenate([col, np.array(vals, dtype=d)])
                                 for col, vals, d in zip(self.columns, rows, self.dtypes))
        return np.fromiter(map(index.__getitem__, keys), np.intp, len(keys))[inverse]


@dataclass
class Chunk:
    """The token arrays of a chunk of Docs as one table: rows `bounds[i]:bounds[i + 1]` are Doc i's.

    Attributes:
        table: one row per token, one column per attribute asked of `Doc.to_array`.
        lengths: tokens per Doc.
        bounds: where each Doc's rows start, and the end.
    """

    table: np.ndarray
    lengths: np.ndarray
    bounds: np.ndarray

    @classmethod
    def of(cls, arrays: list[np.ndarray]) -> "Chunk":
        lengths = np.fromiter(map(len, arrays), np.intp, len(arrays))
        bounds = np.zeros(len(arrays) + 1, dtype=np.intp)
        np.cumsum(lengths, out=bounds[1:])
        return cls(np.concatenate(arrays), lengths, bounds)

    def __len__(self) -> int:
        return len(self.lengths)

    def per_doc_sum(self, values: np.ndarray) -> np.ndarray:
        """Per Doc, the sum of its tokens' `values`."""
        at = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(values, out=at[1:])
        return np.diff(at[self.bounds])

    def per_doc(self, values: list, mask: np.ndarray) -> list[list]:
        """`values` (one per token where `mask` is True) cut into one list per Doc."""
        at = np.zeros(len(mask) + 1, dtype=np.intp)
        np.cumsum(mask, out=at[1:])
        at = at[self.bounds].tolist()
        return [values[a:b] for a, b in zip(at[:-1], at[1:])]


def doc_chunks(docs: Iterable, attrs: list, each: Callable[[Any], None] | None = None) -> Iterator[Chunk]:
    """The Docs' `attrs` arrays, `CHUNK_DOCS` Docs per `Chunk`; `each(doc)` sees every Doc on the way."""
    arrays: list[np.ndarray] = []
    for doc in docs:
        arrays.append(doc.to_array(attrs))
        if each is not None:
            each(doc)
        if len(arrays) == CHUNK_DOCS:
            yield Chunk.of(arrays)
            arrays = []
    if arrays:
        yield Chunk.of(arrays)
