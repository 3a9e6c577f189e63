"""Benchmarks of the samenspel pipeline, side by side in one run.

For each corpus size a fresh workspace is generated (`benchmarks/generate.py`) and
every stage runs through the real CLI, exactly as `dvc.yaml` calls it, each measured
on its own: wall time, CPU time (user + system of the child processes) and peak
memory. `train` and `evaluate` only read the codebook and annotations, so they run
once, in the smallest workspace, and their outputs are copied into the others. After
the stages, `dvc commit` records the run, so a second `dvc repro` must do nothing.

On the 10k workspace (or the size closest to it) the run also measures

* the `nlp` stage against raw `nlp.pipe` (`benchmarks/micro.py`);
* the throughput of `code_passages`, with and without evidence terms;
* a new wave of 10 % of the passages: `dvc repro` again, per stage what was
  recomputed and what was reused (the `cache_hits`/`cache_misses` metrics of the
  stages when they have them, else "geen cache");

and takes the topics figure from the `topics` stage of that run.

Writes `results.json`, `results.md` and `scaling.png` to `--out` after every size,
so a run that is stopped keeps what it measured.

    python -m benchmarks.run [--sizes 1000 10000 100000] [--quick] [--seed 1] [--out benchmarks]
                             [--workdir /tmp/samenspel-bench] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from benchmarks import micro, results as report
from benchmarks.generate import add_wave, write_corpus
from benchmarks.measure import MeasuredError, machine, run_measured
from benchmarks.workspace import (MODEL_STAGES, ROOT, code_fingerprint, copy_model, create, metrics, passages_in,
                                  stage_commands, stage_names)

QUICK_SIZES = [1_000, 10_000]
DEFAULT_SIZES = [1_000, 10_000, 100_000]
#: Share of the passages the new wave adds in the incremental benchmark.
NEW_WAVE_SHARE = 0.10
#: Metrics keys of the content-hash cache, per stage.
CACHE_KEYS = ("cache_hits", "cache_misses")
RUNNING = re.compile(r"Running stage '([^']+)'")
SKIPPED = re.compile(r"Stage '([^']+)' didn't change, skipping")


def say(msg: str) -> None:
    print(msg, flush=True)


# ------------------------------------------------------------------ scale


def run_stages(ws: Path, model: dict | None, log: Path, stages: dict[str, dict]) -> None:
    """Run every stage of dvc.yaml through the CLI, in order, measuring each one into `stages`.

    With `model` (the workspace and measurements of an earlier train/evaluate), those
    stages are not run again: their outputs are copied in. When a stage fails, the
    stages before it keep their measurements.
    """
    commands = stage_commands(ws)
    for name in stage_names(ws):
        if name in MODEL_STAGES and model is not None:
            copy_model(Path(model["workspace"]), ws)
            stages[name] = {**model["stages"][name], "model_stage": True, "reused_from": Path(model["workspace"]).name}
            continue
        m = run_measured(commands[name], ws, log=log)
        stages[name] = {**m.summary(), "model_stage": name in MODEL_STAGES}
        say(f"  {name:<9} {m.wall_s:8.1f} s wand {m.cpu_s:8.1f} s CPU {m.peak_mb:7.0f} MB piek")


def totals(stages: dict[str, dict]) -> dict[str, float]:
    """Sums over the stages; the peak is the largest of any stage."""
    corpus = [s for s in stages.values() if not s.get("model_stage")]
    return {
        "wall_s": round(sum(s["wall_s"] for s in stages.values()), 1),
        "cpu_s": round(sum(s["cpu_s"] for s in stages.values()), 1),
        "peak_mb": round(max(s["peak_mb"] for s in stages.values()), 1),
        "corpus_wall_s": round(sum(s["wall_s"] for s in corpus), 1),
        "corpus_cpu_s": round(sum(s["cpu_s"] for s in corpus), 1),
        "corpus_peak_mb": round(max(s["peak_mb"] for s in corpus), 1),
    }


def dvc_bookkeeping(ws: Path, log: Path) -> dict[str, Any]:
    """Record the finished run in dvc.lock (`dvc commit`), then check that `dvc repro` has nothing to do."""
    commit = run_measured(["dvc", "commit", "--force"], ws, log=log)
    noop = run_measured(["dvc", "repro"], ws, log=log)
    ran = [m.group(1) for _, line in noop.lines if (m := RUNNING.search(line))]
    return {"commit_s": round(commit.wall_s, 2), "noop_repro_s": round(noop.wall_s, 2), "noop_ran_stages": ran}


def scale_run(size: int, seed: int, workdir: Path, model: dict | None, log: Path) -> dict:
    """Generate a workspace of `size` passages and run the whole pipeline on it."""
    ws = workdir / f"ws_{size}"
    if ws.exists():
        shutil.rmtree(ws)
    create(ws)
    generated = write_corpus(ws, size, seed)
    say(f"\n== {size} passages: {generated['survey_passages']} enquête, {generated['document_passages']} "
        f"documenten → {ws}")
    result: dict[str, Any] = {"workspace": str(ws), "generated": generated, "complete": False, "stages": {}}
    try:
        run_stages(ws, model, log, result["stages"])
        result["passages"] = passages_in(ws)
        result["totals"] = totals(result["stages"])
        result["dvc"] = dvc_bookkeeping(ws, log)
        result["complete"] = True
    except MeasuredError as exc:
        result["error"] = str(exc).splitlines()[0]
        say(f"  FOUT: {exc}")
    return result


# ------------------------------------------------------------------ incremental


def dvc_stage_times(lines: list[tuple[float, str]], end: float) -> dict[str, float | None]:
    """Seconds per stage inside one `dvc repro`; None for the stages DVC skipped.

    A stage runs from the moment its "Running stage" line arrived until the next stage's line.
    """
    events = []
    for t, line in lines:
        if m := RUNNING.search(line):
            events.append((t, m.group(1), True))
        elif m := SKIPPED.search(line):
            events.append((t, m.group(1), False))
    out: dict[str, float | None] = {}
    for i, (t, name, ran) in enumerate(events):
        following = events[i + 1][0] if i + 1 < len(events) else end
        out[name] = round(following - t, 2) if ran else None
    return out


def stage_reuse(ws: Path, stage: str, ran: bool, passages: int) -> tuple[Any, Any, str]:
    """(recomputed, reused, where that comes from) for one stage after the incremental run."""
    if stage in MODEL_STAGES:
        return "—", "—", "model (leest het corpus niet)"
    found = metrics(ws, stage)
    if not ran:
        return 0, passages, "overgeslagen door DVC"
    if all(k in found for k in CACHE_KEYS):
        return found["cache_misses"], found["cache_hits"], f"cache ({stage}.json)"
    modes = {k[: -len("_mode")]: v for k, v in found.items() if k.endswith("_mode")}
    if modes:  # topics: per corpus a fit, or the saved fit placing only the new passages
        placed = sum(int(found.get(f"{c}_transformed", 0)) for c, m in modes.items() if m == "incremental")
        kept = sum(int(found.get(f"{c}_fitted_on", 0)) for c, m in modes.items() if m == "incremental")
        refit = sum(int(found.get(f"{c}_fitted_on", 0)) for c, m in modes.items() if m != "incremental")
        n_inc = sum(m == "incremental" for m in modes.values())
        return (placed + refit, kept,
                f"cache: bewaarde fit ({n_inc} van {len(modes)} corpora ingedeeld, unieke passages per corpus)")
    return passages, 0, "geen cache"


def incremental(ws: Path, full: dict, model: dict, seed: int, log: Path) -> dict:
    """Add a wave of 10 % to a finished workspace, run `dvc repro` and compare with the full run."""
    before = passages_in(ws)
    wave = add_wave(ws, round(NEW_WAVE_SHARE * before), seed)
    say(f"\n== nieuwe golf {wave['wave']}: {wave['passages']} passages bij {before}; dvc repro")
    m = run_measured(["dvc", "repro"], ws, log=log)
    after = passages_in(ws)
    times = dvc_stage_times(m.lines, m.wall_s)
    full_stages = {**full["stages"], **model["stages"]}
    stages = {}
    for name in stage_names(ws):
        ran = times.get(name) is not None
        recomputed, reused, source = stage_reuse(ws, name, ran, after)
        stages[name] = {"ran": ran, "wall_s": times.get(name), "full_wall_s": full_stages.get(name, {}).get("wall_s"),
                        "recomputed": recomputed, "reused": reused, "source": source}
        say(f"  {name:<9} {'overgeslagen' if not ran else f'{times[name]:.1f} s':>12}  herberekend {recomputed}, "
            f"hergebruikt {reused} ({source})")
    full_wall = full["totals"]["wall_s"] + full["dvc"]["commit_s"]
    corpus_wall = full["totals"]["corpus_wall_s"] + full["dvc"]["commit_s"]
    cached = [name for name, s in stages.items() if s["source"].startswith("cache")]
    return {
        "passages_before": before, "passages_after": after, "new_passages": after - before, "wave": wave,
        "wall_s": round(m.wall_s, 1), "cpu_s": round(m.cpu_s, 1), "peak_mb": round(m.peak_mb, 1),
        "full_wall_s": round(full_wall, 1), "full_corpus_wall_s": round(corpus_wall, 1),
        "share_pct": round(100 * m.wall_s / full_wall, 1), "share_corpus_pct": round(100 * m.wall_s / corpus_wall, 1),
        "cache": f"content-hash-cache in {', '.join(cached)}" if cached else "geen cache",
        "stages": stages,
    }


# ------------------------------------------------------------------ run


def closest(sizes: list[int], target: int = report.TARGET_SIZE) -> int:
    return min(sizes, key=lambda s: abs(math.log(s / target)))


def save(results: dict, out: Path) -> None:
    """results.json, results.md and scaling.png, written after every phase."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    report.write(results, out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES, help="corpus sizes in passages")
    parser.add_argument("--quick", action="store_true", help=f"only {' and '.join(map(str, QUICK_SIZES))}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks",
                        help="folder for results.json, results.md and scaling.png")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/samenspel-bench"), help="folder for the workspaces")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the in-process measurements")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = sorted(set(QUICK_SIZES if args.quick else args.sizes))
    venv_bin = Path(sys.executable).parent  # `samenspel` and `dvc` of the same environment first
    os.environ["PATH"] = f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"
    if shutil.which("samenspel") is None or shutil.which("dvc") is None:
        say("samenspel en dvc moeten op PATH staan (bijvoorbeeld: PATH=.venv/bin:$PATH)")
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / "run.log"
    log.write_text("", encoding="utf-8")
    results: dict[str, Any] = {"machine": machine(), "options": {"sizes": sizes, "seed": args.seed,
                               "repeats": args.repeats, "workdir": str(args.workdir)},
                               "code_fingerprint_start": code_fingerprint(), "scale": {}, "warnings": []}
    say(f"samenspel-benchmarks: {sizes} passages, seed {args.seed}; uitvoer van de stages in {log}")
    model: dict | None = None
    micro_size = closest(sizes)
    for size in sizes:
        res = scale_run(size, args.seed, args.workdir, model, log)
        results["scale"][str(size)] = res
        if model is None and res.get("complete"):
            model = {"workspace": res["workspace"], "stages": {k: res["stages"][k] for k in MODEL_STAGES}}
            results["model"] = model
        if size == micro_size and res.get("complete"):
            measure_on(Path(res["workspace"]), res, model, args, log, results)
        if size == max(sizes) and size > micro_size and res.get("complete"):
            # Fixed start-up costs weigh less on a large corpus: the NLP overhead there too.
            say(f"\n== NLP-stage tegenover kale nlp.pipe ({res['passages']} passages, 2×)")
            results["nlp_overhead_large"] = micro.nlp_overhead(Path(res["workspace"]), 2, log)
            results["nlp_overhead_large"]["passages"] = res["passages"]
        save(results, args.out)
    finish(results)
    save(results, args.out)
    say(report.summary(results))
    say(f"\n→ {args.out / 'results.json'}, {args.out / 'results.md'}, {args.out / 'scaling.png'}")
    return 0


def measure_on(ws: Path, res: dict, model: dict, args: argparse.Namespace, log: Path, results: dict) -> None:
    """The 10k measurements: NLP overhead, classification, topics, then (it changes the workspace) a new wave."""
    say(f"\n== NLP-stage tegenover kale nlp.pipe ({res['passages']} passages, {args.repeats}×)")
    results["nlp_overhead"] = micro.nlp_overhead(ws, args.repeats, log)
    for backend, r in results["nlp_overhead"]["backends"].items():
        say(f"  {backend}: " + (f"stage {r['stage_vs_raw']}× kale pipe, n_process=2: {r['n_process_2_speedup']}×"
                                if r.get("installed") else r["note"]))
    say("\n== classificatie: code_passages")
    results["classify"] = micro.classify_throughput(ws, args.repeats)
    c = results["classify"]
    say(f"  zonder bewijs {c['without_evidence']['passages_per_s']:.0f}/s, met bewijs "
        f"{c['with_evidence']['passages_per_s']:.0f}/s")
    topics = res["stages"]["topics"]
    results["topics"] = {"passages": res["passages"], "wall_s": topics["wall_s"], "cpu_s": topics["cpu_s"],
                         "peak_mb": topics["peak_mb"], "source": f"topics-stage van de schaalrun op {ws.name}",
                         "metrics": metrics(ws, "topics")}
    try:
        results["incremental"] = incremental(ws, res, model, args.seed, log)
    except MeasuredError as exc:
        results["warnings"].append(f"nieuwe golf: {str(exc).splitlines()[0]}")


def finish(results: dict) -> None:
    """Closing facts and warnings about how far the numbers can be trusted."""
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["code_fingerprint_end"] = code_fingerprint()
    results["scaling_fit"] = report.scale_fit(results)
    results["stage_fits"] = report.stage_fits(results)
    warnings = results["warnings"]
    if results["code_fingerprint_end"] != results["code_fingerprint_start"]:
        warnings.append("de code of params van het project veranderden tijdens de run; cijfers van verschillende "
                        "stappen kunnen verschillende code meten")
    nproc = results["machine"]["nproc"] or 1
    if max(results["machine"]["load_average_start"][0], results["machine"]["load_average_end"][0]) > nproc:
        warnings.append(f"de machine was ook met ander werk bezig (belasting > {nproc} kernen): tijden zijn ruisig")
    for size, res in results["scale"].items():
        if res.get("complete") and res["dvc"]["noop_ran_stages"]:
            warnings.append(f"{size}: een tweede `dvc repro` draaide toch {', '.join(res['dvc']['noop_ran_stages'])}")
        if not res.get("complete"):
            warnings.append(f"{size}: run onvolledig: {res.get('error', 'afgebroken')}")


if __name__ == "__main__":
    sys.exit(main())
