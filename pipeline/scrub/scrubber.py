"""The scrubber: runs the detectors on a text, resolves overlaps and writes placeholders.

Regex detectors (`patterns`), deduce (`deduce`), the name rules (`names`) and, when the
caller passes a spaCy pipeline with NER, its PER entities each propose spans; where
spans overlap the longest is kept, and each chosen span is replaced by its placeholder.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Iterator, Sequence

from pipeline.errors import SamenspelError
from pipeline.scrub.deduce import find_deduce_names, load_deduce, name_lists
from pipeline.scrub.names import clean_name_spans, find_rule_names
from pipeline.scrub.patterns import REGEX_DETECTORS
from pipeline.scrub.placeholders import PII_TYPES, RANK, Detector, Span, placeholder

log = logging.getLogger(__name__)


def find_ner_names(doc) -> list[Span]:
    """PER entities of a spaCy Doc (nl_core_news_* label persons 'PER')."""
    return [Span(e.start_char, e.end_char, "NAAM") for e in doc.ents if e.label_ in ("PER", "PERSON")]


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (ties: type order in PII_TYPES, then leftmost)."""
    chosen: list[Span] = []
    for s in sorted(set(spans), key=lambda s: (-(s.end - s.start), RANK.get(s.type, 99), s.start)):
        if s.end > s.start and all(s.end <= c.start or s.start >= c.end for c in chosen):
            chosen.append(s)
    return sorted(chosen)


def scrub_text(text: str, *, detectors: Iterable[Detector] = tuple(REGEX_DETECTORS.values()),
               spans: Iterable[Span] = ()) -> tuple[str, list[str]]:
    """Replace personal data in `text` by placeholders.

    Args:
        text: The text to scrub.
        detectors: Functions text -> spans; the default runs all regex detectors.
        spans: Extra spans found beforehand (e.g. names from a batch NER run).

    Returns:
        The scrubbed text and the placeholder types inserted, in text order.
    """
    found = list(spans)
    for detect in detectors:
        found.extend(detect(text))
    chosen = resolve_overlaps(found)
    parts, types, pos = [], [], 0
    for s in chosen:
        parts.append(text[pos:s.start])
        parts.append(placeholder(s.type))
        types.append(s.type)
        pos = s.end
    parts.append(text[pos:])
    return "".join(parts), types


class Scrubber:
    """Configured scrubbing: which types, deduce on or off, an optional spaCy pipeline.

    Args:
        types: Placeholder types to scrub (default all of PII_TYPES).
        use_deduce: Find names with deduce (slow to load the first time).
        name_rules: Use the rule layer for names (titles, lowercase pairs).
        nlp: A spaCy pipeline whose PER entities count as names, or None.
        batch_size: Texts per `nlp.pipe` batch.
    """

    def __init__(self, types: Sequence[str] = PII_TYPES, use_deduce: bool = True, name_rules: bool = True,
                 nlp: Any = None, batch_size: int = 64):
        self.types = types
        self.use_deduce = use_deduce
        self.name_rules = name_rules
        self.nlp = nlp
        self.batch_size = batch_size

    def fit(self) -> "Scrubber":
        """Check the settings and load what the detectors need; returns self."""
        unknown = set(self.types) - set(PII_TYPES)
        if unknown:
            raise SamenspelError(f"onbekende type(s) persoonsgegevens: {sorted(unknown)}",
                                 hint=f"kies uit {', '.join(PII_TYPES)}")
        names = "NAAM" in self.types
        self.deduce_ = load_deduce() if names and self.use_deduce else None
        self.lists_ = name_lists() if names else None
        self.ner_ = bool(names and self.nlp is not None and _ent_pipes(self.nlp))
        if names and self.nlp is not None and not _ent_pipes(self.nlp):
            log.warning("het spaCy-model heeft geen NER; namen alleen via deduce en regels")
        detectors: list[Detector] = []
        for t, detect in REGEX_DETECTORS.items():
            if t in self.types or (t == "ADRES" and "POSTCODE" in self.types):
                detectors.append(detect)
        self.detectors_ = detectors
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "detectors_"):
            self.fit()

    def find(self, text: str, doc: Any = None) -> list[Span]:
        """All spans of personal data in `text`, overlaps resolved."""
        self._fitted()
        spans: list[Span] = []
        for detect in self.detectors_:
            spans.extend(detect(text))
        if "NAAM" in self.types:
            names: list[Span] = []
            if self.deduce_ is not None:
                names += find_deduce_names(text, self.deduce_)
            if doc is not None:
                names += find_ner_names(doc)
            names = clean_name_spans(text, names, self.lists_)
            if self.name_rules:
                names += find_rule_names(text, self.lists_)
            spans += names
        return resolve_overlaps(s for s in spans if s.type in self.types)

    def scrub(self, text: str, doc: Any = None) -> tuple[str, list[str]]:
        """Scrub one text; returns the new text and the placeholder types inserted."""
        if not text or not text.strip():
            return text, []
        return scrub_text(text, detectors=(), spans=self.find(text, doc))

    def scrub_many(self, texts: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
        """Scrub texts in order, running the spaCy pipeline (if any) in batches."""
        self._fitted()
        if not self.ner_:
            for text in texts:
                yield self.scrub(text)
            return
        texts = list(texts)
        docs = self.nlp.pipe(texts, batch_size=self.batch_size)
        for text, doc in zip(texts, docs):
            yield self.scrub(text, doc)


def _ent_pipes(nlp: Any) -> list[str]:
    names = [name for name, _ in getattr(nlp, "pipeline", [])]
    return [n for n in names if n in ("ner", "entity_ruler") or n.endswith("_ner")]
