"""A passage's status: whether it holds text to code, and if not, why.

Answers are 'ok', 'empty' (only white space), 'na' (a missing value, `na_values`) or
'filler' (says nothing, `filler_answers`); document paragraphs are 'ok' or 'signature',
as their reader decides. Every passage is kept whatever its status; only 'ok' ones are
coded (`codable`). `ingest` and `samenspel classify FILE` both decide an answer's status
here, so an ad-hoc file is coded exactly as the same answers in the pipeline would be.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from pipeline.schema import STATUS_OK
from pipeline.text import normalise_answer


class AnswerStatus:
    """The status of a survey answer, given the values that mean missing and the filler answers.

    Args:
        na_values: cell values that mean "missing" (compared after stripping white space).
        filler_answers: answers that say nothing, compared after `normalise_answer`
            (lowercase, no accents or punctuation), so "N.v.t." is "nvt".
    """

    def __init__(self, na_values: Iterable[str], filler_answers: Iterable[str]):
        self.na_values = set(na_values)
        self.fillers = {normalise_answer(f) for f in filler_answers}

    @classmethod
    def from_config(cls, cfg, na_values: list[str] | None = None) -> "AnswerStatus":
        """The rule of an `IngestConfig`; `na_values` (a wave YAML's own) replaces the config's."""
        return cls(cfg.na_values if na_values is None else na_values, cfg.filler_answers)

    def __call__(self, text: str) -> str:
        """'empty', 'na', 'filler' or 'ok'.

        An answer without a single letter or digit, such as only emoji or punctuation, is
        'filler': kept as a passage, but there is no text to code.
        """
        stripped = text.strip()
        if not stripped:
            return "empty"
        if stripped in self.na_values:
            return "na"
        norm = normalise_answer(stripped)
        if not norm or norm in self.fillers:
            return "filler"
        return STATUS_OK


def codable(statuses: pd.Series | Iterable[str]) -> np.ndarray:
    """Per passage, whether it is coded: its status is 'ok'."""
    return np.asarray(pd.Series(statuses, dtype=object) == STATUS_OK, dtype=bool)
