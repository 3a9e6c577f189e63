"""The passages of each corpus: loaded, derived from the data, selected, and given their role.

A passage's role says whether the model sees it: 'unique', or set aside as a 'duplicate'
(it gets the topic of its first occurrence), a 'filler' (too few content lemmas) or
'other_language'.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from pipeline.errors import SamenspelError
from pipeline.files import read_table
from pipeline.schema import NLP, SCRUBBED, STATUS_OK
from pipeline.topics.config import CorpusSpec

#: Names of the corpora derived from the data when `topics.corpora` is empty.
KIND_CORPUS = {"survey": "enquete", "document": "documenten"}


def _corpus_name(text: str) -> str:
    """A corpus name (lowercase letters, digits, _ and -) from a question id."""
    return re.sub(r"[^a-z0-9_-]+", "_", str(text).lower()).strip("_-") or "vraag"


def derive_corpora(passages: pd.DataFrame, min_answers: int) -> list[CorpusSpec]:
    """The corpora of `topics.corpora: []`: all survey answers, one corpus per survey question
    with at least `min_answers` answers with status 'ok', and the documents (each when present).

    A survey with a single question gets no separate corpus for it (it would be the same
    fit twice). Question corpora come in the order of the questions in the table.
    """
    ok = passages[passages["status"] == STATUS_OK]
    specs: list[CorpusSpec] = []
    survey = ok[ok["kind"] == "survey"]
    if len(survey):
        specs.append(CorpusSpec(KIND_CORPUS["survey"], "survey"))
    # Answers, not passages: a long answer split at ingest is one answer.
    answers = survey.drop_duplicates(["wave", "respondent_id", "question_id"])
    counts = answers["question_id"].dropna().astype(str).value_counts(sort=False)
    order = list(dict.fromkeys(survey["question_id"].dropna().astype(str)))
    if len(order) > 1:
        taken = {s.name for s in specs} | {KIND_CORPUS["document"]}
        for q in order:
            if counts[q] < min_answers:
                continue
            name, i = f"{KIND_CORPUS['survey']}_{_corpus_name(q)}", 2
            while name in taken:  # two question ids that only differ in punctuation or case
                name, i = f"{KIND_CORPUS['survey']}_{_corpus_name(q)}_{i}", i + 1
            taken.add(name)
            specs.append(CorpusSpec(name, "survey", [q]))
    if (ok["kind"] == "document").any():
        specs.append(CorpusSpec(KIND_CORPUS["document"], "document"))
    return specs


def load_passages(scrubbed_path: Path, nlp_path: Path) -> pd.DataFrame:
    """Scrubbed passages joined to their content lemmas."""
    passages = read_table(scrubbed_path, SCRUBBED)
    nlp = read_table(nlp_path, NLP)[["passage_id", "content_lemmas", "lang"]]
    df = passages.merge(nlp, on="passage_id", how="left", validate="one_to_one")
    missing = df["content_lemmas"].isna() & (df["status"] == STATUS_OK)
    if missing.any():
        raise SamenspelError(f"{int(missing.sum())} passages hebben geen nlp-annotatie "
                             f"(bijv. {df.loc[missing, 'passage_id'].iloc[0]})", path=nlp_path,
                             hint="draai de nlp-stage opnieuw op dezelfde passages (`dvc repro`)")
    return df


def load_classified(path: Path | None) -> tuple[pd.DataFrame | None, list[str]]:
    """The 0/1 code columns per passage_id (named by code id), or (None, []) without a classified table."""
    if path is None:
        return None, []
    path = Path(path)
    if not path.exists():
        raise SamenspelError("geclassificeerde passages niet gevonden", path=path,
                             hint="draai eerst de classify-stage, of laat --classified weg")
    df = pd.read_parquet(path)
    if "passage_id" not in df.columns:
        raise SamenspelError("kolom 'passage_id' ontbreekt", path=path)
    # The 0/1 decision `<code>` next to each probability `p_<code>` (schema CLASSIFIED, and the exports).
    codes = [col[2:] for col in df.columns if col.startswith("p_") and col[2:] in df.columns]
    if not codes:
        raise SamenspelError("geen codekolommen (p_<code> met <code>) gevonden", path=path)
    return df[["passage_id", *codes]].fillna(0).astype({c: "int64" for c in codes}), codes


def normalise(text: str) -> str:
    """Key for exact duplicates: case-folded, whitespace collapsed."""
    return " ".join(str(text).casefold().split())


def select_corpus(passages: pd.DataFrame, spec: CorpusSpec) -> pd.DataFrame:
    mask = (passages["kind"] == spec.kind) & (passages["status"] == STATUS_OK)
    if spec.questions is not None:
        mask &= passages["question_id"].isin(spec.questions)
    return passages[mask].reset_index(drop=True)


def mark_roles(df: pd.DataFrame, embed_input: str, min_content_lemmas: int,
               languages: Sequence[str] | None) -> pd.DataFrame:
    """Add `lemma_doc`, `embed_doc`, `role` and `first`.

    Roles: 'other_language' (the nlp stage's `lang` is not in `languages`, when given:
    Dutch stop words and lemmas say nothing about it), 'filler', 'duplicate' or 'unique'. `first` is
    the row of the first occurrence for a duplicate, else the row itself. Duplicates are
    judged on what the embedding backend reads (text or lemmas): two passages that it
    cannot tell apart would be the same point for UMAP.
    """
    df = df.copy()
    df["lemma_doc"] = [" ".join(ls) for ls in df["content_lemmas"]]
    df["embed_doc"] = df["text"] if embed_input == "text" else df["lemma_doc"]
    filler = np.array([len(ls) < min_content_lemmas for ls in df["content_lemmas"]], dtype=bool)
    if languages is None:
        foreign = np.zeros(len(df), dtype=bool)
    else:
        foreign = ~df["lang"].isin(list(languages)).to_numpy(dtype=bool)
    keys = df["embed_doc"].map(normalise)
    first_of: dict[str, int] = {}
    roles, first = [], []
    for i, (key, is_filler, is_foreign) in enumerate(zip(keys, filler, foreign)):
        if is_foreign:
            roles.append("other_language")
            first.append(i)
        elif is_filler:
            roles.append("filler")
            first.append(i)
        elif key in first_of:
            roles.append("duplicate")
            first.append(first_of[key])
        else:
            first_of[key] = i
            roles.append("unique")
            first.append(i)
    df["role"] = roles
    df["first"] = first
    return df
