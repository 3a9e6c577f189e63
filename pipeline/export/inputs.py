"""The inputs of `export` beside the classified table: its code columns, and the topic labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.codebook import Codebook
from pipeline.errors import SamenspelError
from pipeline.files import read_table
from pipeline.progress import Say
from pipeline.schema import TOPICS


def check_codes(df: pd.DataFrame, codebook: Codebook, path: Path) -> None:
    """The table must hold p_<code> and <code> for exactly the codebook's codes."""
    missing = [c for c in codebook.ids if c not in df.columns or f"p_{c}" not in df.columns]
    in_table = [c[len("p_"):] for c in df.columns if c.startswith("p_")]
    extra = [c for c in in_table if c not in codebook.ids]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"kolommen ontbreken voor code(s) {', '.join(missing)}")
        if extra:
            parts.append(f"code(s) {', '.join(extra)} staan niet in het codeboek")
        raise SamenspelError("; ".join(parts), path=path,
                             hint="codeboek en classificatie lopen uiteen; draai `dvc repro classify` opnieuw")


def read_topics(path: Path) -> pd.DataFrame:
    """`topics.parquet`, checked against its schema `TOPICS` at the boundary."""
    try:
        return read_table(path, TOPICS)
    except SamenspelError as exc:  # not Parquet, cut off, or another schema: read_table says which
        raise SamenspelError(f"onderwerpen niet leesbaar ({exc.problem})", path=path,
                             hint="draai `dvc repro topics` opnieuw") from None


def topic_labels(topics_path: Path, passage_ids: pd.Series, corpora: list[str], say: Say) -> pd.DataFrame:
    """One column `onderwerp_<corpus>` with the topic label per passage (empty outside the corpus)."""
    topics = read_topics(topics_path)
    available = list(dict.fromkeys(topics["corpus"]))
    wanted = corpora or available
    absent = [c for c in wanted if c not in available]
    if absent:
        say(f"let op: corpus {', '.join(absent)} komt niet voor in {topics_path} "
            f"(wel: {', '.join(available) or '-'}); kolom overgeslagen", warn=True)
    unknown = set(topics["passage_id"]) - set(passage_ids)
    if unknown:
        say(f"let op: {len(unknown)} passages in {topics_path} staan niet in de gecodeerde passages; "
            "draai `dvc repro topics` opnieuw", warn=True)
    out = pd.DataFrame(index=pd.Index(passage_ids, name="passage_id"))
    for corpus in (c for c in wanted if c in available):
        labels = topics.loc[topics["corpus"] == corpus].set_index("passage_id")["label"]
        out[f"onderwerp_{corpus}"] = labels.reindex(out.index).astype(object).where(lambda s: s.notna(), None)
    return out
