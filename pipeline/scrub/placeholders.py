"""The spans scrub's detectors find, and the ranks that break ties between them.

The placeholder types and strings themselves (`PII_TYPES`, `placeholder`, `PLACEHOLDERS`)
are defined once in `pipeline.schema`, next to the `pii_types` column they fill, and
re-exported here; `pipeline.nlp` keeps every string of `PLACEHOLDERS` as one token.
"""

from __future__ import annotations

from typing import Callable, Iterable, NamedTuple

from pipeline.schema import PII_TYPES, PLACEHOLDERS, placeholder

__all__ = ["PII_TYPES", "PLACEHOLDERS", "RANK", "Detector", "Span", "placeholder"]

#: Position of each type in PII_TYPES, for tie-breaks and for listing types in that order.
RANK = {t: i for i, t in enumerate(PII_TYPES)}


class Span(NamedTuple):
    """A match of personal data: character offsets into the text and its type."""

    start: int
    end: int
    type: str


Detector = Callable[[str], Iterable[Span]]
