"""Charts as files and inline SVG: matplotlib figures written the same way every run.

Same input, same bytes: a fixed SVG hash salt, no dates in SVG or PNG, and element ids
made unique per chart so that many charts can be inlined in one page. The colours and
the rc settings here are shared by all charts (`pipeline.report.charts`).
"""

from __future__ import annotations

import html
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from pipeline.files import atomic_path, write_text

# Okabe-Ito: distinguishable with colour-blindness and in grey print.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C6D1F", "#000000"]
REFERENCE_COLOUR = "#8a8f98"
#: The colour of the coded document paragraphs, shown next to the survey waves.
DOCUMENT_COLOUR = "#E69F00"
INK = "#1d2330"
MUTED = "#5b6372"
#: Grid lines behind the bars and dots.
GRID = "#e6e9ef"


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
        return Chart(name, title, _inline_svg(svg, name, title), href(png_path, self.out_html),
                     href(svg_path, self.out_html))


def href(target: Path, page: Path) -> str:
    """A link from the page to a file next to it: relative, so the folder can move as a whole."""
    return Path(os.path.relpath(target, Path(page).parent)).as_posix()


def figure(width: float, height: float):
    """An empty white figure of `width` x `height` inches, outside pyplot's global state."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), facecolor="white")


def wave_colours(waves: Sequence[str]) -> dict[str, str]:
    """Older waves lighter, the newest darkest (blue)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["Blues"]
    n = len(waves)
    return {w: to_hex(cmap(0.45 + 0.45 * (i / max(1, n - 1)) if n > 1 else 0.8)) for i, w in enumerate(waves)}
