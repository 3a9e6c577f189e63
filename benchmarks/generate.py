"""Benchmark corpora: the example corpora scaled to any number of passages.

Recombines and perturbs the project's own example texts (the sentence pool of
`benchmarks/sentences.py`), so word statistics stay Dutch and on topic:

* survey answers are one to three sentences drawn from the hand-written answers to
  the same question in the same source wave (`corpora/src/surveys/golf_*.yaml`),
  plus a share of short answers, fillers ("weet niet") and empty answers;
* document paragraphs are two to four consecutive sentences of one source document
  (`corpora/src/documents/`).

Light perturbations keep the texts from repeating: municipality names swapped for
others from the gazetteer (`pipeline/data/gemeenten.txt`), a word dropped or inserted,
changed case, a typo. Every recombined passage gets at least one edit and a repeat is
drawn again, so about 95 % of the texts are distinct at any size (short answers and
fillers repeat, as they do in real surveys); repeats would flatter the stages that
deduplicate or cache. Every draw comes from `random.Random` streams seeded with the
seed and the file's name, so the same seed gives byte-identical files and adding a
wave leaves the other files alone.

The output is a corpus the pipeline reads unchanged: survey waves as real exports
with their wave YAMLs (a cp1252 `;` CSV and LimeSurvey-style XLSX files, written by
`corpora/build_surveys.py`'s own writers) and documents as TXT and Markdown.

    python -m benchmarks.generate --passages 10000 --out /tmp/bench/ws_10k [--seed 1]
    python -m benchmarks.generate --add-wave 0.1 --out /tmp/bench/ws_10k   # a new wave of 10 %

Without `--corpora-only` the folder becomes a complete DVC workspace (see
`benchmarks/workspace.py`), ready for `dvc repro`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from random import Random
from types import ModuleType
from typing import Callable

from benchmarks.sentences import DOCUMENT_SOURCES, FILLERS, QUESTIONS, ROOT, document_pools, survey_pools
from benchmarks.workspace import MANIFEST, create, passages_in
#: Share of the passages that are survey answers; the rest are document paragraphs.
SURVEY_SHARE = 0.7
#: Paragraphs per generated document, at most (they are spread evenly).
PARAGRAPHS_PER_DOCUMENT = 150
#: Answers longer than this are cut back to fewer sentences, so ingest never splits them
#: (ingest.max_passage_chars is 1500) and one answer stays one passage.
MAX_CHARS = 1400


@dataclass(frozen=True)
class WaveLayout:
    """One generated survey wave: name, export kind and which source wave's answers it recombines."""

    wave: str
    kind: str  # "csv" or "xlsx"
    sources: tuple[str, ...]
    date: dt.date


#: The scaled corpus has three waves: the two example waves and one in between.
WAVES = (
    WaveLayout("2016", "csv", ("2016",), dt.date(2016, 5, 15)),
    WaveLayout("2021", "xlsx", ("2016", "2026"), dt.date(2021, 5, 15)),
    WaveLayout("2026", "xlsx", ("2026",), dt.date(2026, 4, 15)),
)
#: The wave added by `add_wave` (incremental benchmark).
NEW_WAVE = WaveLayout("2027", "xlsx", ("2026",), dt.date(2027, 4, 15))


@dataclass
class Pools:
    """What the generator recombines."""

    answers: dict[tuple[str, str], list[str]]  # (source wave, question) -> sentences
    short: dict[str, list[str]]  # question -> short whole answers ("Verbinder.", "intervisie")
    documents: dict[str, list[str]]  # source document -> sentences in order
    vocabulary: list[str]  # words for insertions (a token list, so frequent words come up often)
    municipalities: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ sources


@lru_cache(maxsize=1)
def build_surveys() -> ModuleType:
    """`corpora/build_surveys.py`, whose metadata draws and export writers the generator reuses."""
    path = ROOT / "corpora" / "build_surveys.py"
    spec = importlib.util.spec_from_file_location("samenspel_build_surveys", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(module)
    return module


def municipalities() -> list[str]:
    """Municipality names from the pipeline's gazetteer."""
    from pipeline.places import default_gazetteer

    return sorted(p.name for p in default_gazetteer().places if p.kind == "gemeente")


@lru_cache(maxsize=1)
def load_pools() -> Pools:
    answers, short = survey_pools()
    vocabulary = [w for texts in answers.values() for t in texts for w in re.findall(r"[a-zà-ÿ]{3,12}", t)]
    return Pools(answers, short, document_pools(DOCUMENT_SOURCES), vocabulary, municipalities())


# ------------------------------------------------------------------ perturbation


class Perturber:
    """Light, seeded edits that keep a passage Dutch but make it a text of its own.

    Every passage gets at least one edit, and a passage this perturber produced before
    is drawn again, so recombining a finite set of sentences does not repeat passages
    (real answers rarely repeat word for word, and repeats would flatter the stages that
    deduplicate or cache).

    Args:
        rng: the random stream to draw from.
        pools: supplies municipality names and words to insert.
    """

    def __init__(self, rng: Random, pools: Pools):
        self.rng = rng
        self.pools = pools
        self.seen: set[str] = set()

    def __call__(self, draw: Callable[[], str], tries: int = 5) -> str:
        """Perturb what `draw()` returns; draw again (up to `tries` times) while the result is a repeat."""
        for _ in range(tries):
            text = self.perturb(draw())
            if text not in self.seen:
                break
        self.seen.add(text)
        return text

    def perturb(self, text: str) -> str:
        rng = self.rng
        original = text
        text = self.swap_places(text)
        words = text.split(" ")
        if len(words) > 6 and rng.random() < 0.15:  # drop a word
            del words[rng.randrange(1, len(words) - 1)]
        if rng.random() < 0.10:
            self.insert(words)
        if rng.random() < 0.15:  # one typo
            k = rng.randrange(len(words))
            words[k] = self.typo(words[k])
        if " ".join(words) == original:  # nothing changed yet: one word more
            self.insert(words)
        text = " ".join(words)
        r = rng.random()
        if r < 0.05:
            text = text.lower()
        elif r < 0.07:
            text = text.upper()
        elif r < 0.10:
            text = text[:1].lower() + text[1:]
        return text

    def insert(self, words: list[str]) -> None:
        """Insert a word from the answers' own vocabulary at a random place (not first)."""
        words.insert(self.rng.randrange(1, len(words) + 1), self.rng.choice(self.pools.vocabulary))

    def swap_places(self, text: str) -> str:
        """Replace each municipality mentioned (half the time) by a random other one."""
        from pipeline.places import default_gazetteer

        matches = [m for m in default_gazetteer().find(text) if m.place.kind == "gemeente"]
        for m in sorted({(m.start, m.end) for m in matches}, reverse=True):
            if self.rng.random() < 0.5:
                text = text[:m[0]] + self.rng.choice(self.pools.municipalities) + text[m[1]:]
        return text

    def typo(self, word: str) -> str:
        """Swap, drop or double one letter of a word of five letters or more."""
        if len(word) < 5 or not word.isalpha():
            return word
        i = self.rng.randrange(1, len(word) - 2)
        kind = self.rng.randrange(3)
        if kind == 0:
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if kind == 1:
            return word[:i] + word[i + 1:]
        return word[:i] + word[i] + word[i:]


def _fit(parts: list[str]) -> str:
    """Join sentences, dropping trailing ones until the text fits in MAX_CHARS."""
    while len(parts) > 1 and len(" ".join(parts)) > MAX_CHARS:
        parts = parts[:-1]
    return " ".join(parts)[:MAX_CHARS]


# ------------------------------------------------------------------ surveys


def answer(rng: Random, pools: Pools, perturb: Perturber, sources: tuple[str, ...], question: str) -> str:
    """One open answer: empty, filler, short or one to three sentences, perturbed."""
    r = rng.random()
    if r < 0.04:
        return ""
    if r < 0.07:
        return rng.choice(FILLERS)
    if r < 0.12 and pools.short.get(question):
        return rng.choice(pools.short[question])

    def draw() -> str:
        pool = pools.answers[(rng.choice(sources), question)]
        return _fit(rng.sample(pool, rng.choice((1, 1, 2, 2, 2, 3))))

    return perturb(draw)


def survey_rows(layout: WaveLayout, respondents: int, seed: int, pools: Pools) -> list[dict]:
    """Rows in the shape `build_surveys.assign_metadata` returns: metadata plus the three answers."""
    rng = Random(f"{seed}:survey:{layout.wave}")
    perturb = Perturber(rng, pools)
    recs = [{q: answer(rng, pools, perturb, layout.sources, q) for q in QUESTIONS} for _ in range(respondents)]
    rows = build_surveys().assign_metadata(recs, rng)
    if layout.kind == "csv":  # the Dutch Excel CSV is cp1252: replace what it cannot hold
        for row in rows:
            for q in QUESTIONS:
                row[q] = row[q].encode("cp1252", "replace").decode("cp1252")
    return rows


def write_wave(folder: Path, layout: WaveLayout, respondents: int, seed: int, pools: Pools) -> tuple[Path, list[str]]:
    """Write one wave as an export plus its wave YAML, with build_surveys' own writers.

    Returns:
        The export's path and its answers.
    """
    bs = build_surveys()
    rows = survey_rows(layout, respondents, seed, pools)
    rng = Random(f"{seed}:paradata:{layout.wave}")
    wave = bs.Wave(layout.wave, "", f"R{layout.wave[2:]}", layout.date, layout.kind)
    folder.mkdir(parents=True, exist_ok=True)
    data_file = f"enquete_{layout.wave}.{layout.kind}"
    if layout.kind == "csv":
        bs.write_csv(folder / data_file, wave, rows, rng)
        bs.write_dataset_yaml(folder / f"enquete_{layout.wave}.yaml", wave, data_file, bs.CSV_COLUMNS, xlsx=False)
    else:
        bs.write_xlsx(folder / data_file, wave, rows, rng)
        bs.write_dataset_yaml(folder / f"enquete_{layout.wave}.yaml", wave, data_file, bs.XLSX_COLUMNS, xlsx=True)
    return folder / data_file, [row[q] for row in rows for q in QUESTIONS]


# ------------------------------------------------------------------ documents


def document_paragraphs(rng: Random, pool: list[str], n: int, perturb: Perturber) -> list[str]:
    """`n` paragraphs of two to four consecutive sentences of one source document."""

    def draw() -> str:
        k = rng.randint(2, 4)
        start = rng.randrange(max(1, len(pool) - k))
        return _fit(pool[start:start + k])

    return [perturb(draw) for _ in range(n)]


def write_document(path: Path, paragraphs: list[str], title: str) -> None:
    """TXT: blank-line separated paragraphs. Markdown: a title and a heading every few paragraphs."""
    if path.suffix == ".txt":
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        return
    lines = [f"# {title}", ""]
    for i, para in enumerate(paragraphs):
        if i % 8 == 0:
            lines += [f"## Paragraaf {i // 8 + 1}", ""]
        lines += [para, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_documents(folder: Path, n_paragraphs: int, seed: int, pools: Pools) -> list[list[str]]:
    """Write documents holding `n_paragraphs` paragraphs in all; return each document's paragraphs."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(pools.documents)
    n_docs = max(1, -(-n_paragraphs // PARAGRAPHS_PER_DOCUMENT))
    written = []
    for d in range(n_docs):
        rng = Random(f"{seed}:document:{d}")
        source = sources[d % len(sources)]
        size = n_paragraphs // n_docs + (d < n_paragraphs % n_docs)
        paragraphs = document_paragraphs(rng, pools.documents[source], size, Perturber(rng, pools))
        ext = ".md" if d % 2 else ".txt"
        write_document(folder / f"{d + 1:04d}_{source[3:]}{ext}", paragraphs, source[3:].replace("_", " ").title())
        written.append(paragraphs)
    return written


# ------------------------------------------------------------------ corpus


def unique_share(texts: list[str]) -> float:
    """Share of distinct texts among the non-empty ones, ignoring case (short answers and fillers repeat)."""
    texts = [t.casefold() for t in texts if t.strip()]
    return round(len(set(texts)) / len(texts), 4) if texts else 1.0


def split_passages(n: int) -> tuple[int, int]:
    """(respondents, document paragraphs) for about `n` passages: three answers per respondent."""
    respondents = max(len(WAVES), round(n * SURVEY_SHARE / len(QUESTIONS)))
    return respondents, max(1, n - respondents * len(QUESTIONS))


def write_corpus(out: Path, n: int, seed: int) -> dict:
    """Write `out/corpora/surveys` and `out/corpora/documents` for about `n` passages.

    Returns:
        What was written: respondents per wave, documents and the expected passage count.
    """
    pools = load_pools()
    respondents, paragraphs = split_passages(n)
    per_wave = [respondents // len(WAVES) + (i < respondents % len(WAVES)) for i in range(len(WAVES))]
    surveys = out / "corpora" / "surveys"
    answers = [text for layout, k in zip(WAVES, per_wave) for text in write_wave(surveys, layout, k, seed, pools)[1]]
    documents = write_documents(out / "corpora" / "documents", paragraphs, seed, pools)
    info = {"passages": respondents * len(QUESTIONS) + paragraphs, "survey_passages": respondents * len(QUESTIONS),
            "document_passages": paragraphs, "documents": len(documents), "seed": seed,
            "respondents": dict(zip([w.wave for w in WAVES], per_wave)),
            "unique_share": unique_share(answers + [p for doc in documents for p in doc])}
    (out / MANIFEST).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def add_wave(out: Path, n_passages: int, seed: int, layout: WaveLayout = NEW_WAVE) -> dict:
    """Add one survey wave of about `n_passages` passages to the corpus in `out`."""
    respondents = max(1, round(n_passages / len(QUESTIONS)))
    path, _ = write_wave(out / "corpora" / "surveys", layout, respondents, seed, load_pools())
    return {"wave": layout.wave, "file": path.name, "respondents": respondents,
            "passages": respondents * len(QUESTIONS)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="workspace folder")
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--add-wave", type=float, default=None, metavar="FRACTION",
                        help="add a new wave of this fraction of the existing passages instead")
    parser.add_argument("--corpora-only", action="store_true", help="only write corpora/, no DVC workspace")
    args = parser.parse_args(argv)
    if args.add_wave is not None:
        info = add_wave(args.out, round(args.add_wave * passages_in(args.out)), args.seed)
        print(f"golf {info['wave']}: {info['respondents']} respondenten, {info['passages']} passages → "
              f"{args.out / 'corpora' / 'surveys' / info['file']}")
        return
    if not args.corpora_only:
        create(args.out)
    info = write_corpus(args.out, args.passages, args.seed)
    print(f"{info['passages']} passages ({info['survey_passages']} enquête, {info['document_passages']} documenten "
          f"in {info['documents']} bestanden; {info['unique_share']:.1%} verschillend) → {args.out}")


if __name__ == "__main__":
    main()
