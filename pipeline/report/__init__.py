"""Stage `report`: one self-contained Dutch HTML report of the whole analysis.

Inputs:  classified passages (`classified.parquet`, schema `CLASSIFIED`), the ingest
         accounting (`reports/accounting/ingest.json`), the codebook, and optionally the
         topic assignments (`topics.parquet`, schema `TOPICS`), the NLP annotation (for
         spaCy's place entities) and the evaluation metrics (classifier quality per code).
Outputs: `reports/index.html` (inline CSS and inline SVG charts: opens offline), every
         chart as PNG and SVG under `reports/figures/`, the data behind the main charts as
         CSV under `reports/plots/` (DVC plots) and flat metrics `metrics/report.json`.
Params:  section `report` of params.yaml.

Sections: corpus overview and ingest accounting; the four orientations in the article's
two-by-two figure (richten vs inrichten/verrichten, binnen vs buiten) per wave and per
group; themes per wave and group with Wilson intervals; the comparison of two waves
(z-test or Fisher's exact test, Holm or Benjamini-Hochberg correction, difference in
percentage points with a Newcombe interval, and a verdict in plain Dutch); topics;
a scan of every regional document (codes with page/paragraph and a quote, places
named); the strongest evidence per code; and a methods section.

Same input, same bytes: no timestamps, fixed SVG hash salt, no SVG/PNG dates, stable
sort orders everywhere.
"""

from __future__ import annotations

import html
import io
import json
import logging
import math
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from pipeline.codebook import Code, Codebook, load_codebook
from pipeline.errors import SamenspelError
from pipeline.files import atomic_path, write_json, write_text

log = logging.getLogger(__name__)
Say = Callable[..., None]

CORRECTIONS = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg"}
TEMPLATES = Path(__file__).parents[1] / "templates"
#: Columns of `topics.parquet` (schema `TOPICS` in pipeline.topics) the report reads;
#: read directly so the report does not import BERTopic.
TOPIC_COLUMNS = ("passage_id", "corpus", "topic", "probability", "label")
NO_TOPIC = -1
UNKNOWN = "onbekend"

# Okabe-Ito: distinguishable with colour-blindness and in grey print.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C6D1F", "#000000"]
REFERENCE_COLOUR = "#8a8f98"
#: The series of coded document paragraphs, shown next to the survey waves.
DOCUMENTS = "documenten"
DOCUMENT_COLOUR = "#E69F00"
INK = "#1d2330"
MUTED = "#5b6372"


# --------------------------------------------------------------------------- config


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
        conf = cls(
            title=str(require(cfg, "title", "report")),
            compare_waves=strings("compare_waves"),
            orientation_questions=strings("orientation_questions"),
            theme_questions=strings("theme_questions"),
            groups=strings("groups"),
            min_group_size=int(require(cfg, "min_group_size", "report")),
            min_respondents=int(require(cfg, "min_respondents", "report")),
            language_min_words=int(require(cfg, "language_min_words", "report")),
            alpha=float(require(cfg, "alpha", "report")),
            correction=str(require(cfg, "correction", "report")),
            fisher_below=float(require(cfg, "fisher_below", "report")),
            relevant_difference_pp=float(require(cfg, "relevant_difference_pp", "report")),
            evidence_per_code=int(require(cfg, "evidence_per_code", "report")),
            quote_chars=int(require(cfg, "quote_chars", "report")),
            max_locations=int(require(cfg, "max_locations", "report")),
            figure_dpi=int(require(cfg, "figure_dpi", "report")),
            chart_rows=int(require(cfg, "chart_rows", "report")),
            ner=bool(require(cfg, "ner", "report")),
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


# --------------------------------------------------------------------------- statistics


def wilson_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials; (nan, nan) when n is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(int(k), int(n), alpha=alpha, method="wilson")
    return (max(0.0, float(lo)), min(1.0, float(hi)))


def difference_interval(k_a: int, n_a: int, k_b: int, n_b: int, alpha: float = 0.05) -> tuple[float, float]:
    """Newcombe's hybrid score interval (from Wilson intervals) for p_b - p_a."""
    if n_a <= 0 or n_b <= 0:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import confint_proportions_2indep

    lo, hi = confint_proportions_2indep(int(k_b), int(n_b), int(k_a), int(n_a), method="newcomb",
                                        compare="diff", alpha=alpha)
    return (float(lo), float(hi))


def proportion_test(k_a: int, n_a: int, k_b: int, n_b: int, fisher_below: float = 5) -> tuple[str, float]:
    """Two-sided test of p_a == p_b: ('z', p) or ('Fisher', p).

    The pooled two-proportion z-test, unless an expected cell count of the 2x2 table
    is below `fisher_below`; then Fisher's exact test.
    """
    if n_a <= 0 or n_b <= 0:
        return ("–", math.nan)
    table = np.array([[k_a, n_a - k_a], [k_b, n_b - k_b]], dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if expected.min() < fisher_below:
        from scipy.stats import fisher_exact

        return ("Fisher", float(fisher_exact(table.astype(int), alternative="two-sided")[1]))
    from statsmodels.stats.proportion import proportions_ztest

    _, p = proportions_ztest([int(k_a), int(k_b)], [int(n_a), int(n_b)])
    return ("z", float(p))


def adjust_pvalues(pvalues: Sequence[float], method: str) -> np.ndarray:
    """P-values corrected for multiple testing (`holm` or `fdr_bh`); NaN stays NaN."""
    if method not in CORRECTIONS:
        raise SamenspelError(f"onbekende correctie '{method}'", hint=f"kies uit: {', '.join(CORRECTIONS)}")
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        from statsmodels.stats.multitest import multipletests

        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def verdict(diff: float, lo: float, hi: float, p_adjusted: float, alpha: float, relevant_pp: float) -> str:
    """Plain Dutch: what the comparison shows, never more than the corrected test allows."""
    if math.isnan(p_adjusted):
        return "niet te toetsen (geen antwoorden in een van de golven)"
    relevant = relevant_pp / 100
    if p_adjusted < alpha:
        word = "toegenomen" if diff > 0 else "afgenomen"
        if abs(diff) < relevant:
            return f"significant {word}, maar klein (minder dan {_num(relevant_pp, 0)} procentpunt)"
        return f"significant {word}"
    if -relevant < lo and hi < relevant:
        return "geen aantoonbaar verschil (te klein om iets te betekenen)"
    return "geen aantoonbaar verschil (te weinig gegevens om een verschil van betekenis uit te sluiten)"


# --------------------------------------------------------------------------- formatting


def _num(x: float, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}".replace(".", ",").replace("-", "−")


def pct(x: float, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{_num(100 * x, digits)}%"


def pct_ci(share: float, lo: float, hi: float) -> str:
    if math.isnan(share):
        return "–"
    return f"{pct(share)} ({_num(100 * lo, 0)}–{_num(100 * hi, 0)}%)"


def pp(x: float, digits: int = 1) -> str:
    if x is None or math.isnan(x):
        return "–"
    sign = "+" if x > 0 else ""
    return f"{sign}{_num(100 * x, digits)} pp"


def pvalue(p: float) -> str:
    if p is None or math.isnan(p):
        return "–"
    return "< 0,001" if p < 0.001 else _num(p, 3)


def plural(n: int, singular: str, plural_: str) -> str:
    """'1 golf', '2 golven', '0 golven': the count with the right Dutch form."""
    return f"{n} {singular if n == 1 else plural_}"


def truncate(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary before `limit` characters, with '…'."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


def shorten(text: str, limit: int) -> str:
    """Cut the middle out of a long name, not the end: similar names (three regulations of
    historical centres) differ at the end, and the extension stays visible."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 5
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def distinct_labels(names: Sequence[str], limit: int) -> list[str]:
    """`shorten` each name, allowing more characters until no two labels are the same."""
    for width in range(limit, max((len(n) for n in names), default=0) + 1):
        labels = [shorten(n, width) for n in names]
        if len(set(labels)) == len(set(names)):
            return labels
    return list(names)


def innermost(section: str, limit: int) -> str:
    """The innermost part(s) of a nested section ("Hoofdstuk 2 › Artikel 7 › Lid 1") within
    `limit` characters: the outer parts (the document title, the chapter) are what a reader
    already knows; an article or paragraph heading is what tells where a quote is."""
    from pipeline.schema import SECTION_SEPARATOR

    parts = [p.strip() for p in section.split(SECTION_SEPARATOR.strip()) if p.strip()]
    if not parts:
        return ""

    def joined(kept: list[str]) -> str:
        return ("…" + SECTION_SEPARATOR if len(kept) < len(parts) else "") + SECTION_SEPARATOR.join(kept)

    kept = [parts[-1]]
    while len(kept) < len(parts) and len(joined([parts[-len(kept) - 1], *kept])) <= limit:
        kept.insert(0, parts[-len(kept) - 1])
    return truncate(joined(kept), limit)


def _file_name(source: str) -> str:
    return str(source).rsplit("/", 1)[-1]


def _int(x: Any) -> int | None:
    return None if x is None or pd.isna(x) else int(x)


def location(row: pd.Series | dict) -> str:
    """Where a passage is: 'p. 3, alinea 12 (Artikel 4 Taken)' for documents (with the
    innermost heading(s) above it, when known), respondent and question for surveys."""
    if row["kind"] == "document":
        parts = []
        if _int(row["page"]) is not None:
            parts.append(f"p. {_int(row['page'])}")
        if _int(row["paragraph"]) is not None:
            par = f"alinea {_int(row['paragraph'])}"
            if _int(row.get("chunk")):
                par += f".{_int(row['chunk'])}"
            parts.append(par)
        where = ", ".join(parts) or str(row["passage_id"])
        section = row.get("section")
        if isinstance(section, str) and section.strip():
            where += f" ({innermost(section, 60)})"
        return where
    parts = [f"golf {row['wave']}", f"respondent {row['respondent_id']}", f"vraag {row['question_id']}"]
    return ", ".join(p for p in parts if not p.endswith(" None"))


def short_location(row: pd.Series | dict) -> str:
    page, par = _int(row["page"]), _int(row["paragraph"])
    if page is not None and par is not None:
        return f"p. {page} ¶ {par}"
    if par is not None:
        return f"¶ {par}"
    return str(row["passage_id"])


# --------------------------------------------------------------------------- inputs


@dataclass
class Wave:
    label: str
    date: str | None
    file: str | None
    entry: dict[str, Any]


def load_classified(path: Path) -> pd.DataFrame:
    from pipeline.classify import CLASSIFIED
    from pipeline.files import read_table

    df = read_table(path, CLASSIFIED)
    return df.sort_values("passage_id", kind="mergesort").reset_index(drop=True)


def load_accounting(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise SamenspelError("verantwoording van ingest niet gevonden", path=path,
                             hint="draai eerst de ingest-stage (`dvc repro ingest`)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SamenspelError(f"ongeldige JSON: {exc}", path=path) from None
    if not isinstance(data, dict) or "files" not in data:
        raise SamenspelError("geen verantwoording van ingest (sleutel 'files' ontbreekt)", path=path)
    return data


def load_topics(path: Path | None, say: Say) -> pd.DataFrame | None:
    if path is None:
        return None
    path = Path(path)
    if not path.exists():
        say(f"report: geen onderwerpen ({path} bestaat niet); sectie Onderwerpen blijft leeg", warn=True)
        return None
    try:
        topics = pd.read_parquet(path, columns=list(TOPIC_COLUMNS))
    except (KeyError, ValueError) as exc:
        raise SamenspelError(f"geen onderwerpentabel: {exc}", path=path, hint="draai `dvc repro topics` opnieuw") from None
    return topics


def load_entities(path: Path | None) -> dict[str, list[str]]:
    """passage_id -> 'LABEL:text' entities from the nlp stage (empty without NER)."""
    if path is None or not Path(path).exists():
        return {}
    nlp = pd.read_parquet(path, columns=["passage_id", "entities"])
    return {pid: list(ents) for pid, ents in zip(nlp["passage_id"], nlp["entities"]) if len(ents)}


def load_backends(path: Path | None) -> list[str]:
    """The NLP backends that annotated the passages (`backend` of nlp.parquet), for the methods section."""
    if path is None or not Path(path).exists():
        return []
    return sorted(set(pd.read_parquet(path, columns=["backend"])["backend"].dropna().astype(str)))


def load_evaluation(path: Path | None) -> dict[str, Any]:
    if path is None or not Path(path).exists():
        return {}
    return json.loads(Path(path).read_text(encoding="utf-8"))


def waves_in_order(df: pd.DataFrame, accounting: dict[str, Any]) -> list[Wave]:
    """Survey waves in the data, oldest first (by the date in the wave YAML, else by label)."""
    entries = {str(e.get("wave")): e for e in accounting.get("files", [])
               if e.get("kind") == "survey" and e.get("status") == "read" and e.get("wave") is not None}
    labels = sorted(set(df.loc[df["kind"] == "survey", "wave"].dropna().astype(str)) | set(entries))
    waves = [Wave(w, (str(entries[w]["date"]) if entries.get(w, {}).get("date") else None),
                  entries.get(w, {}).get("file"), entries.get(w, {})) for w in labels]
    return sorted(waves, key=lambda w: (w.date or "9999-99-99", w.label))


def _raw_axes(codebook_path: Path) -> dict[str, dict[str, str]]:
    """The codebook's `assen` block (axis -> value -> description), in file order."""
    import yaml

    data = yaml.safe_load(Path(codebook_path).read_text(encoding="utf-8")) or {}
    axes = data.get("assen") or {}
    return {str(a): {str(k): " ".join(str(v).split()) for k, v in (vals or {}).items()} for a, vals in axes.items()}


# --------------------------------------------------------------------------- analysis


def units(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per answer (survey) or paragraph (document), as the ingest accounting counts them.

    Ingest splits a very long answer or paragraph into passages (`chunk`); counted per
    passage, one long answer would weigh as several. A unit has a code when any of its
    passages has it (with its highest probability); its other columns are those of its
    first passage.
    """
    if rows.empty:
        return rows
    survey = rows["kind"] == "survey"
    key = np.where(survey, rows["wave"].astype(str) + "\x1f" + rows["respondent_id"].astype(str) + "\x1f"
                   + rows["question_id"].astype(str),
                   rows["source"].astype(str) + "\x1f" + rows["paragraph"].astype(str))
    keyed = rows.assign(_unit=key)
    if not keyed["_unit"].duplicated().any():
        return rows
    first = keyed.drop_duplicates("_unit").set_index("_unit")
    codes = [c for c in rows.columns if c.startswith("p_") and c[2:] in rows.columns]
    codes += [c[2:] for c in codes]
    first[codes] = keyed.groupby("_unit", sort=False)[codes].max()
    return first.reset_index(drop=True)


def survey_base(df: pd.DataFrame, questions: Sequence[str]) -> pd.DataFrame:
    """Classified survey answers (optionally of some questions), one row per answer: the
    denominator of every share."""
    base = df[(df["kind"] == "survey") & df["classified"].astype(bool)]
    if questions:
        base = base[base["question_id"].isin(list(questions))]
    return units(base)


def per_respondent(base: pd.DataFrame, codes: Sequence[str], wave: str) -> tuple[int, dict[str, int]]:
    """Respondents of a wave in `base`, and per code how many gave at least one answer with it.

    Answers of one respondent are not independent (one talkative respondent can give most
    answers of a wave); the wave comparison counts each respondent once.
    """
    part = base[base["wave"] == wave]
    if part.empty:
        return 0, {c: 0 for c in codes}
    per = part.groupby("respondent_id", sort=False)[list(codes)].max()
    return len(per), {c: int(per[c].sum()) for c in codes}


def prevalence(base: pd.DataFrame, codes: Sequence[str], by: str | None, alpha: float,
               order: Sequence[str] | None = None) -> pd.DataFrame:
    """Per class of `by` (or overall) and code: n answers, k with the code, share, Wilson CI."""
    rows = []
    if by is None:
        groups = [("alle", base)]
    else:
        keys = base[by].fillna(UNKNOWN).astype(str)
        classes = list(order) if order is not None else sorted(set(keys))
        groups = [(c, base[keys == c]) for c in classes]
    for cls, part in groups:
        n = len(part)
        for code in codes:
            k = int(part[code].sum()) if n else 0
            lo, hi = wilson_interval(k, n, alpha)
            rows.append({"class": cls, "code": code, "n": n, "k": k, "share": k / n if n else math.nan,
                         "lo": lo, "hi": hi})
    return pd.DataFrame(rows, columns=["class", "code", "n", "k", "share", "lo", "hi"])


def distribution(prev: pd.DataFrame) -> pd.DataFrame:
    """Share of each code among all codes of the set assigned in a class (sums to 1)."""
    total = prev.groupby("class", sort=False)["k"].transform("sum")
    return prev.assign(dist=np.where(total > 0, prev["k"] / total.where(total > 0, 1), np.nan))


def too_few(n_a: int, n_b: int, waves: tuple[str, str], minimum: int) -> str | None:
    """Why two waves cannot be tested against each other, in words; None when they can."""
    short = [(w, n) for w, n in zip(waves, (n_a, n_b)) if n < minimum]
    if not short:
        return None
    return "; ".join(f"golf {w}: {'geen respondenten' if n == 0 else plural(n, 'respondent', 'respondenten')}"
                     for w, n in short) + f", minimaal {minimum}"


def compare(items: list[dict[str, Any]], cfg: ReportConfig, waves: tuple[str, str] = ("a", "b")) -> pd.DataFrame:
    """Test every item (k_a/n_a vs k_b/n_b) and correct the family for multiple testing.

    An item whose n_a or n_b is below `cfg.min_respondents` is not tested: it keeps its
    shares (for information) but gets no difference, interval, p-value or claim, and its
    verdict says why. It does not count towards the correction either.
    """
    rows = []
    for it in items:
        k_a, n_a, k_b, n_b = it["k_a"], it["n_a"], it["k_b"], it["n_b"]
        share_a = k_a / n_a if n_a else math.nan
        share_b = k_b / n_b if n_b else math.nan
        reason = too_few(n_a, n_b, waves, cfg.min_respondents)
        if reason is None:
            test, p = proportion_test(k_a, n_a, k_b, n_b, cfg.fisher_below)
            lo, hi = difference_interval(k_a, n_a, k_b, n_b, cfg.alpha)
            diff = share_b - share_a
        else:
            test, p, lo, hi, diff = "–", math.nan, math.nan, math.nan, math.nan
        rows.append({**it, "share_a": share_a, "share_b": share_b, "diff": diff,
                     "lo": lo, "hi": hi, "test": test, "p": p, "tested": reason is None, "reason": reason})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["p_adj"] = adjust_pvalues(out["p"].to_numpy(), cfg.correction)
    out["significant"] = out["tested"] & (out["p_adj"] < cfg.alpha)
    out["verdict"] = [verdict(d, lo, hi, p, cfg.alpha, cfg.relevant_difference_pp) if reason is None
                      else f"niet te toetsen ({reason})"
                      for d, lo, hi, p, reason in zip(out["diff"], out["lo"], out["hi"], out["p_adj"], out["reason"])]
    return out


def comparison_summary(rows: pd.DataFrame, singular: str, plural_: str, neuter: bool = False) -> str:
    """One sentence on a comparison table that its rows bear out: how many items were
    tested, how many changed, and how many could not be tested.

    `neuter`: a het-word ('onderwerp'), which takes 'geen enkel' instead of 'geen enkele'.
    """
    none = "geen enkel" if neuter else "geen enkele"
    if rows is None or rows.empty:
        return f"Er zijn geen {plural_} te vergelijken."
    tested = int(rows["tested"].sum())
    n_sig = int(rows["significant"].sum())
    untested = len(rows) - tested
    if tested == 0:
        return (f"{none.capitalize()} {singular} is getoetst: er zijn te weinig respondenten "
                f"({rows['reason'].iloc[0]}).")
    if n_sig == 0:
        if untested == 0:
            text = f"{none.capitalize()} {singular} veranderde aantoonbaar"
        elif tested == 1:
            text = f"De enige getoetste {singular} veranderde niet aantoonbaar"
        else:
            text = f"Van de {tested} getoetste {plural_} veranderde {none} aantoonbaar"
    elif n_sig == 1:
        text = f"Eén {singular} veranderde aantoonbaar" + (f" (van {tested} getoetst)" if untested else "")
    else:
        text = f"{n_sig} {plural_} veranderden aantoonbaar" + (f" (van {tested} getoetst)" if untested else "")
    if untested:
        text += (f"; {untested} {singular if untested == 1 else plural_} "
                 f"{'was' if untested == 1 else 'waren'} niet te toetsen (te weinig respondenten)")
    return text + "."


def topic_frame(topics: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """Topic rows joined to kind, wave, respondent and question of their passage."""
    info = df[["passage_id", "kind", "wave", "respondent_id", "question_id"]]
    out = topics.merge(info, on="passage_id", how="left")
    out["topic"] = out["topic"].astype(int)
    return out.sort_values(["corpus", "topic", "passage_id"], kind="mergesort").reset_index(drop=True)


def topic_tables(tf: pd.DataFrame, waves: list[str]) -> list[dict[str, Any]]:
    """Per corpus: size, topics with label, size and share per wave."""
    corpora = []
    for corpus in list(dict.fromkeys(tf["corpus"])):
        part = tf[tf["corpus"] == corpus]
        cwaves = [w for w in waves if (part["wave"] == w).any()]
        n_wave = {w: int((part["wave"] == w).sum()) for w in cwaves}
        # Counted at once: passages per topic, per topic and wave, and each topic's first label.
        sizes = part.groupby("topic", sort=True).size()
        per_wave = part[part["wave"].isin(cwaves)].groupby(["topic", "wave"]).size().to_dict()
        first = part.drop_duplicates("topic")
        labels = dict(zip(first["topic"], first["label"]))
        topics = []
        for t, n in sizes.items():
            k_waves = {w: int(per_wave.get((t, w), 0)) for w in cwaves}
            topics.append({"topic": int(t), "label": str(labels[t]), "n": int(n), "share": int(n) / len(part),
                           "waves": {w: (k_waves[w] / n_wave[w] if n_wave[w] else math.nan) for w in cwaves},
                           "k_waves": k_waves})
        # Largest first, 'no topic' last, ties by id.
        topics.sort(key=lambda t: (t["topic"] == NO_TOPIC, -t["n"], t["topic"]))
        kinds = sorted(set(part["kind"].dropna()))
        corpora.append({"name": corpus, "n": len(part), "kinds": kinds, "waves": cwaves, "n_wave": n_wave,
                        "n_topics": sum(1 for t in topics if t["topic"] != NO_TOPIC),
                        "no_topic": sum(t["n"] for t in topics if t["topic"] == NO_TOPIC) / len(part),
                        "topics": topics})
    return corpora


def evidence(df: pd.DataFrame, code: str, n: int) -> pd.DataFrame:
    """The `n` passages with the code and the highest probability (ties by passage id)."""
    coded = df[df["classified"].astype(bool) & (df[code] == 1)]
    return coded.sort_values([f"p_{code}", "passage_id"], ascending=[False, True], kind="mergesort").head(n)


def scan_documents(df: pd.DataFrame, codebook: Codebook, cfg: ReportConfig,
                   entities: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Per document: codes with locations and best quote; places named."""
    from pipeline.places import default_gazetteer, find_places, ner_places

    gazetteer = default_gazetteer()
    docs = []
    part_all = df[df["kind"] == "document"]
    by_source = dict(tuple(part_all.groupby("source", sort=False)))  # each in table order
    for source in sorted(set(part_all["source"])):
        part = by_source[source].sort_values(["paragraph", "chunk", "passage_id"], kind="mergesort",
                                             na_position="last")
        ok = part[part["classified"].astype(bool)]
        codes = []
        for code in codebook.codes:
            coded = ok[ok[code.id] == 1]
            if coded.empty:
                continue
            best = coded.sort_values([f"p_{code.id}", "passage_id"], ascending=[False, True], kind="mergesort").iloc[0]
            # A paragraph split into parts is one location.
            locs = list(dict.fromkeys(short_location({"page": page, "paragraph": par, "passage_id": pid})
                                      for page, par, pid in zip(coded["page"].tolist(), coded["paragraph"].tolist(),
                                                                coded["passage_id"].tolist())))
            more = len(locs) - cfg.max_locations
            codes.append({"code": code, "n": len(locs), "locations": locs[: cfg.max_locations],
                          "more": max(0, more), "quote": truncate(best["text"], cfg.quote_chars),
                          "where": location(best), "p": float(best[f"p_{code.id}"])})
        places: dict[tuple[str, str], dict[str, Any]] = {}
        seen_surfaces: set[str] = set()
        texts, pids = part["text"].tolist(), part["passage_id"].tolist()
        for text in texts:
            for m in find_places(str(text), gazetteer):
                key = (m.place.kind, m.place.name)
                entry = places.setdefault(key, {"name": m.place.name, "kind": m.place.kind,
                                                "province": m.place.province, "n": 0})
                entry["n"] += 1
                seen_surfaces.add(m.surface.casefold())
                seen_surfaces.add(m.place.name.casefold())
        ner: dict[str, int] = {}
        if cfg.ner:
            for pid in pids:
                for name in ner_places(entities.get(pid, [])):
                    if name.casefold() not in seen_surfaces:
                        ner[name] = ner.get(name, 0) + 1
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for (kind, _), entry in sorted(places.items(), key=lambda kv: (kv[0][0], -kv[1]["n"], kv[1]["name"])):
            by_kind.setdefault(kind, []).append(entry)
        pages = part["page"].dropna()
        docs.append({"source": source, "name": _file_name(source), "paragraphs": int(part["paragraph"].nunique()),
                     "passages": len(part), "pages": int(pages.max()) if len(pages) else None, "codes": codes,
                     "places": by_kind, "ner": sorted(ner.items(), key=lambda kv: (-kv[1], kv[0])),
                     "code_counts": {c.id: int(ok.loc[ok[c.id] == 1, "paragraph"].nunique())
                                     for c in codebook.codes}})
    for d, label in zip(docs, distinct_labels([d["name"] for d in docs], 48)):
        d["label"] = label  # the row label in the chart
    return docs


# --------------------------------------------------------------------------- charts


@dataclass
class Chart:
    """One chart: inline SVG for the HTML, PNG and SVG files next to it."""

    name: str
    title: str
    svg: str
    png_href: str
    svg_href: str


#: File names of the report's charts; only these are cleaned up in the figures folder.
CHART_PREFIXES = ("orientaties_", "themas_", "golfvergelijking", "onderwerpen_", "documenten_")
_SVG_ID = re.compile(r'\bid="([^"]+)"')


def _inline_svg(svg: str, name: str, title: str) -> str:
    """Matplotlib's SVG made fit for inlining: no XML prolog or metadata, ids unique per chart."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    ids = set(_SVG_ID.findall(svg))
    prefix = f"{name}-"

    def rename(m: re.Match) -> str:
        return f'{m.group(1)}{prefix}{m.group(2)}{m.group(3)}'

    if ids:
        alt = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
        svg = re.sub(rf'(\bid="|url\(#|href="#)({alt})(["\)])', rename, svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(title, quote=True)}" '
                                f'class="chart-svg" data-chart="{name}" ', 1)
    return svg.strip()


class ChartWriter:
    """Renders matplotlib figures deterministically to PNG + SVG files and inline SVG."""

    def __init__(self, figures_dir: Path, out_html: Path, dpi: int):
        self.figures_dir = Path(figures_dir)
        self.out_html = Path(out_html)
        self.dpi = dpi
        self.written: list[Path] = []

    @staticmethod
    def rc() -> dict[str, Any]:
        return {"svg.hashsalt": "samenspel-report", "svg.fonttype": "none", "font.family": "sans-serif",
                "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"], "font.size": 9,
                "axes.edgecolor": "#c4c9d2", "axes.labelcolor": INK, "text.color": INK, "xtick.color": MUTED,
                "ytick.color": INK, "axes.spines.top": False, "axes.spines.right": False,
                "axes.titlesize": 10, "axes.titleweight": "bold", "axes.titlelocation": "left",
                "legend.frameon": False, "legend.fontsize": 8.5, "path.simplify": False,
                "hatch.color": "#ffffff", "hatch.linewidth": 1.0}

    def remove_stale(self) -> None:
        """Delete charts of an earlier run that this run did not draw (e.g. of a dropped corpus)."""
        if not self.figures_dir.is_dir():
            return
        for path in sorted(self.figures_dir.iterdir()):
            if (path.suffix in (".png", ".svg") and path.stem.startswith(CHART_PREFIXES)
                    and path not in self.written):
                path.unlink()

    def save(self, fig, name: str, title: str) -> Chart:
        self.figures_dir.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
        svg = buf.getvalue()
        svg_path = self.figures_dir / f"{name}.svg"
        png_path = self.figures_dir / f"{name}.png"
        write_text(svg_path, svg)
        with atomic_path(png_path, suffix=".png") as tmp:
            fig.savefig(tmp, format="png", dpi=self.dpi, metadata={"Software": None}, bbox_inches="tight")
        self.written += [svg_path, png_path]
        base = self.out_html.parent
        return Chart(name, title, _inline_svg(svg, name, title),
                     Path(os.path.relpath(png_path, base)).as_posix(), Path(os.path.relpath(svg_path, base)).as_posix())


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), facecolor="white")


def wave_colours(waves: Sequence[str]) -> dict[str, str]:
    """Older waves lighter, the newest darkest (blue)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["Blues"]
    n = len(waves)
    return {w: to_hex(cmap(0.45 + 0.45 * (i / max(1, n - 1)) if n > 1 else 0.8)) for i, w in enumerate(waves)}


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _tick(value: float, suffix: str = "") -> str:
    """A Dutch tick label: no decimals when whole, else one, with a decimal comma."""
    text = f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"
    return text.replace(".", ",").replace("-", "−") + suffix


def _percent_axis(ax, axis: str = "x") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: _tick(v * 100, "%"))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def chart_quadrant(orient: list[Code], axes: dict[str, list[str]], dist: pd.DataFrame, series: list[tuple[str, str]],
                   reference: Reference, colours: dict[str, str]):
    """The article's two-by-two figure with our share per wave (and in the documents) and the article's share."""
    from matplotlib.patches import Rectangle

    levels, foci = axes["niveau"], axes["focus"]
    fig = _figure(8.2, 5.8)
    ax = fig.add_axes((0.08, 0.12, 0.9, 0.87))
    ax.set_xlim(-0.32, len(foci))
    ax.set_ylim(-0.16, len(levels))
    ax.axis("off")
    values = [v for v in dist["dist"].dropna()] + list(reference.shares.values())
    top = max(values + [0.01])
    rows = [(k, colours[k]) for k, _ in series] + [(reference.label, REFERENCE_COLOUR)]
    # Row labels fit before the bars: a wave label can be a whole file name (pre1_survey_883163_PUBLIC).
    names = dict(zip([k for k, _ in rows], distinct_labels([k for k, _ in rows], 12)))
    for code_i, code in enumerate(orient):
        r = levels.index(code.axes["niveau"])
        c = foci.index(code.axes["focus"])
        x0, y0 = c, len(levels) - 1 - r
        ax.add_patch(Rectangle((x0 + 0.015, y0 + 0.015), 0.97, 0.97, facecolor=PALETTE[code_i % len(PALETTE)],
                               alpha=0.09, edgecolor=PALETTE[code_i % len(PALETTE)], linewidth=1.2))
        ax.text(x0 + 0.06, y0 + 0.9, _wrap(code.name, 28), fontsize=10.5, fontweight="bold", va="top", ha="left")
        line_h = min(0.15, 0.55 / max(1, len(rows)))
        for i, (label, colour) in enumerate(rows):
            if label == reference.label:
                share = reference.shares.get(code.id, math.nan)
            else:
                sel = dist[(dist["class"] == label) & (dist["code"] == code.id)]["dist"]
                share = float(sel.iloc[0]) if len(sel) else math.nan
            y = y0 + 0.52 - i * line_h
            ax.text(x0 + 0.06, y, names[label], fontsize=8.5, va="center", ha="left",
                    color=MUTED if label == reference.label else INK,
                    style="italic" if label == reference.label else "normal")
            if not math.isnan(share):
                width = 0.44 * share / top
                ax.add_patch(Rectangle((x0 + 0.36, y - line_h * 0.32), width, line_h * 0.64, facecolor=colour,
                                       hatch="///" if label == reference.label else None, linewidth=0))
                ax.text(x0 + 0.38 + width, y, pct(share), fontsize=9.5, va="center", ha="left", fontweight="bold",
                        color=MUTED if label == reference.label else INK)
    for r, level in enumerate(levels):
        ax.text(-0.05, len(levels) - 1 - r + 0.5, level[:1].upper() + level[1:], rotation=90, ha="center",
                va="center", fontsize=11, fontweight="bold")
    for c, focus in enumerate(foci):
        ax.text(c + 0.5, -0.07, focus[:1].upper() + focus[1:], ha="center", va="center", fontsize=11, fontweight="bold")
    # The PNG and SVG travel without the report: say what the numbers are.
    fig.text(0.08, 0.01, "Verdeling over de vier oriëntaties (aandeel in alle toegekende oriëntatiecodes) per golf"
             + (" en in de documenten" if any(k == DOCUMENTS for k, _ in series) else "") + ".\n"
             f"{reference.label}: ander meetinstrument (activiteiten die respondenten ondernemen), ter vergelijking.",
             fontsize=8, color=MUTED, ha="left", va="bottom")
    return fig


def chart_orientations(prev: pd.DataFrame, dist: pd.DataFrame, orient: list[Code], series: list[tuple[str, str]],
                       reference: Reference, colours: dict[str, str]):
    """Two panels: share of answers (paragraphs) with each orientation (with CI), and the distribution."""
    n_series = len(series) + 1
    labels = {k: shorten(lbl, 28) for k, lbl in series}  # legend entries; a wave label can be a file name
    waves = [k for k, _ in series]
    fig = _figure(8.6, 0.5 + 0.42 * len(orient) * n_series / 2 + 0.8)
    axs = fig.subplots(1, 2, sharey=True)
    height = 0.8 / n_series
    ypos = np.arange(len(orient))[::-1]
    for panel, ax in enumerate(axs):
        for i, w in enumerate(waves + [reference.label]):
            offs = (n_series - 1) / 2 * height - i * height
            if w == reference.label:
                if panel == 0:
                    continue
                vals = [reference.shares.get(c.id, math.nan) for c in orient]
                ax.barh(ypos + offs, vals, height=height * 0.9, color=REFERENCE_COLOUR, hatch="///", label=w,
                        linewidth=0)
                continue
            part = (prev if panel == 0 else dist).set_index(["class", "code"])
            col = "share" if panel == 0 else "dist"
            vals = [float(part.loc[(w, c.id), col]) if (w, c.id) in part.index else math.nan for c in orient]
            if panel == 0:
                lo = [float(part.loc[(w, c.id), "lo"]) for c in orient]
                hi = [float(part.loc[(w, c.id), "hi"]) for c in orient]
                err = np.array([np.subtract(vals, lo), np.subtract(hi, vals)])
                # Clipped: statsmodels' Wilson bound for 0 of n can lie a rounding error above 0.
                ax.barh(ypos + offs, vals, height=height * 0.9, color=colours[w], label=labels[w],
                        xerr=np.clip(np.nan_to_num(err), 0, None),
                        error_kw={"ecolor": INK, "elinewidth": 0.8, "capsize": 2})
            else:
                ax.barh(ypos + offs, vals, height=height * 0.9, color=colours[w], label=labels[w])
        ax.set_yticks(ypos, [c.short for c in orient])
        _percent_axis(ax)
        ax.grid(axis="x", color="#e6e9ef", linewidth=0.8)
        ax.set_axisbelow(True)
    axs[0].set_title("Aandeel met de oriëntatie (95%-BI)")  # of answers or paragraphs: fits beside the other
    axs[1].set_title("Verdeling over de vier oriëntaties")
    axs[1].legend(loc="lower right")
    fig.tight_layout()
    return fig


def _slanted_room(codes: list[Code]) -> float:
    """Inches above a heatmap for its slanted column labels (9 pt, 30°) and the title."""
    return 0.5 + 0.5 * 0.075 * max((len(c.short) for c in codes), default=0)


def _code_columns(ax, codes: list[Code]) -> None:
    """Short code names above the columns of a heatmap, slanted: side by side, long names such
    as 'Schijnsamenwerking voorkomen' ran into each other. The title (not padded by hand)
    is placed above them by matplotlib."""
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(codes)), [c.short for c in codes], rotation=30, ha="left", rotation_mode="anchor")
    ax.tick_params(length=0)


def chart_heatmap(prev: pd.DataFrame, codes: list[Code], classes: list[str], min_n: int, title: str):
    """Groups (rows) x codes (columns): share of answers with the code."""
    fig = _figure(2.2 + 1.45 * len(codes), 0.6 + _slanted_room(codes) + 0.34 * len(classes))
    ax = fig.add_subplot()
    table = prev.set_index(["class", "code"])
    data = np.array([[float(table.loc[(g, c.id), "share"]) for c in codes] for g in classes])
    ns = [int(table.loc[(g, codes[0].id), "n"]) for g in classes]
    vmax = max(0.05, float(np.nanmax(data)) if data.size and not np.isnan(data).all() else 0.05)
    ax.imshow(np.nan_to_num(data), cmap="Blues", vmin=0, vmax=vmax * 1.15, aspect="auto")
    for i in range(len(classes)):
        for j in range(len(codes)):
            v = data[i, j]
            small = ns[i] < min_n
            ax.text(j, i, pct(v) if not math.isnan(v) else "–", ha="center", va="center", fontsize=8.5,
                    color="white" if (not math.isnan(v) and v > vmax * 0.6) else (MUTED if small else INK),
                    style="italic" if small else "normal")
    _code_columns(ax, codes)
    ax.set_yticks(range(len(classes)), [f"{shorten(g, 40)} (n={n})" for g, n in zip(classes, ns)])
    for s in ax.spines.values():
        s.set_visible(False)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def chart_themes(prev: pd.DataFrame, themes: list[Code], series: list[tuple[str, str]], colours: dict[str, str]):
    n = max(1, len(series))
    fig = _figure(7.6, 0.7 + 0.34 * len(themes) * n + 0.3)
    ax = fig.add_subplot()
    height = 0.8 / n
    ypos = np.arange(len(themes))[::-1]
    table = prev.set_index(["class", "code"])
    for i, (w, label) in enumerate(series):
        offs = (n - 1) / 2 * height - i * height
        vals = np.array([float(table.loc[(w, t.id), "share"]) for t in themes])
        lo = np.array([float(table.loc[(w, t.id), "lo"]) for t in themes])
        hi = np.array([float(table.loc[(w, t.id), "hi"]) for t in themes])
        ax.barh(ypos + offs, vals, height=height * 0.9, color=colours[w], label=shorten(label, 28),
                xerr=np.clip(np.nan_to_num(np.array([vals - lo, hi - vals])), 0, None),
                error_kw={"ecolor": INK, "elinewidth": 0.8, "capsize": 2})
    ax.set_yticks(ypos, [_wrap(t.short, 30) for t in themes])
    _percent_axis(ax)
    ax.grid(axis="x", color="#e6e9ef", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_title("Aandeel van de antwoorden" + (" en alinea's" if any(k == DOCUMENTS for k, _ in series) else "")
                 + " met het thema (95%-BI)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def largest_differences(comp: pd.DataFrame, n: int) -> pd.DataFrame:
    """At most n rows of a comparison for a chart: significant ones first, then by the size
    of the difference; in their original order."""
    if len(comp) <= n:
        return comp
    order = sorted(range(len(comp)), key=lambda i: (not bool(comp["significant"].iloc[i]),
                                                    -abs(float(comp["diff"].iloc[i]))
                                                    if pd.notna(comp["diff"].iloc[i]) else 0.0, i))
    return comp.iloc[sorted(order[:n])]


def chart_forest(comp: pd.DataFrame, labels: list[str], title: str, relevant_pp: float):
    """Difference in percentage points with CI; filled = significant after correction."""
    fig = _figure(7.6, 0.9 + 0.36 * len(comp))
    ax = fig.add_subplot()
    y = np.arange(len(comp))[::-1]
    rel = relevant_pp
    ax.axvspan(-rel, rel, color="#eef1f5", zorder=0)
    ax.axvline(0, color=MUTED, linewidth=0.8, zorder=1)
    for yi, (_, r) in zip(y, comp.iterrows()):
        d, lo, hi = 100 * r["diff"], 100 * r["lo"], 100 * r["hi"]
        colour = ("#0072B2" if d > 0 else "#D55E00") if r["significant"] else MUTED
        ax.plot([lo, hi], [yi, yi], color=colour, linewidth=1.6, zorder=2)
        ax.plot([d], [yi], marker="o", markersize=7, zorder=3, color=colour,
                markerfacecolor=colour if r["significant"] else "white", markeredgewidth=1.5)
    ax.set_yticks(y, [_wrap(lbl, 34) for lbl in labels])
    ax.set_xlabel("verschil in procentpunten (nieuw − oud), 95%-BI")
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v)))
    bounds = np.abs(100 * comp[["lo", "hi"]].to_numpy(dtype=float))
    lim = max(rel * 1.5, float(bounds[~np.isnan(bounds)].max()) * 1.1 if (~np.isnan(bounds)).any() else rel)
    ax.set_xlim(-lim, lim)
    ax.set_title(title)
    ax.grid(axis="x", color="#e6e9ef", linewidth=0.8)
    fig.tight_layout()
    return fig


def chart_topics(corpus: dict[str, Any], colours: dict[str, str], top: int = 12):
    topics = [t for t in corpus["topics"] if t["topic"] != NO_TOPIC][:top]
    series = corpus["waves"] or ["alle"]
    n = len(series)
    fig = _figure(7.6, 0.8 + 0.3 * max(1, len(topics)) * n + 0.3)
    ax = fig.add_subplot()
    height = 0.8 / n
    ypos = np.arange(len(topics))[::-1]
    for i, w in enumerate(series):
        offs = (n - 1) / 2 * height - i * height
        vals = [t["waves"].get(w, math.nan) if corpus["waves"] else t["share"] for t in topics]
        ax.barh(ypos + offs, vals, height=height * 0.9, color=colours.get(w, PALETTE[0]),
                label=f"golf {w}" if corpus["waves"] else None)
    ax.set_yticks(ypos, [_wrap(f"{t['topic']}: {t['label']}", 36) for t in topics])
    _percent_axis(ax)
    ax.grid(axis="x", color="#e6e9ef", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_title(f"Onderwerpen in {corpus['name']}: aandeel van de passages")
    if corpus["waves"]:
        ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def chart_documents(docs: list[dict[str, Any]], codes: list[Code]):
    fig = _figure(1.9 + 1.1 * len(codes) + 2.2, 0.5 + _slanted_room(codes) + 0.34 * len(docs))
    ax = fig.add_subplot()
    data = np.array([[d["code_counts"][c.id] for c in codes] for d in docs], dtype=float)
    ax.imshow(data, cmap="Blues", vmin=0, vmax=max(1.0, float(data.max()) * 1.15), aspect="auto")
    for i in range(len(docs)):
        for j in range(len(codes)):
            v = int(data[i, j])
            ax.text(j, i, str(v) if v else "·", ha="center", va="center", fontsize=8.5,
                    color="white" if v > data.max() * 0.6 and v else (INK if v else MUTED))
    _code_columns(ax, codes)
    ax.set_yticks(range(len(docs)), [d["label"] for d in docs])
    for s in ax.spines.values():
        s.set_visible(False)
    ax.set_title("Alinea's per code en document")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- outputs


def _write_csv(path: Path, df: pd.DataFrame) -> None:
    with atomic_path(path, suffix=".csv") as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n", float_format="%.4f")


def _group_column(df: pd.DataFrame, group: str) -> str:
    return group if group.startswith("meta_") else f"meta_{group}"


def _group_label(group: str) -> str:
    return group.removeprefix("meta_").replace("_", " ")


def nested(prev: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """class -> code -> row, for the template."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in prev.to_dict("records"):
        out.setdefault(str(r["class"]), {})[str(r["code"])] = r
    return out


def _render(context: dict[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(pct=pct, pp=pp, pvalue=pvalue, num=_num, pct_ci=pct_ci, plural=plural)
    return env.get_template("report.html.j2").render(**context)


# --------------------------------------------------------------------------- sections

SECTIONS = [("corpus", "Corpusoverzicht"), ("orientaties", "Oriëntaties"), ("uitdagingen", "Uitdagingen (thema's)"),
            ("golfvergelijking", "Golfvergelijking"), ("onderwerpen", "Onderwerpen"), ("documentscan", "Documentscan"),
            ("per-code", "Per code"), ("verantwoording", "Verantwoording")]


def _relative(target: Path, out_html: Path) -> str:
    return Path(os.path.relpath(target, out_html.parent)).as_posix()


_WORD = re.compile(r"\w[\w'’-]*")


def language_flag_is_telling(text: str, min_words: int) -> bool:
    """Whether the nlp stage's language flag of a passage may headline the report.

    py3langid decides a short passage on a few words, and names carry no language: a closing
    line of a regulation signed in Friesland and a list of Frisian municipalities came out
    Frisian. A flag counts when the passage has `min_words` words, at most half of them
    capitalised (names).
    """
    words = _WORD.findall(str(text))
    if len(words) < min_words:
        return False
    return sum(w[:1].isupper() for w in words) <= len(words) / 2


def corpus_section(df: pd.DataFrame, accounting: dict[str, Any], wave_labels: list[str],
                   language_min_words: int) -> dict[str, Any]:
    """Counts for the overview. Answers and paragraphs are those of the ingest accounting
    (the tables below the headline), so every count in the report adds up to it."""
    survey = df[df["kind"] == "survey"]
    files = accounting.get("files", [])
    surveys = [e for e in files if e.get("kind") == "survey" and e.get("status") == "read"]
    documents = [e for e in files if e.get("kind") == "document" and e.get("status") == "read"]
    ok = survey[survey["status"] == "ok"]
    return {
        "totals": accounting.get("totals", {}),
        "surveys": surveys,
        "documents": documents,
        "skipped": [e for e in files if e.get("status") == "skipped"],
        "ignored": accounting.get("ignored", []),
        "passages": len(df), "classified": int(df["classified"].sum()), "with_code": int((df["codes"] != "").sum()),
        # Real answers: a cell with text (status ok), not an empty or NA cell of the export.
        "answers": sum(int(e.get("non_empty", 0)) for e in surveys),
        "paragraphs": sum(int(e.get("paragraphs", 0)) for e in documents),
        "respondents": {w: int(ok.loc[ok["wave"] == w, "respondent_id"].nunique()) for w in wave_labels},
        "by_kind": {k: int((df["kind"] == k).sum()) for k in ("survey", "document")},
        # Language flag of the nlp stage: passages not in Dutch are coded all the same. Only the
        # flags of passages long enough and not mostly names are headlined; the others are noted.
        **languages(df, language_min_words),
    }


def languages(df: pd.DataFrame, min_words: int) -> dict[str, list[tuple[str, int]]]:
    """Passages flagged as not Dutch, per language: those whose flag tells (`languages`) and the rest."""
    if "lang" not in df.columns:
        return {"languages": [], "languages_unsure": []}
    other = df[~df["lang"].isin(["nl", "und"])]
    telling = np.array([language_flag_is_telling(t, min_words) for t in other["text"]], dtype=bool)

    def count(part: pd.DataFrame) -> list[tuple[str, int]]:
        return sorted(part["lang"].value_counts().items(), key=lambda kv: (-kv[1], kv[0]))

    return {"languages": count(other[telling]), "languages_unsure": count(other[~telling])}


def reconcile(df: pd.DataFrame, corpus: dict[str, Any]) -> list[str]:
    """Where the passages and the ingest accounting disagree (e.g. one of them is stale), in words."""
    survey = units(df[(df["kind"] == "survey") & (df["status"] == "ok")])
    docs = units(df[df["kind"] == "document"])
    problems = []
    if len(df) != corpus["totals"].get("passages", len(df)):
        problems.append(f"{len(df)} passages tegen {corpus['totals']['passages']} in de verantwoording")
    if len(survey) != corpus["answers"]:
        problems.append(f"{len(survey)} bruikbare antwoorden tegen {corpus['answers']} in de verantwoording")
    if len(docs) != corpus["paragraphs"]:
        problems.append(f"{len(docs)} documentalinea's tegen {corpus['paragraphs']} in de verantwoording")
    return problems


def group_sections(df: pd.DataFrame, base: pd.DataFrame, codes: list[Code], cfg: ReportConfig, charts: "ChartWriter",
                   title: str, prefix: str) -> list[dict[str, Any]]:
    """Per metadata group (organisation type, function, ...): shares with CI, table and heatmap."""
    out = []
    for group in cfg.groups:
        col, label = _group_column(df, group), _group_label(group)
        if col not in df.columns:
            out.append({"label": label, "missing": True})
            continue
        # Largest groups first, ties by name.
        classes = list(base[col].fillna(UNKNOWN).astype(str).value_counts().sort_index()
                       .sort_values(ascending=False, kind="mergesort").index)
        prev = prevalence(base, [c.id for c in codes], col, cfg.alpha, classes)
        chart = None
        if classes and codes:
            chart = charts.save(chart_heatmap(prev, codes, classes, cfg.min_group_size,
                                              f"{title} per {label} (alle golven)"),
                                f"{prefix}_per_{label.replace(' ', '_')}", f"{title} per {label}")
        out.append({"label": label, "missing": False, "classes": classes, "table": nested(prev), "chart": chart})
    return out


def series_base(survey: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Survey answers (series: their wave) and document paragraphs (series: DOCUMENTS) in one table."""
    parts = [survey.assign(series=survey["wave"].astype(str)), documents.assign(series=DOCUMENTS)]
    return pd.concat([p for p in parts if len(p)] or [survey.assign(series=pd.Series(dtype=str))], ignore_index=True)


def orientation_section(df: pd.DataFrame, base: pd.DataFrame, docs: pd.DataFrame, orient: list[Code],
                        raw_axes: dict[str, dict[str, str]], series: list[tuple[str, str]], cfg: ReportConfig,
                        charts: "ChartWriter", colours: dict[str, str]) -> tuple[dict[str, Any], pd.DataFrame]:
    keys = [k for k, _ in series]
    prev = (distribution(prevalence(series_base(base, docs), [c.id for c in orient], "series", cfg.alpha, keys))
            if orient else pd.DataFrame(columns=["class", "code", "n", "k", "share", "lo", "hi", "dist"]))
    section: dict[str, Any] = {"codes": orient, "questions": cfg.orientation_questions, "n": len(base),
                               "n_documents": len(docs), "series": [{"key": k, "label": lbl} for k, lbl in series],
                               "axis_text": raw_axes, "quadrant": None, "bars": None, "table": {}}
    if orient and series:
        # The axes in codebook order (richten before inrichten/verrichten, binnen before buiten).
        axes = {a: list(raw_axes.get(a, {})) or list(dict.fromkeys(c.axes.get(a) for c in orient))
                for a in ("niveau", "focus")}
        two_by_two = (len(axes["niveau"]) == 2 and len(axes["focus"]) == 2
                      and all(c.axes.get("niveau") in axes["niveau"] and c.axes.get("focus") in axes["focus"]
                              for c in orient))
        if two_by_two:
            section["quadrant"] = charts.save(chart_quadrant(orient, axes, prev, series, cfg.reference, colours),
                                              "orientaties_2x2",
                                              "De vier oriëntaties in het twee-bij-twee-figuur van het artikel")
        section["bars"] = charts.save(chart_orientations(prev, prev, orient, series, cfg.reference, colours),
                                      "orientaties_per_golf", "Oriëntaties per golf" + _and_documents(series))
        section["table"] = nested(prev)
    section["groups"] = (group_sections(df, base, orient, cfg, charts, "Oriëntaties", "orientaties")
                         if len(base) else [])
    return section, prev


def _and_documents(series: list[tuple[str, str]]) -> str:
    return " en in de documenten" if any(k == DOCUMENTS for k, _ in series) else ""


def theme_section(df: pd.DataFrame, base: pd.DataFrame, docs: pd.DataFrame, themes: list[Code],
                  series: list[tuple[str, str]], cfg: ReportConfig, charts: "ChartWriter",
                  colours: dict[str, str]) -> tuple[dict[str, Any], pd.DataFrame]:
    keys = [k for k, _ in series]
    prev = prevalence(series_base(base, docs), [c.id for c in themes], "series", cfg.alpha, keys)
    section: dict[str, Any] = {"codes": themes, "questions": cfg.theme_questions, "n": len(base),
                               "n_documents": len(docs), "series": [{"key": k, "label": lbl} for k, lbl in series],
                               "table": nested(prev), "chart": None}
    if themes and series:
        section["chart"] = charts.save(chart_themes(prev, themes, series, colours), "themas_per_golf",
                                       "Thema's per golf" + _and_documents(series))
    section["groups"] = group_sections(df, base, themes, cfg, charts, "Thema's", "themas") if len(base) else []
    return section, prev


def topic_section(tf: pd.DataFrame | None, wave_labels: list[str], topics_dir: Path,
                  out_html: Path, charts: "ChartWriter", colours: dict[str, str]) -> dict[str, Any]:
    corpora = topic_tables(tf, wave_labels) if tf is not None else []
    for corpus in corpora:
        corpus["href"] = _relative(Path(topics_dir) / f"{corpus['name']}.html", out_html)
        corpus["chart"] = (charts.save(chart_topics(corpus, colours), f"onderwerpen_{corpus['name']}",
                                       f"Onderwerpen in {corpus['name']}") if corpus["n_topics"] else None)
    return {"present": tf is not None, "corpora": corpora,
            "index_href": _relative(Path(topics_dir) / "index.html", out_html)}


@dataclass
class Family:
    """Codes compared together, on the answers to some questions (empty: all)."""

    codes: list[Code]
    base: pd.DataFrame
    questions: list[str]


def comparison_section(pair: list[str], df: pd.DataFrame, families: list[Family], corpora: list[dict[str, Any]],
                       tf: pd.DataFrame | None, n_waves: int, cfg: ReportConfig,
                       charts: "ChartWriter") -> dict[str, Any]:
    """Codes (one family) and the topics of each corpus spanning both waves (a family each).

    Per respondent: a respondent counts once per code or topic, with it when at least one
    of their answers has it. Only questions both waves asked are compared; a wave with
    fewer respondents than `cfg.min_respondents` is not tested.
    """
    if len(pair) != 2:
        return {"possible": False, "n_waves": n_waves}
    a, b = pair
    survey = df[df["kind"] == "survey"]
    asked = {w: set(survey.loc[survey["wave"] == w, "question_id"].dropna().astype(str)) for w in pair}
    common = sorted(asked[a] & asked[b])
    # Left-out questions worth naming: those a family would have compared.
    wanted = None if any(not f.questions for f in families) else {q for f in families for q in f.questions}
    only = {w: sorted(q for q in asked[w] - asked[a if w == b else b] if wanted is None or q in wanted)
            for w in pair}
    items = []
    for fam in families:
        base = fam.base[fam.base["question_id"].isin(common)]
        ids = [c.id for c in fam.codes]
        n_a, k_a = per_respondent(base, ids, a)
        n_b, k_b = per_respondent(base, ids, b)
        items += [{"item": c.id, "name": c.short, "k_a": k_a[c.id], "n_a": n_a, "k_b": k_b[c.id], "n_b": n_b}
                  for c in fam.codes]
    codes_comp = compare(items, cfg, (a, b))
    compared = pd.concat([f.base for f in families])
    compared = compared[compared["question_id"].isin(common)]
    respondents = {w: int(compared.loc[compared["wave"] == w, "respondent_id"].nunique()) for w in pair}
    section: dict[str, Any] = {"possible": True, "n_waves": n_waves, "a": a, "b": b, "codes": codes_comp,
                               "code_rows": codes_comp.to_dict("records"), "topics": [], "charts": [],
                               "common": common, "only": only, "respondents": respondents,
                               "small": [w for w in pair if respondents[w] < cfg.min_respondents],
                               "summary": comparison_summary(codes_comp, "code", "codes")}
    tested = codes_comp[codes_comp["tested"]] if len(codes_comp) else codes_comp
    if len(tested):
        labels = list(tested["name"])
        section["charts"].append(charts.save(
            chart_forest(tested, labels, f"Codes: golf {shorten(b, 24)} vergeleken met golf {shorten(a, 24)}",
                         cfg.relevant_difference_pp),
            "golfvergelijking", f"Golfvergelijking {a}–{b}: codes"))
    for corpus in corpora:
        part = (tf[(tf["corpus"] == corpus["name"]) & (tf["kind"] == "survey") & tf["question_id"].isin(common)]
                if tf is not None else pd.DataFrame(columns=["wave"]))
        cwaves = [w for w in pair if (part["wave"] == w).any()]
        entry: dict[str, Any] = {"corpus": corpus["name"], "waves": cwaves, "table": None, "rows": [],
                                 "chart": None, "chart_note": "", "summary": ""}
        if cwaves == pair:
            n_wave = {w: int(part.loc[part["wave"] == w, "respondent_id"].nunique()) for w in pair}
            with_topic = part.drop_duplicates(["topic", "wave", "respondent_id"]).groupby(["topic", "wave"]).size()
            t_items = [{"item": str(t["topic"]), "name": f"{t['topic']}: {t['label']}",
                        "k_a": int(with_topic.get((t["topic"], a), 0)), "n_a": n_wave[a],
                        "k_b": int(with_topic.get((t["topic"], b), 0)), "n_b": n_wave[b]}
                       for t in corpus["topics"] if t["topic"] != NO_TOPIC]
            table = compare(t_items, cfg, (a, b))
            entry.update(table=table, rows=table.to_dict("records"),
                         summary=comparison_summary(table, "onderwerp", "onderwerpen", neuter=True))
            tested = table[table["tested"]] if len(table) else table
            if len(tested):
                shown = largest_differences(tested, cfg.chart_rows)
                entry["chart_note"] = (f"De grafiek toont de {len(shown)} grootste verschillen van {len(tested)} "
                                       "getoetste onderwerpen (significante eerst); de tabel toont ze allemaal."
                                       if len(shown) < len(tested) else "")
                entry["chart"] = charts.save(
                    chart_forest(shown, list(shown["name"]), f"Onderwerpen in {corpus['name']}: golf "
                                 f"{shorten(b, 24)} vergeleken met {shorten(a, 24)}", cfg.relevant_difference_pp),
                    f"golfvergelijking_{corpus['name']}", f"Golfvergelijking {a}–{b}: onderwerpen in {corpus['name']}")
        section["topics"].append(entry)
    return section


def per_code_section(df: pd.DataFrame, codebook: Codebook, cfg: ReportConfig) -> list[dict[str, Any]]:
    answers = units(df[df["classified"].astype(bool)])  # per answer and paragraph, as the accounting counts
    out = []
    for c in codebook.codes:
        rows = [{"quote": truncate(r["text"], cfg.quote_chars), "file": _file_name(r["source"]), "where": location(r),
                 "p": float(r[f"p_{c.id}"]), "kind": r["kind"]}
                for _, r in evidence(df, c.id, cfg.evidence_per_code).iterrows()]
        out.append({"code": c, "rows": rows,
                    "n_survey": int(answers.loc[answers["kind"] == "survey", c.id].sum()),
                    "n_document": int(answers.loc[answers["kind"] == "document", c.id].sum())})
    return out


def quality_section(evaluation: dict[str, Any], codebook: Codebook) -> dict[str, Any]:
    """Classifier quality per code (keys of metrics/evaluate.json): on the held-out
    annotations in the project's own register, and on real text (`realdev.`)."""
    rows = []
    for c in codebook.codes:
        key = f"heldout.classifier.{c.id}"
        real = f"realdev.adjudicated.{c.id}"
        if f"{key}.f1" in evaluation:
            rows.append({"code": c, "precision": evaluation.get(f"{key}.precision"),
                         "recall": evaluation.get(f"{key}.recall"), "f1": evaluation.get(f"{key}.f1"),
                         "real_precision": evaluation.get(f"{real}.precision"),
                         "real_recall": evaluation.get(f"{real}.recall"), "real_f1": evaluation.get(f"{real}.f1")})
    real = None
    if "realdev.passages" in evaluation:
        real = {k: evaluation.get(f"realdev.{k}") for k in (
            "passages", "coded_passages", "current", "offdomain.passages", "offdomain.rate",
            "adjudicated.passage.precision", "adjudicated.passage.recall", "adjudicated.micro.precision",
            "adjudicated.micro.recall", "adjudicated.micro.f1", "kappa.passage")}
    return {"rows": rows, "heldout": evaluation.get("heldout_passages"),
            "macro_f1": evaluation.get("heldout.classifier.macro.f1"), "real": real}


def write_plot_data(plots_dir: Path, o_prev: pd.DataFrame, t_prev: pd.DataFrame,
                    comparison: dict[str, Any]) -> pd.DataFrame:
    """The data behind the main charts, for `dvc plots`; returns the comparison rows."""
    plots_dir.mkdir(parents=True, exist_ok=True)

    def series(prev: pd.DataFrame) -> pd.Series:
        return prev["class"].astype(str) + " · " + prev["code"].astype(str)

    _write_csv(plots_dir / "orientaties_per_golf.csv", pd.DataFrame({
        "golf": o_prev["class"], "orientatie": o_prev["code"], "reeks": series(o_prev), "aandeel": o_prev["share"],
        "aandeel_orientaties": o_prev["dist"], "n": o_prev["n"], "k": o_prev["k"], "ci_laag": o_prev["lo"],
        "ci_hoog": o_prev["hi"]}))
    _write_csv(plots_dir / "themas_per_golf.csv", pd.DataFrame({
        "golf": t_prev["class"], "thema": t_prev["code"], "reeks": series(t_prev), "aandeel": t_prev["share"],
        "n": t_prev["n"], "k": t_prev["k"], "ci_laag": t_prev["lo"], "ci_hoog": t_prev["hi"]}))
    columns = ["soort", "corpus", "item", "naam", "golf_a", "golf_b", "k_a", "n_a", "k_b", "n_b", "aandeel_a",
               "aandeel_b", "verschil_pp", "ci_laag_pp", "ci_hoog_pp", "toets", "p", "p_gecorrigeerd", "getoetst",
               "significant", "conclusie"]
    rows = []
    if comparison["possible"]:
        tables = [("code", "", comparison["codes"])] + [("onderwerp", t["corpus"], t["table"])
                                                        for t in comparison["topics"] if t["table"] is not None]
        for kind, corpus, table in tables:
            for r in table.to_dict("records"):
                rows.append([kind, corpus, r["item"], r["name"], comparison["a"], comparison["b"], r["k_a"], r["n_a"],
                             r["k_b"], r["n_b"], r["share_a"], r["share_b"], 100 * r["diff"], 100 * r["lo"],
                             100 * r["hi"], r["test"], r["p"], r["p_adj"], bool(r["tested"]), bool(r["significant"]),
                             r["verdict"]])
    out = pd.DataFrame(rows, columns=columns)
    _write_csv(plots_dir / "golfvergelijking.csv", out)
    return out


# --------------------------------------------------------------------------- stage


def run(classified_path: Path, accounting_path: Path, codebook_path: Path, topics_path: Path | None,
        topics_dir: Path, out_html: Path, figures_dir: Path, plots_dir: Path, metrics_path: Path,
        cfg: ReportConfig, nlp_path: Path | None = None, evaluation_path: Path | None = None,
        say: Say | None = None) -> dict[str, Any]:
    """Write the report, its figures, the plot data and the report metrics.

    Args:
        classified_path: `classified.parquet` (CLASSIFIED).
        accounting_path: `reports/accounting/ingest.json`.
        codebook_path: the codebook (names, groups, axes of the orientations).
        topics_path: `topics.parquet` (TOPICS), or None; a missing file means no topics yet.
        topics_dir: folder with the topic summaries `<corpus>.html` (linked, not read).
        out_html: the report, e.g. `reports/index.html`.
        figures_dir: PNG and SVG per chart.
        plots_dir: CSV data of the main charts (DVC plots).
        metrics_path: flat metrics JSON.
        cfg: the `report` settings.
        nlp_path: `nlp.parquet`, for GPE/LOC entities when the nlp stage ran with NER.
        evaluation_path: `metrics/evaluate.json`, for the classifier quality per code.
        say: callback for the summary line and warnings.

    Returns:
        The metrics written to `metrics_path`.
    """
    import matplotlib

    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
    cfg.validate()
    out_html, figures_dir, plots_dir = Path(out_html), Path(figures_dir), Path(plots_dir)
    codebook = load_codebook(codebook_path)
    df = load_classified(classified_path)
    missing = [c.id for c in codebook.codes if c.id not in df.columns or f"p_{c.id}" not in df.columns]
    if missing:
        raise SamenspelError(f"codes {missing} uit het codeboek staan niet in de gecodeerde passages",
                             path=classified_path, hint="train en classificeer opnieuw (`dvc repro`)")
    accounting = load_accounting(accounting_path)
    topics = load_topics(topics_path, say)
    evaluation = load_evaluation(evaluation_path)
    entities = load_entities(nlp_path) if cfg.ner else {}

    waves = waves_in_order(df, accounting)
    # Waves with coded answers; a wave in the accounting without any is only listed.
    survey = df[(df["kind"] == "survey")]
    with_data = set(survey.loc[survey["classified"].astype(bool), "wave"].dropna().astype(str))
    wave_labels = [w.label for w in waves if w.label in with_data]
    unknown = [w for w in cfg.compare_waves if w not in wave_labels]
    if unknown:
        raise SamenspelError(f"report.compare_waves noemt golf {', '.join(unknown)}, maar die heeft geen gecodeerde "
                             "antwoorden (onbekende golf)", hint=f"beschikbaar: {', '.join(wave_labels) or 'geen'}")
    for key, questions in (("orientation_questions", cfg.orientation_questions),
                           ("theme_questions", cfg.theme_questions)):
        absent = [q for q in questions if not (survey["question_id"] == q).any()]
        if absent and len(survey):
            say(f"report: report.{key} noemt vraag {', '.join(absent)}, maar die komt in geen enkele golf voor "
                f"(wel: {', '.join(sorted(set(survey['question_id'].dropna())))})", warn=True)

    orient, themes = codebook.group("orientatie"), codebook.group("thema")
    o_base = survey_base(df, cfg.orientation_questions)
    t_base = survey_base(df, cfg.theme_questions)
    d_base = units(df[(df["kind"] == "document") & df["classified"].astype(bool)])
    # Each wave with answers to the questions, then the documents: the columns of the figures and tables.
    series = [(w, f"golf {w}") for w in wave_labels] + ([(DOCUMENTS, "documenten")] if len(d_base) else [])
    colours = {**wave_colours(wave_labels), DOCUMENTS: DOCUMENT_COLOUR}
    charts = ChartWriter(figures_dir, out_html, cfg.figure_dpi)
    ctx: dict[str, Any] = {"cfg": cfg, "codebook": codebook, "waves": [w for w in waves if w.label in with_data],
                           "all_waves": waves, "colours": colours, "corrections": CORRECTIONS, "sections": SECTIONS,
                           "documents_key": DOCUMENTS}
    with matplotlib.rc_context(ChartWriter.rc()):
        ctx["corpus"] = corpus_section(df, accounting, wave_labels, cfg.language_min_words)
        problems = reconcile(df, ctx["corpus"])
        if problems:
            say(f"report: gecodeerde passages en verantwoording lopen uiteen ({'; '.join(problems)}); "
                "draai de pipeline opnieuw vanaf ingest (`dvc repro`)", warn=True)
        o_series = [(k, lbl) for k, lbl in series if k == DOCUMENTS or (o_base["wave"] == k).any()]
        t_series = [(k, lbl) for k, lbl in series if k == DOCUMENTS or (t_base["wave"] == k).any()]
        ctx["orientations"], o_prev = orientation_section(df, o_base, d_base, orient, _raw_axes(codebook_path),
                                                          o_series, cfg, charts, colours)
        ctx["themes"], t_prev = theme_section(df, t_base, d_base, themes, t_series, cfg, charts, colours)
        tf = topic_frame(topics, df) if topics is not None else None
        ctx["topics"] = topic_section(tf, wave_labels, topics_dir, out_html, charts, colours)
        pair = list(cfg.compare_waves) if cfg.compare_waves else wave_labels[-2:]
        families = [Family(orient, o_base, cfg.orientation_questions), Family(themes, t_base, cfg.theme_questions)]
        ctx["comparison"] = comparison_section(pair, df, families, ctx["topics"]["corpora"], tf, len(wave_labels),
                                               cfg, charts)
        docs = scan_documents(df, codebook, cfg, entities)
        ctx["documents"] = {"docs": docs, "ner": bool(entities),
                            "chart": charts.save(chart_documents(docs, list(codebook.codes)), "documenten_codes",
                                                 "Codes per document") if docs else None}
    ctx["per_code"] = per_code_section(df, codebook, cfg)
    ctx["quality"] = quality_section(evaluation, codebook)
    ctx["nlp_backends"] = load_backends(nlp_path)
    ctx["nlp_fallback"] = any(b.startswith("fallback") for b in ctx["nlp_backends"])

    write_text(out_html, _render(ctx))
    charts.remove_stale()
    comp_rows = write_plot_data(plots_dir, o_prev, t_prev, ctx["comparison"])

    comparison = ctx["comparison"]
    metrics: dict[str, Any] = {"waves": len(wave_labels), "documents": len(docs),
                               "topic_corpora": len(ctx["topics"]["corpora"]), "charts": len(charts.written) // 2,
                               "places_named": sum(len(v) for d in docs for v in d["places"].values())}
    if comparison["possible"]:
        tested = comp_rows["getoetst"].astype(bool) if len(comp_rows) else pd.Series(dtype=bool)
        metrics.update({"compared": f"{comparison['a']}-{comparison['b']}", "correction": cfg.correction,
                        "tests": int(tested.sum()), "untestable": int((~tested).sum()),
                        "significant": int(comp_rows["significant"].sum())})
        for r in comparison["code_rows"]:
            if r["tested"]:  # an untested code has no difference to report
                metrics[f"change_pp.{r['item']}"] = round(100 * float(r["diff"]), 2)
            metrics[f"significant.{r['item']}"] = bool(r["significant"])
        change = (f"golf {comparison['a']}→{comparison['b']}: {metrics['significant']} van {metrics['tests']} "
                  "getoetste verschillen significant"
                  + (f", {metrics['untestable']} niet te toetsen" if metrics["untestable"] else ""))
    else:
        change = "geen golfvergelijking (minder dan twee golven)"
    write_json(metrics_path, metrics)
    say(f"report: {len(df)} passages, {len(wave_labels)} golven ({change}), {len(docs)} documenten, "
        f"{metrics['topic_corpora']} onderwerpcorpora, {metrics['charts']} grafieken → {out_html}")
    return metrics
