"""Benchmark results: targets, the tables the README quotes, Markdown and the scaling plot.

Everything here reads the results dict that `benchmarks/run.py` builds (and writes to
`results.json`); nothing measures. Tables are in Dutch, like the README; numbers use a
decimal comma.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The corpus size the targets on the NLP stage, classification, topics and new waves refer to.
TARGET_SIZE = 10_000
#: The corpus size the scale targets refer to.
SCALE_SIZE = 100_000


@dataclass(frozen=True)
class Target:
    """One target from the issue: `value` must be at most (or, with `minimum`, at least) `limit`."""

    key: str
    label: str
    limit: float
    unit: str
    minimum: bool = False
    digits: int = 2  # decimals when shown

    def judge(self, value: float | None) -> tuple[str, str]:
        """('gehaald' | 'mist' | '—', how far off) for a measured value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—", ""
        ok = value >= self.limit if self.minimum else value <= self.limit
        if ok:
            return "gehaald", ""
        if self.minimum:
            return "mist", f"{nl(100 * (1 - value / self.limit), 0)} % onder het doel"
        if self.unit == "%":
            return "mist", f"{nl(value - self.limit, 0)} procentpunt boven het doel"
        return "mist", f"{nl(value / self.limit, 2)}× het doel (+{nl(100 * (value / self.limit - 1), 0)} %)"


TARGETS = (
    Target("nlp_stage_vs_raw", "NLP-stage t.o.v. kale `nlp.pipe` (fallback, 10k)", 1.10, "×"),
    Target("nlp_model_vs_raw", "NLP-stage t.o.v. kale `nlp.pipe` (nl_core_news_sm, 10k)", 1.10, "×"),
    Target("incremental_share", "Nieuwe golf van 10 % t.o.v. volledige run, alle stages (10k)", 25.0, "%",
           digits=0),
    Target("incremental_share_corpus", "Nieuwe golf van 10 % t.o.v. volledige run zonder train/evaluate (10k)",
           25.0, "%", digits=0),
    Target("scale_wall_min", "Hele pipeline op 100k: tijd", 30.0, "min", digits=1),
    Target("scale_peak_gb", "Hele pipeline op 100k: piekgeheugen", 4.0, "GB"),
    Target("classify_rate", "Classificatie (`code_passages`, zonder bewijs), 10k", 5000.0, "passages/s", True, 0),
    Target("classify_rate_evidence", "Classificatie (`code_passages`, met bewijs), 10k", 5000.0, "passages/s", True,
           0),
    Target("topics_min", "Onderwerpen op 10k passages", 5.0, "min", digits=1),
)


TARGET_COLUMNS = ["meting", "doel", "gemeten", "oordeel", "afwijking"]


def nl(value: float | None, digits: int = 1) -> str:
    """A number the Dutch way: decimal comma, thin grouping of thousands with a dot."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def write(results: dict, out: Path) -> None:
    """results.md and scaling.png in `out`."""
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    plot_scaling(results, out / "scaling.png")


# ------------------------------------------------------------------ derived values


def corpus_stages(size_result: dict) -> dict[str, dict]:
    """Stages of one scale run that depend on the corpus (not train/evaluate)."""
    return {k: v for k, v in size_result["stages"].items() if not v.get("model_stage")}


def scale_fit(results: dict) -> dict[str, Any]:
    """Least-squares slope of log(time) on log(size), over all sizes and between the two largest."""
    points = sorted((int(size), r["totals"]["corpus_wall_s"]) for size, r in results.get("scale", {}).items()
                    if r.get("complete"))
    if len(points) < 2:
        return {}
    xs = [math.log10(s) for s, _ in points]
    ys = [math.log10(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    last = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
    predicted = 10 ** (my + slope * (math.log10(SCALE_SIZE) - mx))
    return {"slope": round(slope, 3), "slope_last_two": round(last, 3), "sizes": [s for s, _ in points],
            "predicted_corpus_wall_s_at_100k": round(predicted, 1)}


def stage_fits(results: dict) -> dict[str, dict[str, float]]:
    """Per corpus stage, time = fixed + per_1000 · passages/1000, least squares over the sizes.

    The fixed part is what a stage pays whatever the corpus (interpreter, imports, loading
    deduce or spaCy); it is why small corpora look flat in the log-log plot.
    """
    scale = {s: r for s, r in results.get("scale", {}).items() if r.get("complete")}
    if len(scale) < 2:
        return {}
    fits = {}
    for stage in corpus_stages(next(iter(scale.values()))):
        pts = [(r["passages"] / 1000, r["stages"][stage]["wall_s"]) for r in scale.values()]
        mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
        b = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
        fits[stage] = {"fixed_s": round(my - b * mx, 2), "per_1000_s": round(b, 3)}
    return fits


def measured_values(results: dict) -> dict[str, float | None]:
    """The value for each target (None: not measured in this run)."""
    values: dict[str, float | None] = {t.key: None for t in TARGETS}
    backends = results.get("nlp_overhead", {}).get("backends", {})
    if backends.get("fallback", {}).get("installed"):
        values["nlp_stage_vs_raw"] = backends["fallback"]["stage_vs_raw"]
    # The trained model only: the untrained proxy of it has its own, informative row.
    model = next((v for k, v in backends.items() if k != "fallback" and not v.get("proxy")), {})
    if model.get("installed"):
        values["nlp_model_vs_raw"] = model["stage_vs_raw"]
    if "incremental" in results:
        values["incremental_share"] = results["incremental"]["share_pct"]
        values["incremental_share_corpus"] = results["incremental"]["share_corpus_pct"]
    big = results.get("scale", {}).get(str(SCALE_SIZE))
    if big and big.get("complete"):
        values["scale_wall_min"] = big["totals"]["wall_s"] / 60
        values["scale_peak_gb"] = big["totals"]["peak_mb"] / 1024
    if "classify" in results:
        values["classify_rate"] = results["classify"]["without_evidence"]["passages_per_s"]
        values["classify_rate_evidence"] = results["classify"]["with_evidence"]["passages_per_s"]
    if "topics" in results:
        values["topics_min"] = results["topics"]["wall_s"] / 60
    return values


def _with_unit(number: str, unit: str) -> str:
    return f"{number}{unit}" if unit == "×" else f"{number} {unit}"


def _not_measured(key: str, results: dict) -> str:
    if key == "nlp_model_vs_raw":
        proxy = _proxy(results.get("nlp_overhead", {}))
        return "niet gemeten: nl_core_news_sm niet geïnstalleerd" + (
            " (schatting met een ongetrainde pijplijn van dezelfde bouw: zie Overige metingen)"
            if proxy.get("installed") else "")
    if key.startswith("scale_"):
        big = results.get("scale", {}).get(str(SCALE_SIZE))
        if big and not big.get("complete"):
            return f"niet gemeten: 100k-run onvolledig ({big.get('error', 'afgebroken')})"
        fits = stage_fits(results)
        if key == "scale_wall_min" and fits:
            seconds = sum(v["fixed_s"] + SCALE_SIZE / 1000 * v["per_1000_s"] for v in fits.values())
            return f"niet gemeten (vast + lineair geëxtrapoleerd: ± {nl(seconds / 60, 0)} min zonder train/evaluate)"
        return "niet gemeten (100k niet gedraaid)"
    return "niet gemeten"


def target_rows(results: dict) -> list[dict[str, str]]:
    values = measured_values(results)
    rows = []
    for t in TARGETS:
        value = values[t.key]
        verdict, off = t.judge(value)
        shown = _not_measured(t.key, results) if value is None else _with_unit(nl(value, t.digits), t.unit)
        limit = f"{'≥' if t.minimum else '≤'} {_with_unit(nl(t.limit, 2 if t.unit == '×' else 0), t.unit)}"
        rows.append({"meting": t.label, "doel": limit, "gemeten": shown, "oordeel": verdict, "afwijking": off})
    return rows


def _proxy(overhead: dict) -> dict:
    """The untrained pipeline with nl_core_news_sm's architecture in an `nlp_overhead` result, or {}."""
    return next((v for v in overhead.get("backends", {}).values() if v.get("proxy")), {})


def info_rows(results: dict) -> list[dict[str, str]]:
    """Measurements without a target."""
    rows = []
    fallback = results.get("nlp_overhead", {}).get("backends", {}).get("fallback", {})
    if fallback.get("installed"):
        rows.append({"meting": "NLP-stage zonder opstartkosten (laden, taaldetector) t.o.v. kale `nlp.pipe` "
                               "(fallback, 10k)",
                     "gemeten": f"{nl(fallback['stage_vs_raw_without_startup'], 2)}×"})
        rows.append({"meting": "`samenspel nlp` van begin tot eind t.o.v. kale `nlp.pipe` (fallback)",
                     "gemeten": f"{nl(fallback['cli_vs_raw'], 1)}×"})
        rows.append({"meting": "Kale `nlp.pipe`: versnelling `n_process=2` t.o.v. 1 (fallback)",
                     "gemeten": f"{nl(fallback['n_process_2_speedup'], 2)}×"})
    proxy = _proxy(results.get("nlp_overhead", {}))
    if proxy.get("installed"):
        # An estimate for the trained model, not a measurement of it: never judged against its target.
        rows.append({"meting": "NLP-stage t.o.v. kale `nlp.pipe` (ongetrainde pijplijn met de architectuur van "
                               "nl_core_news_sm, 10k; schatting, geen meting van het model)",
                     "gemeten": f"{nl(proxy['stage_vs_raw'], 2)}× (zonder opstartkosten "
                                f"{nl(proxy['stage_vs_raw_without_startup'], 2)}×)"})
        rows.append({"meting": "Kale `nlp.pipe`: versnelling `n_process=2` t.o.v. 1 (idem)",
                     "gemeten": f"{nl(proxy['n_process_2_speedup'], 2)}×"})
    large = results.get("nlp_overhead_large", {})
    big_fallback = large.get("backends", {}).get("fallback", {})
    if big_fallback.get("installed"):
        n = nl(large.get("passages", SCALE_SIZE), 0)
        rows.append({"meting": f"NLP-stage t.o.v. kale `nlp.pipe` (fallback, {n} passages)",
                     "gemeten": f"{nl(big_fallback['stage_vs_raw'], 2)}× (zonder opstartkosten "
                                f"{nl(big_fallback['stage_vs_raw_without_startup'], 2)}×)"})
    fit = scale_fit(results)
    if fit:
        sizes = ", ".join(nl(s, 0) for s in fit["sizes"])
        rows.append({"meting": f"Groei van de tijd met de omvang (helling log-log, {sizes} passages)",
                     "gemeten": f"{nl(fit['slope'], 2)} (tussen de twee grootste: {nl(fit['slope_last_two'], 2)})"})
    return rows


# ------------------------------------------------------------------ tables


def markdown_table(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    columns = columns or list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def stage_rows(results: dict) -> list[dict[str, str]]:
    """Per stage and size: wall time, CPU time and peak memory."""
    scale = results.get("scale", {})
    sizes = sorted(scale, key=int)
    stages: list[str] = []
    for size in sizes:
        stages += [s for s in scale[size]["stages"] if s not in stages]
    rows = []
    for stage in stages + ["totaal"]:
        row = {"stage": stage}
        for size in sizes:
            if stage == "totaal":
                m = scale[size].get("totals")
            else:
                m = scale[size].get("stages", {}).get(stage)
            if m is None:
                cell = "—"
            elif m.get("reused_from"):
                cell = f"hergebruikt ({m['reused_from']})"
            else:
                cell = f"{nl(m['wall_s'])} s / {nl(m['cpu_s'])} s / {nl(m['peak_mb'], 0)} MB"
            row[nl(int(size), 0)] = cell
        rows.append(row)
    for key, label in (("commit_s", "`dvc commit`"), ("noop_repro_s", "2e `dvc repro` (niets te doen)")):
        rows.append({"stage": label, **{nl(int(size), 0): f"{nl(scale[size]['dvc'][key])} s" if "dvc" in scale[size]
                                        else "—" for size in sizes}})
    return rows


def _count(value: Any) -> str:
    return nl(value, 0) if isinstance(value, (int, float)) else str(value)


def incremental_rows(results: dict) -> list[dict[str, str]]:
    inc = results["incremental"]
    rows = []
    for stage, s in inc["stages"].items():
        rows.append({"stage": stage, "volledige run": f"{nl(s['full_wall_s'])} s" if s.get("full_wall_s") else "—",
                     "nieuwe golf": f"{nl(s['wall_s'])} s" if s["ran"] else "overgeslagen",
                     "herberekend": _count(s["recomputed"]), "hergebruikt": _count(s["reused"]), "bron": s["source"]})
    return rows


def fit_rows(results: dict) -> list[dict[str, str]]:
    fits = stage_fits(results)
    rows = [{"stage": k, "vast (s)": nl(v["fixed_s"]), "per 1.000 passages (s)": nl(v["per_1000_s"], 2),
             "100k voorspeld (s)": nl(v["fixed_s"] + 100 * v["per_1000_s"], 0)} for k, v in fits.items()]
    if rows:
        rows.append({"stage": "totaal", "vast (s)": nl(sum(v["fixed_s"] for v in fits.values())),
                     "per 1.000 passages (s)": nl(sum(v["per_1000_s"] for v in fits.values()), 2),
                     "100k voorspeld (s)": nl(sum(v["fixed_s"] + 100 * v["per_1000_s"] for v in fits.values()), 0)})
    return rows


def classify_rows(results: dict) -> list[dict[str, str]]:
    c = results["classify"]
    rows = [{"onderdeel": "`code_passages` zonder bewijs", "seconden": nl(c["without_evidence"]["best_s"], 2),
             "passages/s": nl(c["without_evidence"]["passages_per_s"], 0)},
            {"onderdeel": "`code_passages` met bewijs", "seconden": nl(c["with_evidence"]["best_s"], 2),
             "passages/s": nl(c["with_evidence"]["passages_per_s"], 0)}]
    for part, seconds in c.get("parts_s", {}).items():
        rows.append({"onderdeel": f"  {part}", "seconden": nl(seconds, 2),
                     "passages/s": nl(c["coded"] / seconds, 0) if seconds > 0 else "—"})
    return rows


def nlp_rows(results: dict) -> list[dict[str, str]]:
    rows = []
    for backend, r in results.get("nlp_overhead", {}).get("backends", {}).items():
        backend = r.get("display", backend)
        if not r.get("installed"):
            rows.append({"backend": backend, "onderdeel": r["note"], "seconden": "", "× kale pipe": ""})
            continue
        raw = r["best_s"]["raw_pipe_1"]
        rows.append({"backend": backend, "onderdeel": "kale `nlp.pipe` (n_process=1)", "seconden": nl(raw, 2),
                     "× kale pipe": "1,00"})
        for part, seconds in r["overhead_s"].items():
            rows.append({"backend": "", "onderdeel": f"+ {part}", "seconden": nl(seconds, 2),
                         "× kale pipe": nl(seconds / raw, 2)})
        rows.append({"backend": "", "onderdeel": "= `pipeline.nlp.run`", "seconden": nl(r["best_s"]["stage_run"], 2),
                     "× kale pipe": nl(r["stage_vs_raw"], 2)})
        rows.append({"backend": "", "onderdeel": "`samenspel nlp` (nieuw proces)", "seconden": nl(r["cli_wall_s"], 2),
                     "× kale pipe": nl(r["cli_vs_raw"], 2)})
        rows.append({"backend": "", "onderdeel": "kale `nlp.pipe` (n_process=2)",
                     "seconden": nl(r["best_s"]["raw_pipe_2"], 2),
                     "× kale pipe": nl(r["best_s"]["raw_pipe_2"] / raw, 2)})
    return rows


def machine_line(results: dict) -> str:
    m = results["machine"]
    lib = m["libraries"]
    return (f"{m['cpu_model']}, {m['nproc']} kernen, {nl(m['memory_gb'], 0)} GB; Python {m['python']}, "
            f"spaCy {lib.get('spacy')}, scikit-learn {lib.get('scikit-learn')}, BERTopic {lib.get('bertopic')}, "
            f"DVC {lib.get('dvc')}; {m['date'][:10]}; belasting bij start {m['load_average_start'][0]}"
            + (f", aan het eind {m['load_average_end'][0]}" if "load_average_end" in m else ""))


def markdown(results: dict) -> str:
    """The whole report as Markdown (benchmarks/results.md)."""
    parts = ["# samenspel: benchmarks", "", f"Gemeten op: {machine_line(results)}.", "",
             "## Doelen", "", markdown_table(target_rows(results), TARGET_COLUMNS)]
    info = info_rows(results)
    if info:
        parts += ["", "## Overige metingen", "", markdown_table(info)]
    if results.get("scale"):
        parts += ["", "## Per stage (wand / CPU / piekgeheugen)", "", markdown_table(stage_rows(results))]
        if fit_rows(results):
            parts += ["", "## Vaste en variabele kosten per stage (kleinste kwadraten over de omvangen)", "",
                      markdown_table(fit_rows(results))]
    if "incremental" in results:
        inc = results["incremental"]
        parts += ["", f"## Nieuwe golf ({inc['new_passages']} passages bij {inc['passages_before']})", "",
                  f"Volledige run {nl(inc['full_wall_s'])} s, `dvc repro` na de nieuwe golf {nl(inc['wall_s'])} s "
                  f"({nl(inc['share_pct'], 0)} %). Cache: {inc['cache']}.", "",
                  markdown_table(incremental_rows(results))]
    if "classify" in results:
        parts += ["", f"## Classificatie ({nl(results['classify']['coded'], 0)} gecodeerde passages, "
                  "beste van de herhalingen)", "", markdown_table(classify_rows(results))]
    if results.get("nlp_overhead"):
        parts += ["", "## Waar de tijd van de NLP-stage heen gaat (10k passages, beste van de herhalingen)", "",
                  markdown_table(nlp_rows(results))]
        proxy = _proxy(results["nlp_overhead"])
        if proxy.get("installed"):
            parts += ["", f"{proxy['display']}: {proxy['note']}."]
    if results.get("warnings"):
        parts += ["", "## Kanttekeningen", ""] + [f"- {w}" for w in results["warnings"]]
    return "\n".join(parts) + "\n"


def summary(results: dict) -> str:
    """The tables for the terminal."""
    parts = [plain_table(target_rows(results), TARGET_COLUMNS)]
    if info_rows(results):
        parts.append(plain_table(info_rows(results)))
    if results.get("scale"):
        parts.append("Per stage (wand / CPU / piekgeheugen):\n" + plain_table(stage_rows(results)))
    if fit_rows(results):
        parts.append("Vaste en variabele kosten per stage:\n" + plain_table(fit_rows(results)))
    if "incremental" in results:
        parts.append("Nieuwe golf:\n" + plain_table(incremental_rows(results)))
    if "classify" in results:
        parts.append("Classificatie:\n" + plain_table(classify_rows(results)))
    if results.get("nlp_overhead"):
        parts.append("NLP-stage tegenover kale nlp.pipe:\n" + plain_table(nlp_rows(results)))
    parts += [f"let op: {w}" for w in results.get("warnings", [])]
    return "\n\n".join(parts)


def plain_table(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    """Rows as an aligned text table for the terminal."""
    columns = columns or list(rows[0])
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(columns, widths)) for r in rows]
    return "\n".join(out)


# ------------------------------------------------------------------ plot


def plot_scaling(results: dict, path: Path) -> Path | None:
    """Wall time against corpus size, log-log, per stage and in total, with a slope-1 guide."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scale = results.get("scale", {})
    sizes = sorted((int(s) for s in scale if scale[s].get("complete")))
    if len(sizes) < 2:
        return None
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(8.5, 5), dpi=120)
    totals = [scale[str(s)]["totals"]["corpus_wall_s"] for s in sizes]
    ax.plot(sizes, totals, "o-", color="black", linewidth=2, label="totaal (zonder train/evaluate)")
    for stage in corpus_stages(scale[str(sizes[-1])]):
        ys = [scale[str(s)]["stages"][stage]["wall_s"] for s in sizes]
        ax.plot(sizes, ys, ".--", linewidth=1, label=stage)
    guide = [totals[0] * s / sizes[0] for s in sizes]
    ax.plot(sizes, guide, ":", color="grey", label="evenredig (helling 1)")
    fits = stage_fits(results)
    fixed = sum(v["fixed_s"] for v in fits.values())
    per_passage = sum(v["per_1000_s"] for v in fits.values()) / 1000
    xs = [sizes[0] * (sizes[-1] / sizes[0]) ** (i / 50) for i in range(51)]
    ax.plot(xs, [fixed + per_passage * x for x in xs], "-", color="grey", linewidth=1,
            label=f"vast {nl(fixed, 0)} s + {nl(per_passage * 1000, 1)} s per 1.000")
    fit = scale_fit(results)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages")
    ax.set_ylabel("wandtijd (s)")
    ax.set_title(f"samenspel: tijd tegen omvang (helling {nl(fit['slope'], 2)})")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: nl(x, 0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: nl(y, 0) if y >= 1 else nl(y, 1)))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> None:
    """Re-render results.md and scaling.png from a results.json, and print the tables."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m benchmarks.results", description=main.__doc__)
    parser.add_argument("json", type=Path, nargs="?", default=Path(__file__).parent / "results.json")
    args = parser.parse_args(argv)
    results = json.loads(args.json.read_text(encoding="utf-8"))
    write(results, args.json.parent)
    print(summary(results))


if __name__ == "__main__":
    main()
