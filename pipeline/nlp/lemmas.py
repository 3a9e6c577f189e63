"""The pipeline's one lemma rule, for every stage that needs lemmas.

A token's lemma is the one its backend gave it, or its own text when it gave none,
lowercased; white-space tokens have none. The nlp stage writes these (`lemmas` in
`nlp.parquet`), which `classify` codes; train, evaluate, `samenspel realtext` and
`samenspel classify FILE` lemmatise texts that never passed through the stage. A model
trained on one kind and applied to the other needs them to be the same, so they all come
from here.
"""

from __future__ import annotations

import numpy as np

from pipeline.nlp.arrays import Chunk, StringFacts, doc_chunks

#: The token attributes the rule reads, as the first two columns of a chunk's table.
ATTRS = ("ORTH", "LEMMA")


class Lemmatiser:
    """The lemma rule over the token arrays of a `Chunk`, looked up per distinct string.

    Args:
        vocab: the vocab of the pipeline that made the Docs.
    """

    def __init__(self, vocab):
        self.words = StringFacts(lambda h: (not vocab[h].is_space,), (bool,))
        self.lemmas = StringFacts(lambda h: (vocab.strings[h].lower(),), (object,))

    def kept(self, chunk: Chunk) -> np.ndarray:
        """Per token, whether it has a lemma: it is not white space."""
        ids = self.words.ids(chunk.table[:, 0])  # first: it extends the columns
        return self.words.columns[0][ids]

    @staticmethod
    def hashes(chunk: Chunk) -> np.ndarray:
        """Per token, the string hash of `token.lemma_ or token.text` (an empty lemma hashes to 0)."""
        orth = chunk.table[:, 0]
        return np.where(chunk.table[:, 1] == 0, orth, chunk.table[:, 1])

    def __call__(self, chunk: Chunk, kept: np.ndarray | None = None) -> list[list[str]]:
        """The lemmas of each Doc of the chunk; `kept` when the caller has it already."""
        keep = self.kept(chunk) if kept is None else kept
        lem = self.lemmas.ids(self.hashes(chunk)[keep])
        return chunk.per_doc(self.lemmas.columns[0][lem].tolist(), keep)


def lemmatise(texts: list[str], nlp, batch_size: int = 256) -> list[list[str]]:
    """Lowercased lemmas per text, as the nlp stage writes them (see the module docstring)."""
    lemmatiser = Lemmatiser(nlp.vocab)
    out: list[list[str]] = []
    for chunk in doc_chunks(nlp.pipe(texts, batch_size=batch_size), list(ATTRS)):
        out += lemmatiser(chunk)
    return out
