"""The table `topics` writes (`TOPICS`), and the kind of schema it needs (`KeyedSchema`).

`topics.parquet` holds a passage once per corpus it belongs to, so its rows are unique
on (corpus, passage_id) rather than on passage_id like the other tables of pipeline.schema.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from pipeline.errors import SamenspelError
from pipeline.schema import Column, Schema


@dataclass(frozen=True)
class KeyedSchema(Schema):
    """A schema whose rows are unique on `key` instead of on passage_id alone.

    `topics.parquet` holds a passage once per corpus it belongs to (all survey answers
    and per question), so passage_id repeats; (corpus, passage_id) is unique.
    """

    key: tuple[str, ...] = ("passage_id",)

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.names if c not in df.columns]
        if missing:
            raise SamenspelError(f"table '{self.name}' misses columns {missing}",
                                 hint="the upstream output is from an older version; run `dvc repro` again")
        bad_extra = [c for c in self.extra_columns(df) if not c.startswith(self.extra_prefixes)]
        if bad_extra:
            raise SamenspelError(f"table '{self.name}' has undeclared columns {bad_extra}")
        for col in self.columns:
            if not col.nullable and df[col.name].isna().any():
                raise SamenspelError(f"table '{self.name}': column '{col.name}' has empty values")
        dup = df.duplicated(list(self.key))
        if dup.any():
            raise SamenspelError(f"table '{self.name}': {dict(df.loc[dup, list(self.key)].iloc[0])} is not unique")
        return df[self.names + sorted(self.extra_columns(df))]


#: Output of `topics`: the topic of every passage in every corpus it belongs to.
TOPICS = KeyedSchema(
    "topics",
    (
        Column("passage_id", pa.string(), nullable=False),
        Column("corpus", pa.string(), nullable=False,
               doc="corpus name from topics.corpora, or derived from the data when that is empty"),
        Column("topic", pa.int64(), nullable=False, doc="topic id within the corpus; -1 = no topic"),
        Column("probability", pa.float64(),
               doc="HDBSCAN membership strength; for passages moved out of -1, the similarity that moved them; "
                   "for 'transform', the cosine similarity to the topic's embedding"),
        Column("label", pa.string(), nullable=False, doc="short label from the topic's top lemmas"),
        Column("assigned_by", pa.string(), nullable=False,
               doc="'model', 'outlier_reduction', 'transform' (placed by the saved model of an earlier "
                   "fit in an incremental run), 'duplicate' (topic of its first occurrence), "
                   "'filler' (no content words), 'other_language' (lang not in topics.languages) "
                   "or 'skipped' (corpus too small)"),
    ),
    key=("corpus", "passage_id"),
)
