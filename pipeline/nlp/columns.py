"""From texts to the columns of `nlp.parquet`: tokens, lemmas, content lemmas, sentences, entities, language.

Per token, the same values as reading `Token` attributes (see `content_lemmas`), but taken
from one array per Doc and looked up per distinct word (`pipeline.nlp.arrays`); the lemmas
follow the pipeline's one rule (`pipeline.nlp.lemmas`). The language detector gets each
passage's letters and Dutch function words from the same arrays.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

import numpy as np

from pipeline.language import CLEARLY_DUTCH_WORDS, DUTCH_WORDS, OTHER_WORDS, LanguageDetector
from pipeline.nlp.arrays import Chunk, StringFacts, doc_chunks
from pipeline.nlp.lemmas import Lemmatiser
from pipeline.nlp.words import content_lemma, is_content_word
from pipeline.progress import progress

#: Output columns besides passage_id and backend, in the order of a cached row.
COLUMNS = ("tokens", "lemmas", "content_lemmas", "n_sentences", "entities", "lang")


@contextmanager
def few_full_collections() -> Iterator[None]:
    """Hold back full garbage collections while the stage accumulates its output.

    Every passage adds lists that live until the table is written. Python's collector
    traverses all of them, and the whole pipeline, in each full collection, which comes
    every time the long-lived objects grew by a quarter, for no garbage. Young garbage is
    still collected as usual (generations 0 and 1).
    """
    old = gc.get_threshold()
    gc.set_threshold(old[0], old[1], max(old[2], 1000))
    try:
        yield
    finally:
        gc.set_threshold(*old)


def annotate(texts: list[str], nlp, cfg, stop_words: set[str],
             detector: LanguageDetector | None = None) -> dict[str, list]:
    """Run `nlp.pipe` over texts; return the NLP columns (without passage_id), `lang` only with a detector.

    `cfg` is the stage's `NlpConfig` (its `batch_size` and `n_process`).
    """
    from spacy.attrs import LEMMA, ORTH, SENT_START

    has_sents = nlp.has_pipe("sentencizer") or nlp.has_pipe("parser") or nlp.has_pipe("senter")
    vocab = nlp.vocab
    dutch_ids = {w: i + 1 for i, w in enumerate(DUTCH_WORDS)}

    def word(h: int) -> tuple:
        lex = vocab[h]
        lower = lex.lower_
        marker = dutch_ids.get(lower, -1 if lower in OTHER_WORDS else 0)
        return lex.orth_, is_content_word(lex, stop_words), sum(map(str.isalpha, lex.orth_)), marker

    def lemma(h: int) -> tuple:
        content = content_lemma(vocab.strings[h], stop_words)
        return content, content is not None

    words = StringFacts(word, (object, bool, np.int64, np.int64))
    contents = StringFacts(lemma, (object, bool))
    lemmatiser = Lemmatiser(vocab)
    cols: dict[str, list] = {k: [] for k in COLUMNS[:-1]}
    signals: dict[str, list] = {"letters": [], "dutch": []}
    docs = progress(nlp.pipe(texts, batch_size=cfg.batch_size, n_process=cfg.n_process), "nlp", total=len(texts))

    def entities(doc) -> None:
        cols["entities"].append([f"{e.label_}:{e.text}" for e in doc.ents])

    with few_full_collections():
        for chunk in doc_chunks(docs, [ORTH, LEMMA, SENT_START], entities):
            _chunk_columns(chunk, words, contents, lemmatiser, has_sents, cols, signals)
    if detector is not None:
        cols["lang"] = detector.detect_many(texts, signals["letters"], signals["dutch"])
    return cols


def _chunk_columns(chunk: Chunk, words: StringFacts, contents: StringFacts, lemmatiser: Lemmatiser,
                   has_sents: bool, cols: dict[str, list], signals: dict[str, list]) -> None:
    """Append the columns of a chunk of Docs, given their [ORTH, LEMMA, SENT_START] table.

    `signals` gets per Doc the letters of its text and whether it is `clearly_dutch`.
    """
    table, lengths, bounds = chunk.table, chunk.lengths, chunk.bounds
    w = words.ids(table[:, 0])
    c = contents.ids(lemmatiser.hashes(chunk))
    text, content_word, n_letters, marker = words.columns
    content, content_lemma_ok = contents.columns
    keep = lemmatiser.kept(chunk)
    is_content = content_word[w] & content_lemma_ok[c]

    cols["tokens"] += chunk.per_doc(text[w[keep]].tolist(), keep)
    cols["lemmas"] += lemmatiser(chunk, keep)
    cols["content_lemmas"] += chunk.per_doc(content[c[is_content]].tolist(), is_content)
    if has_sents:
        # Doc.sents starts a sentence at token 0 and at every later token with sent_start == 1.
        new_sentence = table[:, 2] == 1
        new_sentence[bounds[:-1][lengths > 0]] = False
        cols["n_sentences"] += (chunk.per_doc_sum(new_sentence) + (lengths > 0)).tolist()
    else:
        cols["n_sentences"] += [0] * len(chunk)
    signals["letters"] += chunk.per_doc_sum(n_letters[w]).tolist()  # spaCy keeps every character of the text
    m = marker[w]
    at = np.flatnonzero(m > 0)
    distinct = np.unique((np.searchsorted(bounds, at, side="right") - 1) * (len(DUTCH_WORDS) + 1) + m[at])
    n_dutch = np.bincount(distinct // (len(DUTCH_WORDS) + 1), minlength=len(chunk))
    signals["dutch"] += ((n_dutch >= CLEARLY_DUTCH_WORDS) & (chunk.per_doc_sum(m < 0) == 0)).tolist()
