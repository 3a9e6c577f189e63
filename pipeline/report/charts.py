"""The report's charts, each a function from its table to a matplotlib figure.

Labels are Dutch, numbers written with `pipeline.dutch`; the caller saves the figure
with `ChartWriter` (pipeline.report.figures), under the rc settings of `ChartWriter.rc`.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from pipeline.codebook import Code
from pipeline.dutch import number, pct
from pipeline.report.config import Reference
from pipeline.report.figures import GRID, INK, MUTED, PALETTE, REFERENCE_COLOUR, figure
from pipeline.report.tables import DOCUMENTS, NO_TOPIC, and_documents
from pipeline.report.text import distinct_labels, shorten


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _tick(value: float, suffix: str = "") -> str:
    """A Dutch tick label: no decimals when whole, else one, with a decimal comma."""
    return number(value, 0 if abs(value - round(value)) < 1e-9 else 1) + suffix


def _share_axis(ax) -> None:
    """The x axis of a bar chart of shares: Dutch percentages, light grid lines behind the bars."""
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v * 100, "%")))
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def chart_quadrant(orient: list[Code], axes: dict[str, list[str]], dist: pd.DataFrame, series: list[tuple[str, str]],
                   reference: Reference, colours: dict[str, str]):
    """The article's two-by-two figure with our share per wave (and in the documents) and the article's share."""
    from matplotlib.patches import Rectangle

    levels, foci = axes["niveau"], axes["focus"]
    fig = figure(8.2, 5.8)
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
             + and_documents(series) + ".\n"
             f"{reference.label}: ander meetinstrument (activiteiten die respondenten ondernemen), ter vergelijking.",
             fontsize=8, color=MUTED, ha="left", va="bottom")
    return fig


def chart_orientations(prev: pd.DataFrame, dist: pd.DataFrame, orient: list[Code], series: list[tuple[str, str]],
                       reference: Reference, colours: dict[str, str]):
    """Two panels: share of answers (paragraphs) with each orientation (with CI), and the distribution."""
    n_series = len(series) + 1
    labels = {k: shorten(lbl, 28) for k, lbl in series}  # legend entries; a wave label can be a file name
    waves = [k for k, _ in series]
    fig = figure(8.6, 0.5 + 0.42 * len(orient) * n_series / 2 + 0.8)
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
        _share_axis(ax)
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


def _heatmap_frame(ax, codes: list[Code], rows: list[str], title: str) -> None:
    """Codes above the columns, `rows` beside the rows, no frame, and the title."""
    _code_columns(ax, codes)
    ax.set_yticks(range(len(rows)), rows)
    for s in ax.spines.values():
        s.set_visible(False)
    ax.set_title(title)


def chart_heatmap(prev: pd.DataFrame, codes: list[Code], classes: list[str], min_n: int, title: str):
    """Groups (rows) x codes (columns): share of answers with the code."""
    fig = figure(2.2 + 1.45 * len(codes), 0.6 + _slanted_room(codes) + 0.34 * len(classes))
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
            ax.text(j, i, pct(v), ha="center", va="center", fontsize=8.5,
                    color="white" if (not math.isnan(v) and v > vmax * 0.6) else (MUTED if small else INK),
                    style="italic" if small else "normal")
    _heatmap_frame(ax, codes, [f"{shorten(g, 40)} (n={n})" for g, n in zip(classes, ns)], title)
    fig.tight_layout()
    return fig


def chart_themes(prev: pd.DataFrame, themes: list[Code], series: list[tuple[str, str]], colours: dict[str, str]):
    n = max(1, len(series))
    fig = figure(7.6, 0.7 + 0.34 * len(themes) * n + 0.3)
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
    _share_axis(ax)
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
    fig = figure(7.6, 0.9 + 0.36 * len(comp))
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
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    fig.tight_layout()
    return fig


def chart_topics(corpus: dict[str, Any], colours: dict[str, str], top: int = 12):
    topics = [t for t in corpus["topics"] if t["topic"] != NO_TOPIC][:top]
    series = corpus["waves"] or ["alle"]
    n = len(series)
    fig = figure(7.6, 0.8 + 0.3 * max(1, len(topics)) * n + 0.3)
    ax = fig.add_subplot()
    height = 0.8 / n
    ypos = np.arange(len(topics))[::-1]
    for i, w in enumerate(series):
        offs = (n - 1) / 2 * height - i * height
        vals = [t["waves"].get(w, math.nan) if corpus["waves"] else t["share"] for t in topics]
        ax.barh(ypos + offs, vals, height=height * 0.9, color=colours.get(w, PALETTE[0]),
                label=f"golf {w}" if corpus["waves"] else None)
    ax.set_yticks(ypos, [_wrap(f"{t['topic']}: {t['label']}", 36) for t in topics])
    _share_axis(ax)
    ax.set_title(f"Onderwerpen in {corpus['name']}: aandeel van de passages")
    if corpus["waves"]:
        ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def chart_documents(docs: list[dict[str, Any]], codes: list[Code]):
    fig = figure(1.9 + 1.1 * len(codes) + 2.2, 0.5 + _slanted_room(codes) + 0.34 * len(docs))
    ax = fig.add_subplot()
    data = np.array([[d["code_counts"][c.id] for c in codes] for d in docs], dtype=float)
    ax.imshow(data, cmap="Blues", vmin=0, vmax=max(1.0, float(data.max()) * 1.15), aspect="auto")
    for i in range(len(docs)):
        for j in range(len(codes)):
            v = int(data[i, j])
            ax.text(j, i, str(v) if v else "·", ha="center", va="center", fontsize=8.5,
                    color="white" if v > data.max() * 0.6 and v else (INK if v else MUTED))
    _heatmap_frame(ax, codes, [d["label"] for d in docs], "Alinea's per code en document")
    fig.tight_layout()
    return fig
