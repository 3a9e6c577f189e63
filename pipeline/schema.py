"""Table schemas of the intermediate data, declared once and checked at stage boundaries.

Every table is written as Parquet through `write_table`, which validates the columns
and casts them to the declared Arrow types, so that the files are the same byte for
byte for the same content. Extra columns are allowed only with a declared prefix
(`meta_` for respondent metadata kept from a survey export).

All of them live here, also those of `classify`, `topics` and `train`: a stage that reads
another's table imports its schema from this module, which imports pandas and pyarrow
only, never that stage (and BERTopic or scikit-learn with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from pipeline.errors import SamenspelError


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool = True
    doc: str = ""


@dataclass(frozen=True)
class Schema:
    name: str
    columns: tuple[Column, ...]
    #: Allowed extra columns: name prefix -> Arrow type (e.g. ``meta_`` -> string).
    extras: dict[str, pa.DataType] = field(default_factory=dict)
    #: Paired columns: prefix -> (its type, the partner's type). Every extra column
    #: ``<prefix><name>`` requires a column ``<name>`` (``p_regie`` comes with ``regie``).
    pairs: dict[str, tuple[pa.DataType, pa.DataType]] = field(default_factory=dict)
    #: Columns whose values are unique together, checked when the table has them all.
    #: `topics.parquet` holds a passage once per corpus: there (corpus, passage_id) is unique.
    key: tuple[str, ...] = ("passage_id",)

    @property
    def extra_prefixes(self) -> tuple[str, ...]:
        return tuple(self.extras)

    def paired_columns(self, df: pd.DataFrame) -> dict[str, pa.DataType]:
        """The ``<name>`` columns that `pairs` requires for the columns of df, with their type."""
        return {str(c)[len(p):]: t[1] for c in df.columns if c not in self.names
                for p, t in self.pairs.items() if str(c).startswith(p)}

    def _extra_type(self, name: str, paired: dict[str, pa.DataType]) -> pa.DataType:
        if name in paired:
            return paired[name]
        types = {**self.extras, **{p: t[0] for p, t in self.pairs.items()}}
        return next(t for p, t in types.items() if name.startswith(p))

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self, df: pd.DataFrame) -> pa.Schema:
        paired = self.paired_columns(df)
        fields = [pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns]
        fields += [pa.field(name, self._extra_type(name, paired)) for name in self.extra_columns(df)]
        return pa.schema(fields)

    def extra_columns(self, df: pd.DataFrame) -> list[str]:
        return [c for c in df.columns if c not in self.names]

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """Check names, nulls and extra columns; return the columns in declared order."""
        missing = [c for c in self.names if c not in df.columns]
        if missing:
            raise SamenspelError(
                f"table '{self.name}' misses columns {missing}",
                hint="the upstream output is from an older version; run `dvc repro` again",
            )
        paired = self.paired_columns(df)
        missing_pairs = [c for c in paired if c not in df.columns]
        if missing_pairs:
            raise SamenspelError(f"table '{self.name}' misses columns {missing_pairs}",
                                 hint="the upstream output is from an older version; run `dvc repro` again")
        prefixes = self.extra_prefixes + tuple(self.pairs)
        bad_extra = [c for c in self.extra_columns(df) if c not in paired and not str(c).startswith(prefixes)]
        if bad_extra:
            raise SamenspelError(f"table '{self.name}' has undeclared columns {bad_extra}")
        for col in self.columns:
            if not col.nullable and df[col.name].isna().any():
                raise SamenspelError(f"table '{self.name}': column '{col.name}' has empty values")
        if all(k in df.columns for k in self.key):
            dup = df.duplicated(list(self.key))
            if dup.any():
                first = df.loc[dup, list(self.key)].iloc[0]
                what = f"{self.key[0]} '{first.iloc[0]}'" if len(self.key) == 1 else str(dict(first))
                raise SamenspelError(f"table '{self.name}': {what} is not unique")
        extra = self.extra_columns(df)
        return df[self.names + sorted(c for c in extra if c not in paired) + sorted(c for c in extra if c in paired)]

    def to_arrow(self, df: pd.DataFrame) -> pa.Table:
        df = self.validate(df)
        return pa.Table.from_pandas(df, schema=self.arrow_schema(df), preserve_index=False)


_str = pa.string()
_int = pa.int64()
_strs = pa.list_(pa.string())

PROVENANCE = (
    Column("passage_id", _str, nullable=False, doc="stable id: <wave>/<respondent>/<question> or <document>/<paragraph>[.<chunk>]"),
    Column("source", _str, nullable=False, doc="input file, relative to the corpus folder"),
    Column("kind", _str, nullable=False, doc="'survey' or 'document'"),
    Column("wave", _str, doc="survey wave label"),
    Column("respondent_id", _str, doc="survey respondent id"),
    Column("question_id", _str, doc="survey question id"),
    Column("row", _int, doc="1-based data row in the survey export"),
    Column("page", _int, doc="1-based page (PDF only)"),
    Column("paragraph", _int, doc="1-based paragraph index in the document"),
    Column("chunk", _int, nullable=False, doc="0, or the part number when a long paragraph was split on sentences"),
    Column("section", _str, doc="headings above the paragraph, outermost first, joined with ' › ' (documents)"),
)

#: Output of `ingest`: one row per passage, including empty and filler answers (flagged).
PASSAGES = Schema(
    "passages",
    PROVENANCE
    + (
        Column("text", _str, nullable=False),
        Column("status", _str, nullable=False, doc="'ok', 'empty', 'na', 'filler' or 'signature'"),
    ),
    extras={"meta_": _str},
)

#: The types of personal data `scrub` replaces, in the order that breaks ties between equally
#: long matches. They are the values of SCRUBBED's `pii_types`; in the text each becomes
#: `placeholder(type)`, which `nlp` keeps as one token. Defined here, not in the scrub package,
#: so that reading them does not run every scrub module (nor make nlp's dependants depend on them).
PII_TYPES = ("IBAN", "EMAIL", "BSN", "TELEFOON", "KENTEKEN", "ADRES", "POSTCODE", "NAAM")


def placeholder(pii_type: str) -> str:
    """The text that replaces personal data of `pii_type`: "[NAAM]"."""
    return f"[{pii_type}]"


#: Every placeholder scrub can write, in the order of PII_TYPES.
PLACEHOLDERS = tuple(placeholder(t) for t in PII_TYPES)

#: Output of `scrub`: the passages with personal data replaced by typed placeholders.
SCRUBBED = Schema(
    "scrubbed",
    PASSAGES.columns
    + (
        Column("scrubbed", pa.bool_(), nullable=False, doc="scrubbing was applied to this passage"),
        Column("pii_types", _strs, doc="placeholder types that were inserted"),
    ),
    extras={"meta_": _str},
)

#: Output of `nlp`: linguistic annotation per passage (joined to SCRUBBED by passage_id).
NLP = Schema(
    "nlp",
    (
        Column("passage_id", _str, nullable=False),
        Column("tokens", _strs, nullable=False),
        Column("lemmas", _strs, nullable=False, doc="lowercased lemma per token"),
        Column("content_lemmas", _strs, nullable=False, doc="lemmas without stop words, punctuation, numbers"),
        Column("n_sentences", _int, nullable=False),
        Column("entities", _strs, nullable=False, doc="'LABEL:text' per entity; empty without NER"),
        Column("lang", _str, nullable=False, doc="ISO 639-1 language of the passage, or 'und'"),
        Column("backend", _str, nullable=False, doc="NLP backend that produced the row"),
    ),
)

#: Output of `classify`. Code columns depend on the codebook: for every code a
#: probability `p_<code>` (float) and the 0/1 decision `<code>` (int).
CLASSIFIED = Schema(
    "classified",
    SCRUBBED.columns + (
        Column("classified", pa.bool_(), nullable=False, doc="false for empty, NA and filler passages"),
        Column("lang", _str, nullable=False, doc="language flag from the nlp stage ('nl', 'en', ..., 'und')"),
        Column("relevance", pa.float64(), nullable=False,
               doc="p(the passage is about collaboration between organisations); 0 when not classified"),
        Column("codes", _str, nullable=False, doc="assigned codes joined with ';'"),
        Column("evidence", _strs, nullable=False, doc="'code: term, term' per assigned code"),
    ),
    extras={"meta_": _str},
    pairs={"p_": (pa.float64(), _int)},
)

#: Output of `topics`: the topic of every passage in every corpus it belongs to. A passage
#: is in all survey answers and in its question's corpus, so passage_id repeats.
TOPICS = Schema(
    "topics",
    (
        Column("passage_id", _str, nullable=False),
        Column("corpus", _str, nullable=False,
               doc="corpus name from topics.corpora, or derived from the data when that is empty"),
        Column("topic", _int, nullable=False, doc="topic id within the corpus; -1 = no topic"),
        Column("probability", pa.float64(),
               doc="HDBSCAN membership strength; for passages moved out of -1, the similarity that moved them; "
                   "for 'transform', the cosine similarity to the topic's embedding"),
        Column("label", _str, nullable=False, doc="short label from the topic's top lemmas"),
        Column("assigned_by", _str, nullable=False,
               doc="'model', 'outlier_reduction', 'transform' (placed by the saved model of an earlier "
                   "fit in an incremental run), 'duplicate' (topic of its first occurrence), "
                   "'filler' (no content words), 'other_language' (lang not in topics.languages) "
                   "or 'skipped' (corpus too small)"),
    ),
    key=("corpus", "passage_id"),
)

#: Output of `train`: out-of-fold predictions on the training part: p_<code>, gold y_<code>,
#: honest cv_<code>, and p(relevant) as `relevance`.
OOF = Schema("oof", (Column("id", _str, nullable=False), Column("cv_fold", _int, nullable=False),
                     Column("relevance", pa.float64(), nullable=False)),
             extras={"p_": pa.float64(), "y_": _int, "cv_": _int})

STATUS_OK = "ok"
#: A document passage that is only a signature block ("De Minister van X,", "w.g. J. Jansen"): kept, not coded.
STATUS_SIGNATURE = "signature"
STATUSES = ("ok", "empty", "na", "filler", STATUS_SIGNATURE)

#: Between the levels of a document section: "Hoofdstuk 2 › Artikel 7".
SECTION_SEPARATOR = " › "
