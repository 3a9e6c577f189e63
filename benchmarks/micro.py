"""In-process benchmarks on a workspace that has been through the pipeline.

* `nlp_overhead`: the `nlp` stage against raw `nlp.pipe` with the same spaCy pipeline,
  batch size and texts, side by side and interleaved (so load on a shared machine hits
  both alike); the minimum of the repeats counts. Also `n_process=2` against 1, and
  where the stage's extra time goes (reading, loading, per-token extraction, language
  detection, writing).
* `classify_throughput`: passages per second of `pipeline.classify.code_passages`
  (features, predict, decision), with and without evidence terms, and the seconds
  of each step inside it.

Both read the workspace's scrubbed passages, NLP output and model; neither writes
into the workspace.
"""

from __future__ import annotations

import inspect
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.measure import run_measured
from benchmarks.workspace import load_params, write_params


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _consume(docs) -> int:
    return sum(1 for _ in docs)


def _quiet(msg: str, warn: bool = False) -> None:
    pass


def nlp_overhead(ws: Path, repeats: int = 3, log: Path | None = None) -> dict:
    """Stage versus raw `nlp.pipe` for every backend; the trained model only when installed."""
    from pipeline import nlp as stage

    out: dict[str, Any] = {"backends": {}}
    for backend in ("fallback", stage.MODEL):
        if backend == stage.MODEL and not stage.model_installed():
            out["backends"][backend] = {"installed": False,
                                        "note": f"{stage.MODEL} is niet geïnstalleerd op deze machine: niet gemeten"}
            continue
        out["backends"][backend] = _nlp_backend(ws, backend, repeats, log)
    return out


def _nlp_backend(ws: Path, backend: str, repeats: int, log: Path | None) -> dict:
    from pipeline import nlp as stage
    from pipeline.files import read_table
    from pipeline.language import LanguageDetector
    from pipeline.schema import SCRUBBED

    params = load_params(ws)
    scrubbed = ws / params["paths"]["scrubbed"]
    cfg = stage.NlpConfig.from_params(params["nlp"])
    cfg.backend = backend
    texts = read_table(scrubbed, SCRUBBED)["text"].fillna("").tolist()
    stage.load_backend(backend, _quiet)  # once untimed: first-import costs are nobody's overhead

    def fresh():
        """A newly loaded pipeline, as the stage gets it: spaCy's vocabulary still empty."""
        t0 = time.perf_counter()
        nlp, label = stage.load_backend(backend, _quiet)
        times["load backend"].append(time.perf_counter() - t0)
        return nlp, label

    def detector():
        t0 = time.perf_counter()
        found = LanguageDetector(cfg.languages, cfg.language_min_confidence, cfg.language_min_letters).fit()
        times["fit language detector"].append(time.perf_counter() - t0)
        return found

    # The stage without the content-hash cache: a cache hit would not measure the stage's work.
    no_cache = {"cache_dir": None} if "cache_dir" in inspect.signature(stage.run).parameters else {}
    times: dict[str, list[float]] = {k: [] for k in (
        "raw_pipe_1", "raw_pipe_2", "stage_run", "annotate", "language", "read parquet", "load backend",
        "fit language detector")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for _ in range(repeats):  # interleaved: a burst of load elsewhere hits every variant alike
            nlp, label = fresh()
            times["raw_pipe_1"].append(_timed(lambda: _consume(nlp.pipe(texts, batch_size=cfg.batch_size))))
            times["stage_run"].append(_timed(lambda: stage.run(scrubbed, tmp / "nlp.parquet", tmp / "nlp.json", cfg,
                                                               say=_quiet, **no_cache)))
            nlp, label = fresh()
            times["raw_pipe_2"].append(_timed(lambda: _consume(nlp.pipe(texts, batch_size=cfg.batch_size,
                                                                        n_process=2))))
            nlp, label = fresh()
            stop_words = stage.stop_words_for(nlp, cfg.extra_stop_words)
            times["annotate"].append(_timed(lambda: stage.annotate(texts, nlp, cfg, label, stop_words)))
            lang = detector()
            times["language"].append(_timed(lambda: [lang.detect(t) for t in texts]))
            times["read parquet"].append(_timed(lambda: read_table(scrubbed, SCRUBBED)))
        cli = _nlp_cli(ws, tmp, scrubbed, backend, log)
    best = {k: min(v) for k, v in times.items()}
    raw = best["raw_pipe_1"]
    startup = best["load backend"] + best["fit language detector"]
    parts = {
        "load backend": best["load backend"],
        "fit language detector": best["fit language detector"],
        "read parquet": best["read parquet"],
        "token extraction (annotate - pipe)": best["annotate"] - raw,
        "language detection": best["language"],
    }
    parts["rest (cache keys, frame, write, metrics)"] = best["stage_run"] - raw - sum(parts.values())
    return {
        "installed": True,
        "label": label,
        "passages": len(texts),
        "batch_size": cfg.batch_size,
        "n_process_in_params": cfg.n_process,
        "repeats": repeats,
        "times_s": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "best_s": {k: round(v, 3) for k, v in best.items()},
        "cli_wall_s": round(cli.wall_s, 3),
        "cli_cpu_s": round(cli.cpu_s, 3),
        "stage_vs_raw": round(best["stage_run"] / raw, 3),
        "stage_vs_raw_without_startup": round((best["stage_run"] - startup) / raw, 3),
        "cli_vs_raw": round(cli.wall_s / raw, 3),
        "n_process_2_speedup": round(raw / best["raw_pipe_2"], 3),
        # Where the stage's time beyond raw nlp.pipe goes, in seconds (best of the repeats).
        "overhead_s": {k: round(v, 3) for k, v in parts.items()},
    }


def _nlp_cli(ws: Path, tmp: Path, scrubbed: Path, backend: str, log: Path | None):
    """`samenspel nlp` end to end (interpreter start, imports, parquet in and out), cache off."""
    params = load_params(ws)
    overrides = {"cache.enabled": False} if "cache" in params else {}
    write_params(tmp / "params.yaml", ws / "params.yaml", overrides)
    return run_measured(["samenspel", "nlp", "--input", str(scrubbed), "--output", str(tmp / "cli.parquet"),
                         "--metrics", str(tmp / "cli.json"), "--backend", backend,
                         "--params", str(tmp / "params.yaml")],
                        cwd=ws, log=log)


def classify_throughput(ws: Path, repeats: int = 3) -> dict:
    """Passages per second of `code_passages` on the workspace's passages, with and without evidence."""
    import numpy as np

    from pipeline.classify import code_passages
    from pipeline.files import read_table
    from pipeline.model import Classifier
    from pipeline.schema import NLP, SCRUBBED

    params = load_params(ws)
    paths = params["paths"]
    clf = Classifier.load(ws / paths["model"])
    passages = read_table(ws / paths["scrubbed"], SCRUBBED)
    nlp = read_table(ws / paths["nlp"], NLP).set_index("passage_id")
    texts = passages["text"].tolist()
    lemmas = nlp.loc[passages["passage_id"], "lemmas"].tolist()
    ok = (passages["status"] == "ok").to_numpy()
    coded = int(np.sum(ok))
    result: dict[str, Any] = {"passages": len(texts), "coded": coded, "repeats": repeats,
                              "model": clf.meta.get("design") or clf.meta.get("candidate")}
    times: dict[str, list[float]] = {"without_evidence": [], "with_evidence": []}
    for _ in range(repeats):
        times["without_evidence"].append(_timed(lambda: code_passages(clf, texts, lemmas, ok, evidence=False)))
        times["with_evidence"].append(_timed(lambda: code_passages(clf, texts, lemmas, ok, evidence=True)))
    for key, values in times.items():
        result[key] = {"times_s": [round(x, 3) for x in values], "best_s": round(min(values), 3),
                       "passages_per_s": round(coded / min(values), 1)}
    result["parts_s"] = _classify_parts(clf, [texts[i] for i in np.flatnonzero(ok)],
                                        [list(lemmas[i]) for i in np.flatnonzero(ok)], repeats)
    return result


def _classify_parts(clf, texts: list[str], lemmas: list[list[str]], repeats: int) -> dict[str, float]:
    """Best-of-repeats seconds of the steps inside `code_passages`, per feature block too."""
    from pipeline.model import _is_char_wb, char_wb_transform, feature_frame

    features = clf.model.named_steps["features"]
    X = feature_frame(texts, lemmas)
    Xt = clf.transform(X)
    proba = clf.predict_proba(Xt=Xt)
    assigned = clf.decide(proba)
    blocks: dict[str, Callable[[], Any]] = {}
    for name, tr, col in features.transformers_:
        if name == "remainder":
            continue
        if _is_char_wb(tr):
            blocks[f"features: {name} (scikit-learn transform)"] = lambda tr=tr, col=col: tr.transform(X[col])
            blocks[f"features: {name} (char_wb_transform, used)"] = (
                lambda tr=tr, col=col: char_wb_transform(tr, X[col].tolist()))
        else:
            blocks[f"features: {name}"] = lambda tr=tr, col=col: tr.transform(X[col])
    steps: dict[str, Callable[[], Any]] = {
        "feature_frame": lambda: feature_frame(texts, lemmas),
        "features (all blocks, Classifier.transform)": lambda: clf.transform(X),
        **blocks,
        "predict_proba on features": lambda: clf.predict_proba(Xt=Xt),
        "decide": lambda: clf.decide(proba),
        "evidence (on the same features)": lambda: clf.evidence(Xt, assigned),
    }
    return {name: round(min(_timed(fn) for _ in range(repeats)), 3) for name, fn in steps.items()}
