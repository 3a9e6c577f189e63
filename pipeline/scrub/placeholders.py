"""What scrub writes: the placeholder types, their strings, and the spans that become them.

Placeholders are fixed strings, so the output is deterministic and the same value gives
the same text everywhere. This is the one place they are defined: the detectors emit
`Span`s of these types, and `pipeline.nlp` keeps every string of `PLACEHOLDERS` as one
token.
"""

from __future__ import annotations

from typing import Callable, Iterable, NamedTuple

#: Placeholder types in the order used to break ties between equally long matches.
PII_TYPES = ("IBAN", "EMAIL", "BSN", "TELEFOON", "KENTEKEN", "ADRES", "POSTCODE", "NAAM")
#: Position of each type in PII_TYPES, for tie-breaks and for listing types in that order.
RANK = {t: i for i, t in enumerate(PII_TYPES)}


class Span(NamedTuple):
    """A match of personal data: character offsets into the text and its type."""

    start: int
    end: int
    type: str


Detector = Callable[[str], Iterable[Span]]


def placeholder(pii_type: str) -> str:
    return f"[{pii_type}]"


#: Every placeholder scrub can write, in the order of PII_TYPES.
PLACEHOLDERS = tuple(placeholder(t) for t in PII_TYPES)
