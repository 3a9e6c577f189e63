"""The `report` section of params.yaml, checked once when it is read.

`ReportConfig.from_params` names a missing or wrong setting in Dutch (a user mistake,
no traceback); `validate` runs again in `run`, for a config built in code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from pipeline.errors import SamenspelError

#: Corrections for multiple testing that `report.correction` may name, with their names in the report.
CORRECTIONS = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg"}

#: The scalar field types of ReportConfig (annotations are strings here) and how a value becomes one.
_SCALARS = {"str": str, "int": int, "float": float, "bool": bool}


@dataclass(frozen=True)
class Reference:
    """The article's figure, shown next to our shares for orientation only."""

    label: str
    source: str
    shares: dict[str, float]


@dataclass
class ReportConfig:
    """Settings from the `report` section of params.yaml."""

    title: str
    compare_waves: list[str]
    orientation_questions: list[str]
    theme_questions: list[str]
    groups: list[str]
    min_group_size: int
    min_respondents: int
    language_min_words: int
    alpha: float
    correction: str
    fisher_below: float
    relevant_difference_pp: float
    evidence_per_code: int
    quote_chars: int
    max_locations: int
    figure_dpi: int
    chart_rows: int
    ner: bool
    reference: Reference

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "ReportConfig":
        from pipeline.config import require

        def strings(key: str) -> list[str]:
            value = require(cfg, key, "report")
            if value is None:
                return []
            if not isinstance(value, list):
                raise SamenspelError(f"report.{key} moet een lijst zijn (leeg = alles)")
            return [str(v) for v in value]

        ref = require(cfg, "reference", "report")
        if not isinstance(ref, dict):
            raise SamenspelError("report.reference moet een mapping zijn met label, source en shares")
        shares = require(ref, "shares", "report.reference") or {}
        # Every field but the reference is one key, read in field order and made into the
        # field's type: the dataclass is the one list of the section's keys.
        conf = cls(
            **{f.name: strings(f.name) if f.type == "list[str]" else _SCALARS[f.type](require(cfg, f.name, "report"))
               for f in fields(cls) if f.name != "reference"},
            reference=Reference(str(require(ref, "label", "report.reference")),
                                str(require(ref, "source", "report.reference")),
                                {str(k): float(v) for k, v in shares.items()}),
        )
        conf.validate()
        return conf

    def validate(self) -> None:
        if self.correction not in CORRECTIONS:
            raise SamenspelError(f"onbekende report.correction '{self.correction}'",
                                 hint=f"kies uit: {', '.join(CORRECTIONS)}")
        if not 0 < self.alpha < 1:
            raise SamenspelError("report.alpha moet tussen 0 en 1 liggen (bijv. 0.05)")
        if self.compare_waves and len(self.compare_waves) != 2:
            raise SamenspelError("report.compare_waves moet leeg zijn of precies twee golven noemen",
                                 hint="bijv. ['2016', '2026'] (eerst de oudste)")
        if self.min_respondents < 1:
            raise SamenspelError("report.min_respondents moet minstens 1 zijn")
        if self.quote_chars < 40:
            raise SamenspelError("report.quote_chars moet minstens 40 zijn")
        bad = {k: v for k, v in self.reference.shares.items() if not 0 <= v <= 1}
        if bad:
            raise SamenspelError(f"report.reference.shares moeten tussen 0 en 1 liggen: {bad}")
