"""Benchmark of the `topics` stage on ~10,000 generated passages, offline.

The passages are recombined from the project's own example texts (the hand-written
survey answers in corpora/src/surveys/ and the document sources in corpora/src/documents/):
survey answers of one to three sentences drawn from the answers to the same question,
document paragraphs of two to four sentences from the same document (the one pool of
sentences in benchmarks/sentences.py, shared with benchmarks/generate.py). Drawing is seeded,
so every run measures the same input. The passages go through the `nlp` stage (offline
fallback) and then the `topics` stage with the `topics` section of params.yaml.

Prints wall time, passages per second and peak memory (resource.getrusage). This is a
benchmark, not a test: it asserts nothing.

    python benchmarks/bench_topics.py [--passages 10000] [--seed 1] [--params params.yaml]

With `--wave FRACTION --workspace FOLDER` it measures incremental runs instead, through
the real CLI in a benchmark workspace (`benchmarks/generate.py`, `benchmarks/workspace.py`):
the `topics` stage on the finished corpus without a topics cache (a full fit), then, after
a new survey wave of FRACTION of the passages and `dvc repro classify` for the stages
before it, the stage with the earlier fits in the cache (incremental) next to the stage
without them (a full refit), alternating, best of `--repeats`.

    python -m benchmarks.bench_topics --wave 0.1 --workspace /tmp/bench/ws_10k [--passages 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from random import Random

import pandas as pd

from benchmarks.generate import NEW_WAVE, add_wave, write_corpus
from benchmarks.measure import run_measured
from benchmarks.sentences import ROOT, answers_per_question, document_pools
from benchmarks.workspace import create, load_params, passages_in, stage_commands
from benchmarks.workspace import metrics as stage_metrics  # main() has a local `metrics`

ORG_TYPES = ["gemeente", "provincie", "waterschap", "regionaal samenwerkingsverband", "rijksoverheid", "anders"]


def generate(n: int, seed: int) -> pd.DataFrame:
    """`n` passages as a SCRUBBED table: 70 % survey answers over two waves, 30 % document paragraphs."""
    rng = Random(seed)
    answers = answers_per_question()
    docs = document_pools()
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


def _cli_env() -> dict[str, str]:
    """The environment with this interpreter's scripts (samenspel, dvc) first on PATH."""
    return {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def _topics_run(ws: Path, log: Path) -> dict:
    """Run the `topics` stage as dvc.yaml calls it; wall and CPU time and how each corpus ran."""
    m = run_measured(stage_commands(ws)["topics"], ws, env=_cli_env(), log=log)
    found = stage_metrics(ws, "topics")
    modes = {k.removesuffix("_mode"): v for k, v in found.items() if k.endswith("_mode")}
    new = sum(v for k, v in found.items() if k.endswith("_transformed"))
    return {"wall_s": round(m.wall_s, 1), "cpu_s": round(m.cpu_s, 1), "modes": modes, "transformed": new}


def wave_benchmark(ws: Path, passages: int, share: float, seed: int, repeats: int) -> dict:
    """Full fit, then incremental run and full refit after a new wave; see the module docstring."""
    log = ws.parent / f"{ws.name}-topics-wave.log"
    if not (ws / "dvc.yaml").exists():
        create(ws)
        write_corpus(ws, passages, seed)
    if any((ws / "corpora" / "surveys").glob(f"*{NEW_WAVE.wave}*")):
        raise SystemExit(f"{ws} heeft de nieuwe golf {NEW_WAVE.wave} al; kies een nieuwe map")
    print(f"upstream stages (dvc repro classify) in {ws} ...", flush=True)
    run_measured(["dvc", "repro", "classify"], ws, env=_cli_env(), log=log)
    cache = load_params(ws).get("cache", {})
    if not cache.get("enabled"):
        raise SystemExit("cache.enabled staat uit in de params van de werkmap: geen incrementele runs mogelijk")
    states = ws / cache["dir"] / "topics"
    saved = ws.parent / f"{ws.name}-topics-state"
    before = passages_in(ws)
    full = []
    for _ in range(repeats):
        shutil.rmtree(states, ignore_errors=True)
        full.append(_topics_run(ws, log))
        print(f"  volledig ({before} passages): {full[-1]['wall_s']} s", flush=True)
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(states, saved)
    wave = add_wave(ws, round(share * before), seed)
    run_measured(["dvc", "repro", "classify"], ws, env=_cli_env(), log=log)
    after = passages_in(ws)
    incremental, refit = [], []
    for _ in range(repeats):  # alternating, so load on the shared machine hits both alike
        shutil.rmtree(states, ignore_errors=True)
        shutil.copytree(saved, states)
        incremental.append(_topics_run(ws, log))
        shutil.rmtree(states, ignore_errors=True)
        refit.append(_topics_run(ws, log))
        print(f"  +golf {wave['wave']} ({after} passages): incrementeel {incremental[-1]['wall_s']} s "
              f"({incremental[-1]['modes']}), opnieuw fitten {refit[-1]['wall_s']} s", flush=True)
    best = {name: min(r["wall_s"] for r in runs) for name, runs in
            (("full", full), ("incremental", incremental), ("refit", refit))}
    return {"passages_before": before, "passages_after": after, "wave": wave, "repeats": repeats,
            "best_wall_s": best, "incremental_vs_full_pct": round(100 * best["incremental"] / best["full"], 1),
            "incremental_vs_refit_pct": round(100 * best["incremental"] / best["refit"], 1),
            "runs": {"full": full, "incremental": incremental, "refit": refit}}


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
    parser.add_argument("--wave", type=float, default=None, metavar="FRACTION",
                        help="measure incremental runs after a new wave of this fraction (needs --workspace)")
    parser.add_argument("--workspace", type=Path, default=None, help="benchmark workspace for --wave")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.wave is not None:
        if args.workspace is None:
            parser.error("--wave needs --workspace")
        found = wave_benchmark(args.workspace.resolve(), args.passages, args.wave, args.seed, args.repeats)
        print(json.dumps({k: v for k, v in found.items() if k != "runs"}, indent=2, ensure_ascii=False))
        (args.workspace.parent / f"{args.workspace.name}-topics-wave.json").write_text(
            json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return

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
        ran = json.loads((work / "models" / "index.json").read_text())["corpora"]  # before the folder goes
    n_unique = table["text"].str.casefold().nunique()
    print(f"passages: {len(table)} ({n_unique} distinct texts; {int((table['kind'] == 'survey').sum())} survey answers)")
    print(f"prepare (generate + nlp fallback): {prep:.1f} s; peak memory so far {prep_peak:.0f} MB")
    print(f"topics stage: {wall:.1f} s wall, {len(table) / wall:.0f} passages/s, peak memory {peak_mb():.0f} MB")
    print(f"embedding backend: {metrics['backend']}; compare_defaults: {cfg.compare_defaults}")
    # The corpora that ran (listed in topics.corpora or derived from the data), skipped ones included.
    for name in ran:
        p = f"{name}_"
        if metrics.get(p + "skipped"):
            print(f"  {name}: skipped ({metrics[p + 'skipped']})")
            continue
        print(f"  {name}: {metrics[p + 'unique']} unique passages, {metrics[p + 'topics']} topics, "
              f"outliers {metrics[p + 'outliers']:.1%}, NPMI {metrics[p + 'npmi']}, "
              f"defaults NPMI {metrics.get(p + 'defaults_npmi')}")


if __name__ == "__main__":
    main()
