"""In-process benchmarks on a workspace that has been through the pipeline.

* `nlp_overhead`: the `nlp` stage against raw `nlp.pipe` with the same spaCy pipeline,
  batch size and texts, side by side and interleaved (so load on a shared machine hits
  both alike); the minimum of the repeats counts. Also `n_process=2` against 1, and
  where the stage's extra time goes (reading, loading, per-token extraction, language
  detection, writing). Besides the real backends, an untrained pipeline with
  nl_core_news_sm's architecture (`benchmarks/nlp_proxy.py`) stands in for the trained
  model where that is not installed: an estimate of its ratio, not a measurement.
* `classify_throughput`: passages per second of `pipeline.classify.code_passages`
  (features, predict, decision), with and without evidence terms, and the seconds
  of each step inside it.

Both read the workspace's scrubbed passages, NLP output and model; neither writes
into the workspace (the proxy pipeline goes next to it, in the benchmark workdir).
"""

from __future__ import annotations

import inspect
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks import nlp_proxy
from benchmarks.measure import run_measured
from benchmarks.workspace import load_params, write_params

#: Key of the proxy for nl_core_news_sm in the results.
PROXY_KEY = "proxy_nl_core_news_sm"
#: The proxy is measured on corpora up to this size only: it is some 30 times slower
#: than the fallback, and the 10k corpus is the one the targets refer to.
PROXY_MAX_PASSAGES = 20_000
#: Repeats for the proxy (a pass over 10k passages takes it some 50 s; best of 2 is kept).
PROXY_REPEATS = 2


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _consume(docs) -> int:
    return sum(1 for _ in docs)


def _quiet(msg: str, warn: bool = False) -> None:
    pass


def nlp_overhead(ws: Path, repeats: int = 3, log: Path | None = None, proxy_dir: Path | None = None) -> dict:
    """Stage versus raw `nlp.pipe` for every backend; the trained model only when installed.

    The proxy for the trained model (`benchmarks/nlp_proxy.py`) is generated afresh in
    `proxy_dir` (default: the benchmark workdir, next to the workspace) and loaded as a
    path backend; it is measured with fewer variants (`_nlp_backend`, `full=False`).
    """
    from pipeline import nlp as stage

    out: dict[str, Any] = {"backends": {}}
    for backend in ("fallback", stage.MODEL):
        if backend == stage.MODEL and not stage.model_installed():
            out["backends"][backend] = {"installed": False,
                                        "note": f"{stage.MODEL} is niet geïnstalleerd op deze machine: niet gemeten"}
            continue
        out["backends"][backend] = _nlp_backend(ws, backend, repeats, log)
    out["backends"][PROXY_KEY] = _nlp_proxy(ws, min(repeats, PROXY_REPEATS), log,
                                            proxy_dir or ws.parent / nlp_proxy.DIRNAME)
    return out


def _nlp_proxy(ws: Path, repeats: int, log: Path | None, folder: Path) -> dict:
    """The untrained pipeline with nl_core_news_sm's architecture, measured like a backend."""
    from pipeline.files import read_table
    from pipeline.schema import SCRUBBED

    about = {"proxy": True, "proxy_of": "nl_core_news_sm", "display": "nl_core_news_sm-architectuur (ongetraind)"}
    passages = len(read_table(ws / load_params(ws)["paths"]["scrubbed"], SCRUBBED))
    if passages > PROXY_MAX_PASSAGES:
        return {**about, "installed": False,
                "note": f"ongetrainde pijplijn met de architectuur van nl_core_news_sm: niet gemeten op {passages} "
                        f"passages (alleen tot {PROXY_MAX_PASSAGES})"}
    result = _nlp_backend(ws, str(nlp_proxy.write(folder)), repeats, log, full=False)
    return {**about, **result, "directory": str(folder),
            "note": "ongetrainde pijplijn (willekeurige gewichten) met de architectuur van nl_core_news_sm 3.8: "
                    "schat de verhouding voor het getrainde model, meet die niet (benchmarks/nlp_proxy.py)"}


def _nlp_backend(ws: Path, backend: str, repeats: int, log: Path | None, full: bool = True) -> dict:
    """One backend: raw `nlp.pipe`, the stage, and the parts of the difference, best of `repeats`.

    Start-up (loading the backend and the language model) is a fixed cost, so the ratio is
    given with and without it. The stage runs without its content-hash cache (a cache hit
    would not measure its work), and, if `full`, separately with a cold and a warm cache,
    with `n_process=2`, the rebuilding of Docs from bytes that `n_process=2` costs, and the
    token extraction on its own.
    Without `full` (for a slow pipeline) those variants are left out: each is a pass
    over the corpus; raw `nlp.pipe` with `n_process=2` is kept.
    """
    from pipeline import nlp as stage
    from pipeline.files import read_table
    from pipeline.language import LanguageDetector
    from pipeline.schema import SCRUBBED

    params = load_params(ws)
    scrubbed = ws / params["paths"]["scrubbed"]
    cfg = stage.NlpConfig.from_params(params["nlp"])
    cfg.backend = backend
    cfg.n_process = 1  # raw_pipe_1 is the baseline; n_process=2 is measured on its own
    cfg2 = stage.NlpConfig(**{**vars(cfg), "n_process": 2})
    texts = read_table(scrubbed, SCRUBBED)["text"].fillna("").tolist()
    nlp, label = stage.load_backend(backend, _quiet)  # once untimed: first-import costs are nobody's overhead
    signals = _language_signals(nlp, texts, cfg.batch_size)  # the stage takes them from its tokens
    LanguageDetector(cfg.languages, cfg.language_min_confidence, cfg.language_min_letters).fit()
    detector_args = (cfg.languages, cfg.language_min_confidence, cfg.language_min_letters)
    times: dict[str, list[float]] = {k: [] for k in (
        "raw_pipe_1", "raw_pipe_2", "stage_run", "language", "read parquet", "load backend", "fit language detector")}
    if full:
        times.update({k: [] for k in ("annotate", "stage_run_2", "doc from bytes", "stage_cache_cold",
                                      "stage_cache_warm")})

    def fresh():
        """A newly loaded pipeline, as the stage gets it: spaCy's vocabulary still empty."""
        t0 = time.perf_counter()
        nlp, label = stage.load_backend(backend, _quiet)
        times["load backend"].append(time.perf_counter() - t0)
        return nlp, label

    def detector():
        t0 = time.perf_counter()
        found = LanguageDetector(*detector_args).fit()
        times["fit language detector"].append(time.perf_counter() - t0)
        return found

    def stage_run(conf, tmp: Path, **kwargs):
        # Without the cache_dir argument (older stage code) the stage has no cache at all.
        if "cache_dir" not in inspect.signature(stage.run).parameters:
            kwargs.pop("cache_dir", None)
        return lambda: stage.run(scrubbed, tmp / "nlp.parquet", tmp / "nlp.json", conf, say=_quiet, **kwargs)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for i in range(repeats):  # interleaved: a burst of load elsewhere hits every variant alike
            nlp, label = fresh()
            times["raw_pipe_1"].append(_timed_clean(lambda: _consume(nlp.pipe(texts, batch_size=cfg.batch_size))))
            times["stage_run"].append(_timed_clean(stage_run(cfg, tmp, cache_dir=None)))
            stage_metrics = json.loads((tmp / "nlp.json").read_text(encoding="utf-8"))
            nlp, label = fresh()
            times["raw_pipe_2"].append(_timed_clean(lambda: _consume(nlp.pipe(texts, batch_size=cfg.batch_size,
                                                                              n_process=2))))
            if full:
                times["stage_run_2"].append(_timed_clean(stage_run(cfg2, tmp, cache_dir=None)))
            nlp, label = fresh()
            stop_words = stage.stop_words_for(nlp, cfg.extra_stop_words)
            if full:
                times["annotate"].append(_timed_clean(lambda: _annotate(stage, texts, nlp, cfg, label, stop_words)))
            lang = detector()
            times["language"].append(_timed_clean(lambda: _detect(lang, texts, signals)))
            times["read parquet"].append(_timed_clean(lambda: read_table(scrubbed, SCRUBBED)))
            if full:
                times["doc from bytes"].append(_doc_from_bytes(nlp, texts, cfg.batch_size))
                cache = tmp / f"cache{i}"
                times["stage_cache_cold"].append(_timed_clean(stage_run(cfg, tmp, cache_dir=cache)))
                times["stage_cache_warm"].append(_timed_clean(stage_run(cfg, tmp, cache_dir=cache)))
        cli = _nlp_cli(ws, tmp, scrubbed, backend, log)
    best = {k: min(v) for k, v in times.items()}
    raw = best["raw_pipe_1"]
    startup = best["load backend"] + best["fit language detector"]
    parts = {
        "load backend": best["load backend"],
        "fit language detector": best["fit language detector"],
        "read parquet": best["read parquet"],
        **({"token extraction (annotate - pipe)": best["annotate"] - raw} if full else {}),
        "language detection": best["language"],
    }
    parts["rest (frame, write, metrics)"] = best["stage_run"] - raw - sum(parts.values())
    result = {
        "installed": True,
        "label": label,
        "passages": len(texts),
        "batch_size": cfg.batch_size,
        "n_process_in_params": params["nlp"]["n_process"],
        "repeats": repeats,
        "times_s": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "best_s": {k: round(v, 3) for k, v in best.items()},
        "startup_s": round(startup, 3),
        "cli_wall_s": round(cli.wall_s, 3),
        "cli_cpu_s": round(cli.cpu_s, 3),
        "stage_vs_raw": round(best["stage_run"] / raw, 3),
        "stage_vs_raw_without_startup": round((best["stage_run"] - startup) / raw, 3),
        "cli_vs_raw": round(cli.wall_s / raw, 3),
        "n_process_2_speedup": round(raw / best["raw_pipe_2"], 3),
        "n_process_2": {"raw_speedup": round(raw / best["raw_pipe_2"], 3)},
        # Where the stage's time beyond raw nlp.pipe goes, in seconds (best of the repeats).
        "overhead_s": {k: round(v, 3) for k, v in parts.items()},
        # What the stage found: entities and sentences weigh on its per-Doc work.
        "stage_metrics": {k: stage_metrics.get(k) for k in ("passages", "tokens", "sentences", "entities", "ner")},
    }
    if full:
        result["n_process_2"].update({
            "stage_speedup": round(best["stage_run"] / best["stage_run_2"], 3),
            # With n_process=2 every Doc comes back as bytes and is rebuilt in the main process.
            "doc_from_bytes_vs_raw": round(best["doc from bytes"] / raw, 3),
        })
        result["cache"] = {"cold_vs_raw": round(best["stage_cache_cold"] / raw, 3),
                           "warm_vs_raw": round(best["stage_cache_warm"] / raw, 3)}
    return result


def _timed_clean(fn: Callable[[], Any]) -> float:
    """`_timed` after a full garbage collection, so no variant pays for the garbage of the one before."""
    import gc

    gc.collect()
    return _timed(fn)


def _annotate(stage, texts: list[str], nlp, cfg, label: str, stop_words: set[str]):
    """Token extraction without language detection, for this and older stage code."""
    if "label" in inspect.signature(stage.annotate).parameters:
        return stage.annotate(texts, nlp, cfg, label, stop_words)
    return stage.annotate(texts, nlp, cfg, stop_words)


def _language_signals(nlp, texts: list[str], batch_size: int) -> dict[str, list] | None:
    """Letters and `clearly_dutch` per text, which the stage reads off its tokens; None for older code.

    Only the tokenizer runs: no component of these pipelines changes the tokens.
    """
    try:
        from pipeline.language import clearly_dutch
    except ImportError:
        return None
    return {"letters": [sum(map(str.isalpha, t)) for t in texts],
            "dutch": [clearly_dutch(t.text for t in doc) for doc in nlp.tokenizer.pipe(texts, batch_size=batch_size)]}


def _detect(detector, texts: list[str], signals: dict[str, list] | None) -> list[str]:
    """Language detection as the stage does it: batches and the Dutch shortcut, or one by one in older code."""
    if signals is None:
        return [detector.detect(t) for t in texts]
    return detector.detect_many(texts, signals["letters"], signals["dutch"])


def _doc_from_bytes(nlp, texts: list[str], batch_size: int, sample: int = 10_000) -> float:
    """Seconds to rebuild every Doc from bytes, which `nlp.pipe(n_process=2)` does in the main process.

    Measured on every k-th text (about `sample` of them) and scaled to all of them: the
    bytes of 100k Docs take a few hundred MB.
    """
    from spacy.tokens import Doc

    part = texts[::max(1, len(texts) // sample)]
    data = [doc.to_bytes() for doc in nlp.pipe(part, batch_size=batch_size)]  # done by the workers
    t0 = time.perf_counter()
    for b in data:
        Doc(nlp.vocab).from_bytes(b)
    return (time.perf_counter() - t0) * len(texts) / max(len(part), 1)


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
