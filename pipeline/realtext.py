"""Real text the project did not write: reading it by locator, for the development set.

The real-text development set (`corpora/devset/labels.jsonl`) stores only labels and a
locator per passage, never the text: the texts are in the `shared` folder beside the
project (`../shared`, or `$SAMENSPEL_SHARED`), which a user's machine usually does not
have. This module turns those files into passages the same way every time, so that a
locator keeps pointing at the same text:

- Markdown (`realdev/regelingen/*.md`, `realworld/gebruikersonderzoeken/**/*.md`): blocks
  separated by blank lines, numbered from 0 among the non-empty blocks after front matter
  and HTML comments; the text is the block with Markdown marks and HTML tags removed.
- The Baarn coalition agreement (YAML): every `tekst` field, numbered in file order.
- The Amsterdam citizen reports (CSV): the `Tekst` cell of each row.
- The partypanel exports (CSV): each non-missing cell of an open-answer column.

Each passage also carries a short hash of its source text (the raw block or cell, so that
a better cleaning does not orphan the labels); a label whose hash no longer matches is
reported, not silently measured on other text.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SamenspelError

#: Sources whose passages are, by construction, not about collaboration between
#: organisations (the off-domain false-positive rate is measured on them).
OFF_DOMAIN = ("meldingen", "partypanel", "gebruikersonderzoek")
#: Which kind of text each source stands for.
KIND = {"regelingen": "document", "baarn": "document", "meldingen": "answer", "partypanel": "answer",
        "gebruikersonderzoek": "answer"}
PARTYPANEL_COLUMNS = re.compile(r"^(adviseFriend|disclose|extraQuestions_|extraQuestJustificat_|expertise$|"
                                r"recruitment$|suggestion$|justification$)")
NA = {"", "NA", "N/A", "NaN", "nan", "NULL", "-99", "-999"}


@dataclass(frozen=True)
class RealPassage:
    """One passage of real text: `locator` is unique and stable, `digest` hashes the raw
    source text the passage was made from."""

    locator: str
    source: str
    text: str
    raw: str = ""

    @property
    def kind(self) -> str:
        return KIND[self.source]

    @property
    def digest(self) -> str:
        return hashlib.sha1((self.raw or self.text).encode("utf-8")).hexdigest()[:10]


def shared_dir(explicit: str | Path | None = None) -> Path | None:
    """The shared folder: the argument, `$SAMENSPEL_SHARED`, or `../shared`; None if absent."""
    for cand in (explicit, os.environ.get("SAMENSPEL_SHARED"), Path.cwd().parent / "shared"):
        if cand and Path(cand, "realdev").is_dir():
            return Path(cand)
    if explicit:
        raise SamenspelError("map met echte teksten niet gevonden (realdev/ ontbreekt)", path=explicit)
    return None


_TAG = re.compile(r"<sup>.*?</sup>|<[^>]+>", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"^\s*#+\s*", re.M)
_EMPHASIS = re.compile(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)")
_RULE = re.compile(r"^[\s|:\-]*$")


def clean_markdown(block: str, links: bool = True) -> str:
    """A Markdown block as plain text: no tags, heading marks, emphasis or table rules,
    and links as their text (`links=False`: as written, which is how the sample was drawn)."""
    text = _TAG.sub("", block)
    if links:
        text = _LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = text.replace("\\", "")
    return re.sub(r"\s+", " ", text).strip()


def markdown_blocks(path: Path) -> list[tuple[str, str]]:
    """(raw, cleaned) non-empty blocks of a Markdown file, without front matter and comments."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if raw.startswith("---"):
        end = raw.find("\n---", 3)
        raw = raw[end + 4:] if end > 0 else raw
    raw = re.sub(r"<!--.*?-->", "", raw, flags=re.S)
    raw = re.sub(r"^(import|export) .*$", "", raw, flags=re.M)  # MDX lines
    out = []
    for block in re.split(r"\n\s*\n", raw):
        if _RULE.match(block):
            continue
        text = clean_markdown(block)
        if text and any(ch.isalpha() for ch in text):
            out.append((block.strip(), text))
    return out


def read_passages(shared: Path) -> list[RealPassage]:
    """Every passage of every source, in a fixed order."""
    out: list[RealPassage] = []
    for path in sorted((shared / "realdev" / "regelingen").glob("*.md")):
        rel = path.relative_to(shared).as_posix()
        out += [RealPassage(f"{rel}#{i}", "regelingen", t, r) for i, (r, t) in enumerate(markdown_blocks(path))]
    world = shared / "realworld"
    research = world / "gebruikersonderzoeken" / "docs"
    for path in sorted(research.rglob("*.md")):
        rel = path.relative_to(shared).as_posix()
        out += [RealPassage(f"{rel}#{i}", "gebruikersonderzoek", t, r)
                for i, (r, t) in enumerate(markdown_blocks(path))]
    baarn = world / "baarn-raadsinformatie" / "coalitieakkoord.yaml"
    if baarn.exists():
        import yaml

        texts: list[str] = []

        def walk(node) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("tekst"), str):
                    texts.append(node["tekst"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(yaml.safe_load(baarn.read_text(encoding="utf-8")))
        rel = baarn.relative_to(shared).as_posix()
        out += [RealPassage(f"{rel}#{i}", "baarn", re.sub(r"\s+", " ", t).strip(), t) for i, t in enumerate(texts)]
    reports = world / "example-textual-classification-citizen-reports" / "voorbeeld_meldingen.csv"
    if reports.exists():
        rel = reports.relative_to(shared).as_posix()
        with reports.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                raw = row.get("Tekst") or ""
                text = re.sub(r"\s+", " ", raw).strip()
                if text:
                    out.append(RealPassage(f"{rel}#row={i}", "meldingen", text, raw))
    for path in sorted((world / "partypanel-18.1").glob("*.csv")):
        rel = path.relative_to(shared).as_posix()
        with path.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                for col, value in row.items():
                    text = re.sub(r"\s+", " ", value or "").strip()
                    if col and PARTYPANEL_COLUMNS.match(col) and text not in NA:
                        out.append(RealPassage(f"{rel}#row={i}&col={col}", "partypanel", text, value))
    return out


#: Words that make a regulation's block likely to be about collaboration; part of each
#: regulation's sample is drawn among such blocks so that the set holds enough hard cases.
COLLAB = re.compile(r"samenwerk|overleg|partner|partij|regio|gemeenten|convenant|afstemm|coördin|regie|belang|"
                    r"netwerk|bestuur", re.I)


#: Stronger signs of collaboration, for the second, enriched draw.
STRONG = re.compile(r"samenwerk|gezamenlijk|overleg|afstemm|coördin|regie|partners|deelnemers|stuurgroep|"
                    r"regionale?\b|gemeenten", re.I)


def sample_devset(passages: list[RealPassage], seed: int = 20261207) -> list[RealPassage]:
    """The development sample (how `corpora/devset/labels.jsonl` was drawn).

    First draw: per regulation 4 random blocks and 3 among those matching `COLLAB`; 80
    passages of the coalition agreement; all citizen reports and partypanel answers; 100
    blocks of the user-research reports. The first draw held too few coded passages to
    measure per code, so a second draw adds 160 regulation blocks of at least 12 words
    matching `STRONG` and 40 more coalition-agreement passages. Duplicated texts are drawn
    once.
    """
    rng = random.Random(seed)
    # The sample was drawn before links were reduced to their text; draw on that text.
    passages = [RealPassage(p.locator, p.source, clean_markdown(p.raw, links=False), p.raw)
                if p.locator.split("#")[0].endswith(".md") else p for p in passages]
    by_source: dict[str, list[RealPassage]] = {}
    for p in passages:
        by_source.setdefault(p.source, []).append(p)
    chosen: list[RealPassage] = []
    files: dict[str, list[RealPassage]] = {}
    for p in by_source.get("regelingen", []):
        files.setdefault(p.locator.split("#")[0], []).append(p)
    for name in sorted(files):
        blocks = files[name]
        first = rng.sample(blocks, min(4, len(blocks)))
        rest = [b for b in blocks if b not in first and COLLAB.search(b.text)]
        chosen += first + rng.sample(rest, min(3, len(rest)))
    chosen += rng.sample(by_source.get("baarn", []), min(80, len(by_source.get("baarn", []))))
    chosen += by_source.get("meldingen", []) + by_source.get("partypanel", [])
    research = by_source.get("gebruikersonderzoek", [])
    chosen += rng.sample(research, min(100, len(research)))
    drawn = {p.locator for p in chosen}
    strong = [p for p in by_source.get("regelingen", [])
              if p.locator not in drawn and len(p.text.split()) >= 12 and STRONG.search(p.text)]
    chosen += rng.sample(strong, min(160, len(strong)))
    baarn_rest = [p for p in by_source.get("baarn", []) if p.locator not in drawn]
    chosen += rng.sample(baarn_rest, min(40, len(baarn_rest)))
    seen: set[str] = set()
    unique = []
    for p in chosen:
        if p.text not in seen:
            seen.add(p.text)
            unique.append(p)
    return unique


# ------------------------------------------------------------------ the development set


def load_labels(path: str | Path) -> list[dict]:
    """The development set's labels: one JSON object per passage (see corpora/devset/README.md)."""
    import json

    path = Path(path)
    if not path.exists():
        raise SamenspelError("labels van de echte ontwikkelset ontbreken", path=path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for n, row in enumerate(rows, start=1):
        missing = [k for k in ("locator", "digest", "source", "coder_a", "coder_b", "codes") if k not in row]
        if missing:
            raise SamenspelError(f"regel {n}: velden {missing} ontbreken", path=path)
    return rows


def devset(shared: Path, labels: list[dict]) -> tuple[list[dict], list[str]]:
    """Labels joined with their text from `shared`: (rows with a `text`, locators that
    no longer match their text or are gone)."""
    texts = {p.locator: p for p in read_passages(shared)}
    rows, drifted = [], []
    for row in labels:
        p = texts.get(row["locator"])
        if p is None or p.digest != row["digest"]:
            drifted.append(row["locator"])
        else:
            rows.append({**row, "text": p.text})
    return rows, drifted


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two 0/1 sequences (1.0 when both coders never use the code)."""
    import numpy as np

    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    po = float((a == b).mean())
    pa, pb = a.mean(), b.mean()
    pe = float(pa * pb + (1 - pa) * (1 - pb))
    return 1.0 if pe >= 1.0 else (po - pe) / (1 - pe)


def _matrix(rows: list[dict], key: str, codes: list[str]):
    import numpy as np

    return np.array([[c in (row.get(key) or []) for c in codes] for row in rows], dtype=int).reshape(len(rows),
                                                                                                      len(codes))


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scores(gold, pred, codes: list[str]) -> dict[str, float]:
    """Passage-level (any code) and per-code / micro precision, recall, F1."""
    out: dict[str, float] = {}
    g_any, p_any = gold.any(1), pred.any(1)
    out["passage.precision"], out["passage.recall"], out["passage.f1"] = _prf(
        float((g_any & p_any).sum()), float((~g_any & p_any).sum()), float((g_any & ~p_any).sum()))
    tps = fps = fns = 0.0
    for j, c in enumerate(codes):
        tp = float((gold[:, j] & pred[:, j]).sum())
        fp = float(((1 - gold[:, j]) & pred[:, j]).sum())
        fn = float((gold[:, j] & (1 - pred[:, j])).sum())
        tps, fps, fns = tps + tp, fps + fp, fns + fn
        out[f"{c}.precision"], out[f"{c}.recall"], out[f"{c}.f1"] = _prf(tp, fp, fn)
        out[f"{c}.support"] = gold[:, j].sum()
    out["micro.precision"], out["micro.recall"], out["micro.f1"] = _prf(tps, fps, fns)
    return {k: round(float(v), 4) for k, v in out.items()}


def relevance_threshold_for(gold_any, relevance, passes, beta: float = 0.5) -> float:
    """The threshold on p(relevant) with the best passage-level F-beta on the set
    (beta 0.5: precision counts twice as much as recall); ties go to the higher threshold.

    `passes` says per passage whether any code passes its own threshold: only those
    passages can be coded, whatever the relevance threshold.
    """
    import numpy as np

    from pipeline.train import THRESHOLD_GRID

    gold_any = np.asarray(gold_any, dtype=bool)
    best, best_t = -1.0, float(THRESHOLD_GRID[-1])
    for t in THRESHOLD_GRID:
        coded = passes & (relevance >= t)
        tp = float((coded & gold_any).sum())
        p = tp / coded.sum() if coded.sum() else 0.0
        r = tp / gold_any.sum() if gold_any.sum() else 0.0
        f = (1 + beta ** 2) * p * r / (beta ** 2 * p + r) if p + r else 0.0
        if f >= best:
            best, best_t = f, float(t)
    return best_t


def _fold_of(row: dict) -> int:
    """Two folds by source file, so a threshold is never chosen on the file it is tested on."""
    name = row["locator"].split("#")[0]
    if row["source"] in ("meldingen", "partypanel", "baarn"):
        name += row["locator"]  # one file each: split those passage by passage
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % 2


def measure(clf, nlp, rows: list[dict], beta: float, calibrate: bool,
            batch_size: int = 256) -> tuple[dict, float]:
    """Measure `clf` on the development rows: (flat metrics, relevance threshold used).

    With `calibrate`, the relevance threshold is chosen on the set (see
    `relevance_threshold_for`); otherwise the model's own threshold is measured. The
    `crossfit.*` figures choose the threshold on one half of the source files and measure
    on the other, so they show what the choice itself is worth on text it has not seen.
    """
    import numpy as np

    from pipeline.model import feature_frame
    from pipeline.nlp import lemmatise

    codes = clf.codes
    texts = [r["text"] for r in rows]
    Xt = clf.transform(feature_frame(texts, lemmatise(texts, nlp, batch_size)))
    proba, relevance = clf.predict_proba(Xt=Xt), clf.relevance_proba(Xt=Xt)
    t_codes = np.array([clf.thresholds[c] for c in codes])
    passes = (proba >= t_codes).any(1)
    gold = _matrix(rows, "codes", codes)
    gold_any = gold.any(1)
    t_rel = relevance_threshold_for(gold_any, relevance, passes, beta) if calibrate else clf.relevance_threshold
    pred = ((proba >= t_codes) & (relevance >= t_rel)[:, None]).astype(int)

    m: dict[str, float | int | str] = {"passages": len(rows), "coded_passages": int(gold_any.sum()),
                                       "relevance_threshold": t_rel, "beta": beta}
    for source in sorted({r["source"] for r in rows}):
        m[f"passages.{source}"] = sum(r["source"] == source for r in rows)
    m.update({f"adjudicated.{k}": v for k, v in scores(gold, pred, codes).items()})
    for coder in ("a", "b"):
        m.update({f"coder_{coder}.{k}": v for k, v in scores(_matrix(rows, f"coder_{coder}", codes), pred,
                                                                codes).items() if not k.endswith("support")})
    a, b = _matrix(rows, "coder_a", codes), _matrix(rows, "coder_b", codes)
    for j, c in enumerate(codes):
        m[f"kappa.{c}"] = round(cohen_kappa(a[:, j], b[:, j]), 4)
    m["kappa.passage"] = round(cohen_kappa(a.any(1), b.any(1)), 4)
    m["disagreements"] = int((a != b).any(1).sum())

    off = np.array([r["source"] in OFF_DOMAIN for r in rows]) & ~gold_any
    m["offdomain.passages"] = int(off.sum())
    m["offdomain.coded"] = int(pred[off].any(1).sum())
    m["offdomain.rate"] = round(float(pred[off].any(1).mean()) if off.any() else 0.0, 4)
    short = np.array([len(t.split()) <= 7 or t.rstrip()[-1:] not in ".!?" for t in texts])
    m["fragments.passages"] = int(short.sum())
    m["fragments.coded_by_coders"] = int((gold_any & short).sum())
    m["fragments.coded_by_model"] = int(pred[short].any(1).sum())

    folds = np.array([_fold_of(r) for r in rows])
    cross = np.zeros_like(pred)
    for k in (0, 1):
        train, test = folds != k, folds == k
        t = relevance_threshold_for(gold_any[train], relevance[train], passes[train], beta)
        cross[test] = ((proba[test] >= t_codes) & (relevance[test] >= t)[:, None]).astype(int)
    m.update({f"crossfit.{k}": v for k, v in scores(gold, cross, codes).items() if not k.endswith("support")})
    m["crossfit.offdomain.rate"] = round(float(cross[off].any(1).mean()) if off.any() else 0.0, 4)
    return m, t_rel


def run(labels_path: Path, model_path: Path, output: Path, calibration_path: Path, nlp_backend: str,
        shared: Path | None = None, calibrate: bool = False, beta: float = 0.5, say=None) -> dict | None:
    """`samenspel realtext`: measure the classifier on the real development set.

    Writes `output` (flat JSON, committed: `samenspel evaluate` and the report read it, so
    `dvc repro` gives the same outputs with or without the shared folder). With
    `calibrate`, also writes the relevance threshold chosen on the set to
    `calibration_path`, which the `train` stage reads. Without the shared folder it says
    so and writes nothing.
    """
    import logging

    from pipeline.files import write_json
    from pipeline.model import Classifier
    from pipeline.nlp import load_backend

    say = say or (lambda msg, warn=False: logging.getLogger(__name__).info(msg))
    folder = shared_dir(shared)
    if folder is None:
        say("realtext: map met echte teksten (../shared of $SAMENSPEL_SHARED) niet gevonden; niets gemeten", warn=True)
        return None
    labels = load_labels(labels_path)
    rows, drifted = devset(folder, labels)
    if drifted:
        say(f"realtext: {len(drifted)} labels wijzen niet meer naar dezelfde tekst en tellen niet mee "
            f"(bijv. {drifted[0]})", warn=True)
    if not rows:
        raise SamenspelError("geen enkele label van de ontwikkelset vindt zijn tekst terug", path=labels_path)
    clf = Classifier.load(model_path)
    nlp, backend = load_backend(nlp_backend, say)
    metrics, t_rel = measure(clf, nlp, rows, beta, calibrate)
    metrics.update({"model_fingerprint": clf.meta.get("fingerprint", ""), "backend": backend,
                    "labels_missing_text": len(drifted),
                    **{f"threshold.{c}": round(float(t), 4) for c, t in clf.thresholds.items()}})
    write_json(output, metrics)
    if calibrate:
        write_json(calibration_path, {"relevance_threshold": t_rel, "beta": beta,
                                      "rule": "drempel met de hoogste F-beta op passageniveau op de ontwikkelset "
                                              "(beta 0,5: precisie telt twee keer zo zwaar als recall)"})
    a = "adjudicated."
    say(f"realtext: {len(rows)} echte passages ({metrics['coded_passages']} gecodeerd door de codeurs); "
        f"passage-precisie {metrics[a + 'passage.precision']:.2f}, -recall {metrics[a + 'passage.recall']:.2f}, "
        f"micro-F1 {metrics[a + 'micro.f1']:.2f}; buiten het domein gecodeerd {metrics['offdomain.rate']:.1%}; "
        f"relevantiedrempel {t_rel:.2f}" + (" (gekozen op de ontwikkelset)" if calibrate else "") + f" → {output}")
    return metrics
