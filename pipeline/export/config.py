"""The `export` settings from params.yaml, checked where they are read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pipeline.errors import SamenspelError
from pipeline.files import csv_dialect

#: Who the outputs say made them: the workbook's creator, the QDA origin and user.
ORIGIN = "samenspel"


@dataclass
class ExportConfig:
    """Settings from the `export` section of params.yaml."""

    project_name: str
    timestamp: dt.datetime
    topic_corpora: list[str]
    csv_dialect: str  # a key of pipeline.files.CSV_DIALECTS

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "ExportConfig":
        from pipeline.config import require_fields

        raw = require_fields(cls, cfg, "export")
        name = str(raw["project_name"]).strip()
        if not name:
            raise SamenspelError("export.project_name is leeg", hint="geef het project een naam in params.yaml")
        corpora = raw["topic_corpora"] or []
        if not isinstance(corpora, list):
            raise SamenspelError("export.topic_corpora moet een lijst zijn (leeg = alle corpora)")
        csv_dialect(raw["csv_dialect"])
        return cls(project_name=name, timestamp=parse_timestamp(raw["timestamp"]),
                   topic_corpora=[str(c) for c in corpora], csv_dialect=raw["csv_dialect"])


def parse_timestamp(value: Any) -> dt.datetime:
    """A fixed export time as naive UTC, whole seconds; accepts YAML dates and ISO strings."""
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, dt.date):
        ts = dt.datetime(value.year, value.month, value.day)
    else:
        try:
            ts = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise SamenspelError(f"export.timestamp '{value}' is geen geldige datum-tijd",
                                 hint="schrijf bijvoorbeeld \"2016-06-22T00:00:00Z\"") from None
    if ts.tzinfo is not None:
        ts = ts.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if ts.year < 1980:  # zip archives cannot store earlier dates
        raise SamenspelError(f"export.timestamp '{value}' ligt voor 1980", hint="kies een latere datum")
    return ts.replace(microsecond=0)

