"""Benchmark of the `topics` stage on ~10,000 generated passages, offline.

The passages are recombined from the project's own example texts (the hand-written
survey answers in corpora/src/surveys/ and the document sources in corpora/src/documents/):
survey answers of one to three sentences drawn from the answers to the same question,
document paragraphs of two to four sentences from the same document. Drawing is seeded,
so every run measures the same input. The passages go through the `nlp` stage (offline
fallback) and then the `topics` stage with the `topics` section of params.yaml.

Prints wall time, passages per second and peak memory (resource.getrusage). This is a
benchmark, not a test: it asserts nothing.

    python benchmarks/bench_topics.py [--passages 10000] [--seed 1] [--params params.yaml]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import tempfile
import time
from pathlib import Path
from random import Random

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý'‘“\"(])")
ORG_TYPES = ["gemeente", "provincie", "waterschap", "regionaal samenwerkingsverband", "rijksoverheid", "anders"]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(" ".join(text.split())) if len(s.strip()) > 20]


def survey_pools(folder: Path) -> dict[str, list[str]]:
    """Sentences of the hand-written answers, per question."""
    pools: dict[str, list[str]] = {}
    for path in sorted(folder.glob("golf_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for resp in data.get("respondenten") or []:
            for question in ("rol", "uitdaging", "ontwikkeling"):
                if resp.get(question):
                    pools.setdefault(question, []).extend(sentences(str(resp[question])))
    return pools


def document_pools(folder: Path) -> dict[str, list[str]]:
    """Sentences of the document sources (YAML header, headings and list markers removed), per document."""
    pools = {}
    for path in sorted(folder.glob("0*.*")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
        lines = [re.sub(r"^\s*(#+|[-*]|\d+[.)])\s+", "", line) for line in text.splitlines()]
        pools[path.stem] = sentences(" ".join(line for line in lines if line.strip()))
    return pools


def generate(n: int, seed: int) -> pd.DataFrame:
    """`n` passages as a SCRUBBED table: 70 % survey answers over two waves, 30 % document paragraphs."""
    rng = Random(seed)
    answers = survey_pools(ROOT / "corpora" / "src" / "surveys")
    docs = document_pools(ROOT / "corpora" / "src" / "documents")
    rows = []
    n_survey = int(n * 0.7)
    for i in range(n_survey):
        question = rng.choice(sorted(answers))
        wave = rng.choice(["2016", "2026"])
        text = " ".join(rng.sample(answers[question], rng.randint(1, 3)))
        rows.append({"passage_id": f"{wave}/B{i:05d}/{question}", "source": f"bench_{wave}.csv", "kind": "survey",
                     "wave": wave, "respondent_id": f"B{i:05d}", "question_id": question, "row": i + 2,
                     "paragraph": None, "text": text, "meta_organisatietype": rng.choice(ORG_TYPES)})
    for i in range(n - n_survey):
        doc = rng.choice(sorted(docs))
        k = rng.randint(2, 4)
        start = rng.randrange(max(1, len(docs[doc]) - k))
        rows.append({"passage_id": f"{doc}/{i:05d}", "source": f"{doc}.pdf", "kind": "document", "wave": None,
                     "respondent_id": None, "question_id": None, "row": None, "paragraph": i + 1,
                     "text": " ".join(docs[doc][start:start + k]), "meta_organisatietype": None})
    df = pd.DataFrame(rows)
    m = len(df)
    return df.assign(row=pd.array(df["row"], "Int64"), page=pd.array([None] * m, "Int64"),
                     paragraph=pd.array(df["paragraph"], "Int64"), chunk=pd.array([0] * m, "Int64"), section=None,
                     status="ok", scrubbed=True, pii_types=[[] for _ in range(m)])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> None:
    from pipeline import nlp as nlp_stage
    from pipeline import topics
    from pipeline.config import load_params, section
    from pipeline.files import write_table
    from pipeline.schema import SCRUBBED

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--params", type=Path, default=ROOT / "params.yaml")
    parser.add_argument("--out", type=Path, default=None, help="keep the outputs here (default: a temporary folder)")
    args = parser.parse_args(argv)

    params = load_params(args.params)
    cfg = topics.TopicsConfig.from_params(section(params, "topics", args.params))
    nlp_cfg = nlp_stage.NlpConfig.from_params(section(params, "nlp", args.params))
    nlp_cfg.backend = "fallback"  # offline and the same on every machine
    with tempfile.TemporaryDirectory() as tmp:
        work = args.out or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        table = generate(args.passages, args.seed)
        write_table(work / "scrubbed.parquet", table, SCRUBBED)
        nlp_stage.run(work / "scrubbed.parquet", work / "nlp.parquet", work / "nlp.json", nlp_cfg,
                      say=lambda *a, **k: None)
        prep = time.perf_counter() - t0
        prep_peak = peak_mb()
        t1 = time.perf_counter()
        topics.run(work / "scrubbed.parquet", work / "nlp.parquet", work / "topics.parquet", work / "topics.json",
                   work / "models", work / "reports", cfg, say=lambda msg, warn=False: print(msg))
        wall = time.perf_counter() - t1
        metrics = json.loads((work / "topics.json").read_text())
    n_unique = table["text"].str.casefold().nunique()
    print(f"passages: {len(table)} ({n_unique} distinct texts; {int((table['kind'] == 'survey').sum())} survey answers)")
    print(f"prepare (generate + nlp fallback): {prep:.1f} s; peak memory so far {prep_peak:.0f} MB")
    print(f"topics stage: {wall:.1f} s wall, {len(table) / wall:.0f} passages/s, peak memory {peak_mb():.0f} MB")
    print(f"embedding backend: {metrics['backend']}; compare_defaults: {cfg.compare_defaults}")
    for spec in cfg.corpora:
        p = f"{spec.name}_"
        if metrics.get(p + "skipped"):
            print(f"  {spec.name}: skipped ({metrics[p + 'skipped']})")
            continue
        print(f"  {spec.name}: {metrics[p + 'unique']} unique passages, {metrics[p + 'topics']} topics, "
              f"outliers {metrics[p + 'outliers']:.1%}, NPMI {metrics[p + 'npmi']}, "
              f"defaults NPMI {metrics.get(p + 'defaults_npmi')}")


if __name__ == "__main__":
    main()
