"""Language identification per passage (py3langid, a model shipped inside the package).

Passages that are not Dutch are flagged, never dropped: an English answer is still an
answer. Very short or symbol-only texts get ``und`` (undetermined) rather than a guess.

`LanguageDetector.detect_many` gives the same label as `detect` for every text, but runs
py3langid's model over a whole batch at once (see `BatchScorer`): per passage, the
library's Python loop over bytes costs as much as spaCy's whole fallback pipeline.
The nlp stage also marks passages that are `clearly_dutch` by their function words;
those are 'nl' without the model, which on the generated corpus, the example corpora
and real Dutch texts said 'nl' for every passage so marked.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Sequence

import numpy as np

log = logging.getLogger(__name__)

UNDETERMINED = "und"

#: Frequent Dutch function words that are no common words of the other candidate
#: languages (checked against spaCy's stop words for en, de, fr, it, pl and tr, and by
#: hand for Frisian, which shares 'de', 'en', 'dat', 'dit', 'in', 'op', ...). The one
#: exception, Spanish 'van' (they go), never comes without Spanish `OTHER_WORDS`.
DUTCH_WORDS = tuple(sorted("""
    aan altijd bij bijvoorbeeld deze een gaat geen hebben heeft het hij hun jullie kunnen maar mijn moet moeten
    naar niet nog ons onder ook steeds tegen toch tussen uit van vanuit veel voor vooral waar wel welke wij wordt
    zal zeer zich zij zijn zou zouden zullen zoals
""".split()))
#: Frequent function words of the other candidate languages that are no Dutch words
#: (English, German, French, Frisian, Spanish, Italian, Polish, Turkish). One of them
#: sends a passage to the model; words Dutch also uses ('of', 'per', 'mei', 'les',
#: 'der', ...) are left out, as they would only send Dutch passages there.
OTHER_WORDS = frozenset("""
    the and to with for that this are be have has not our you on by from they which will would an
    und ist nicht mit von auf für dem das ein eine auch es zu im nach bei sind wird
    le la et est une du pour dans qui que sur avec ce il nous vous au
    fan yn foar wy hy sy binne hawwe wurdt wurde ek mar út nei troch dizze dy ús gjin folle mear sil soe kinne
    moat oan hjir dêr
    el los las y del por con para una se su di che della non sono gli nel
    nie się jest że ve bir bu için ile çok değil olarak
""".split())
#: Distinct Dutch function words that make a passage clearly Dutch (with no word of
#: another language among them). With 3, the model said 'und' for two of the 110,926
#: test passages (Dutch sentences naming Súdwest-Fryslân); with 4, for none.
CLEARLY_DUTCH_WORDS = 4

#: Texts scored together: bounds the memory of a batch (about 50 bytes per text byte)
#: and keeps its (text, feature) keys within 32 bits, which sort faster.
BATCH_BYTES = 2_000_000
BATCH_TEXTS = 20_000
#: Longer texts go through the library one by one: the batch advances one byte per step,
#: so a single very long text would make a batch of mostly idle steps.
LONG_TEXT_BYTES = 8_192
#: Texts of several languages and scripts on which the batch must match `classify` when
#: the detector is fitted (else the detector quietly uses `classify` for everything).
SELF_CHECK = (
    "Wij werken in de regio samen aan woningbouw en bereikbaarheid.",
    "I mostly coordinate the regional network meetings with our partners.",
    "Wir arbeiten in der Region eng mit den Nachbargemeinden zusammen.",
    "Nous travaillons ensemble avec les communes voisines de la région.",
    "Wy wurkje yn de regio gear oan wenningbou en berikberens.",
    "Bölgedeki belediyelerle birlikte çalışıyoruz.",
    "نعمل معًا في المنطقة على الإسكان",
    "GEBREK AAN GELD EN AAN LEF OM SAMEN TE KIEZEN",
    "Programmamanager bij de gemeente, Súdwest-Fryslân ✓ 😀",
    "§§ ---- 1234 ---- §§",
)


def clearly_dutch(words: Iterable[str]) -> bool:
    """At least `CLEARLY_DUTCH_WORDS` distinct `DUTCH_WORDS` and none of `OTHER_WORDS` (case-insensitive)."""
    found = {w.lower() for w in words}
    return len(found.intersection(DUTCH_WORDS)) >= CLEARLY_DUTCH_WORDS and found.isdisjoint(OTHER_WORDS)


class LanguageDetector:
    """Flag the language of short texts.

    Args:
        languages: ISO 639-1 codes to choose among (a closed set is far more reliable
            on short answers than all 97 of the model's languages).
        min_confidence: below this normalised probability the result is ``und``.
        min_letters: texts with fewer letters than this are ``und``.
    """

    def __init__(self, languages: list[str], min_confidence: float, min_letters: int):
        self.languages = languages
        self.min_confidence = min_confidence
        self.min_letters = min_letters

    def fit(self) -> "LanguageDetector":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.identifier_ = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self.identifier_.set_languages(self.languages)
        self.batch_ = BatchScorer.for_identifier(self.identifier_)
        return self

    @property
    def fitted(self) -> bool:
        return hasattr(self, "identifier_")

    def detect(self, text: str) -> str:
        if sum(map(str.isalpha, text)) < self.min_letters:
            return UNDETERMINED
        lang, prob = self.identifier_.classify(text)
        return lang if prob >= self.min_confidence else UNDETERMINED

    def detect_many(self, texts: Sequence[str], letters: Sequence[int] | None = None,
                    dutch: Sequence[bool] | None = None) -> list[str]:
        """`detect` for every text, scored in batches; the model is loaded on first need.

        Args:
            texts: the passages.
            letters: the number of letters (`str.isalpha`) of each text, when the caller
                has counted them already (the nlp stage sums them over its tokens).
            dutch: per text, whether it is `clearly_dutch` (from the caller's tokens);
                those are 'nl' without the model, when 'nl' is one of the languages.
        """
        if letters is None:
            letters = [sum(map(str.isalpha, t)) for t in texts]
        out = [UNDETERMINED] * len(texts)
        todo = [i for i, n in enumerate(letters) if n >= self.min_letters]
        if dutch is not None and "nl" in self.languages:
            for i in todo:
                if dutch[i]:
                    out[i] = "nl"
            todo = [i for i in todo if not dutch[i]]
        if not todo:
            return out
        if not self.fitted:
            self.fit()
        if self.batch_ is None:
            for i in todo:
                out[i] = self.detect(texts[i])
            return out
        for i, (lang, prob) in zip(todo, self.batch_.classify_many([texts[i] for i in todo])):
            out[i] = lang if prob >= self.min_confidence else UNDETERMINED
        return out


class BatchScorer:
    """py3langid's classifier (its model, automaton and arithmetic) over many texts at once.

    The library walks a byte automaton in a Python loop, one text at a time. Here the
    texts of a batch, longest first, advance together: step j moves every text that is
    longer than j bytes one state on, in one numpy gather. The naive-Bayes scores are then
    one sparse product (log1p of the feature counts times the model's table), normalised
    as the library does. Results equal `LanguageIdentifier.classify` up to float32
    rounding of the sums (below 1e-5 in probability).

    It reads the identifier's tables in the py3langid 0.4 layout; `for_identifier`
    returns None for any other layout, or when the batch disagrees with `classify` on
    `SELF_CHECK`, and the detector then uses `classify` itself.
    """

    def __init__(self, identifier: Any):
        self.identifier = identifier
        nextmove = identifier.tk_nextmove
        self.nextmove = np.frombuffer(nextmove, dtype=nextmove.typecode)  # no copy of 40 MB
        self.rowbase = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.table = np.asarray(identifier.nb_ptc, dtype=np.float32)  # float16 in the file; exact
        self.prior = np.asarray(identifier.nb_pc, dtype=np.float32)
        self.classes = list(identifier.nb_classes)
        self.aliases = list(identifier._alias_pairs)
        self.n_features = self.table.shape[0]

    @classmethod
    def for_identifier(cls, identifier: Any) -> "BatchScorer | None":
        try:
            scorer = cls(identifier)
            if not identifier._norm_probs or len(scorer.output) != len(scorer.rowbase):
                raise ValueError("unexpected model layout")
            got = scorer.classify_many(list(SELF_CHECK))
        except (AttributeError, TypeError, ValueError, IndexError) as exc:
            log.debug("language: batch scoring unavailable (%s); using py3langid per text", exc)
            return None
        want = [identifier.classify(t) for t in SELF_CHECK]
        if any(a[0] != b[0] or abs(a[1] - b[1]) > 1e-4 for a, b in zip(got, want)):
            log.debug("language: batch scoring disagrees with py3langid; using py3langid per text")
            return None
        return scorer

    def classify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """(language, probability) per text, as `identifier.classify` gives them."""
        encoded = [self.identifier._encode(t) for t in texts]
        results: list[tuple[str, float] | None] = [None] * len(texts)
        batch: list[int] = []
        size = 0
        for i in sorted(range(len(encoded)), key=lambda i: -len(encoded[i])):
            n = len(encoded[i])
            if n > LONG_TEXT_BYTES or n == 0:
                results[i] = self.identifier.classify(texts[i])
                continue
            if (size + n > BATCH_BYTES or len(batch) == BATCH_TEXTS) and batch:
                self._classify_batch([encoded[j] for j in batch], batch, results)
                batch, size = [], 0
            batch.append(i)
            size += n
        if batch:
            self._classify_batch([encoded[j] for j in batch], batch, results)
        return results  # type: ignore[return-value]

    def _classify_batch(self, encoded: list[bytes], where: list[int], results: list) -> None:
        probs = self.probabilities(encoded)
        best = probs.argmax(axis=1)
        conf = probs[np.arange(len(best)), best].tolist()
        for i, b, p in zip(where, best.tolist(), conf):
            results[i] = (self.classes[b], p)

    def probabilities(self, encoded: list[bytes]) -> np.ndarray:
        """Normalised class probabilities (texts × classes) of non-empty byte strings, longest first."""
        import scipy.sparse as sp

        n = len(encoded)
        lengths = np.fromiter(map(len, encoded), np.int64, n)
        if n > 1 and np.any(lengths[1:] > lengths[:-1]):
            raise ValueError("texts must come longest first")
        data = np.frombuffer(b"".join(encoded), np.uint8)
        starts = np.cumsum(lengths) - lengths
        # active[j]: texts longer than j bytes, i.e. the first active[j] (longest first)
        active = np.searchsorted(-lengths, -np.arange(int(lengths[0])), side="left")
        offsets = np.cumsum(active) - active
        text_of = np.arange(int(active.sum())) - np.repeat(offsets, active)  # step-major order
        byte_no = np.repeat(np.arange(len(active)), active)
        walk = data[starts[text_of] + byte_no]
        states = np.empty(len(walk), dtype=self.nextmove.dtype)
        state = np.zeros(n, dtype=self.nextmove.dtype)
        nextmove, rowbase = self.nextmove, self.rowbase
        for a, k in zip(offsets.tolist(), active.tolist()):
            state = nextmove[rowbase[state[:k]] + walk[a:a + k]]
            states[a:a + k] = state
        # Feature counts per (text, feature): sort the pairs, count the runs.
        features = self.output[states]
        hit = features >= 0
        keys = text_of[hit] * self.n_features + features[hit]
        if n * self.n_features < 2**31:  # int32 sorts faster
            keys = keys.astype(np.int32)
        keys.sort(kind="stable")
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        starts_of_runs = np.flatnonzero(first)
        counts = np.diff(np.append(starts_of_runs, len(keys))).astype(np.float32)
        pairs = keys[starts_of_runs]
        rows = pairs // self.n_features
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        counts_matrix = sp.csr_matrix((np.log1p(counts), pairs % self.n_features, indptr),
                                      shape=(n, self.n_features))
        scores = np.asarray(counts_matrix @ self.table, dtype=np.float32) + self.prior
        scores[indptr[1:] == indptr[:-1]] = 0.0  # no feature at all: uniform, as the library does
        scores *= (1.0 / np.sqrt(lengths)).astype(np.float32)[:, None]  # T = sqrt(bytes), as the library
        np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        for i, j in self.aliases:  # script aliases fold into their first column, as the library does
            scores[:, i] += scores[:, j]
            scores[:, j] = 0.0
        return scores

