"""The dashboard's main charts of a 2026-generation version (InferenceX), drawn with
matplotlib (Agg) as PNG and SVG into the version's ``charts/``, with an ``index.html``.

Per model x sequence (``1k/1k``, ``8k/1k``, ``1k/8k``, ``agentic-traces``), two views at one
latency percentile (``median`` by default; ``mean``, ``p90``, ``p99``, ``p99.9``):

* ``throughput-vs-interactivity``: ``tput_per_gpu`` against ``<p>_intvty`` (tok/s/user);
* ``throughput-vs-e2e-latency``: ``tput_per_gpu`` against ``<p>_e2el`` (s).

One colour per hardware, one marker per precision, and a Pareto frontier per hardware and
framework (line style per framework): the points no other point of that pair beats on both
axes (higher throughput and higher interactivity; higher throughput and lower latency). A
row without the view's x metric (older runs lack ``p90_*`` and friends) is not drawn.
In the SVG every frontier has ``gid="pareto:<hardware>:<framework>"`` and every group of
points ``gid="points:<hardware>:<precision>"``, so a test or a script can count them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.products.charts import _colour, _gallery, _hw_order, _marker, slug
from benchcrawl.products.inferencex_trend import sequence_label

__all__ = ["PERCENTILES", "VIEWS", "draw_version_charts", "pareto"]

PERCENTILES = ("median", "mean", "p90", "p99", "p99.9")
_STYLES: tuple[Any, ...] = (
    "-",
    "--",
    ":",
    "-.",
    (0, (5, 1, 1, 1)),
    (0, (9, 3)),
    (0, (3, 1, 1, 1, 1, 1)),
)


@dataclass(frozen=True)
class View:
    title: str
    x: str  # metric suffix: "intvty" or "e2el"
    xlabel: str
    higher_x_better: bool


VIEWS: dict[str, View] = {
    "throughput-vs-interactivity": View(
        "Token throughput per GPU vs. interactivity", "intvty", "Interactivity (tok/s/user)", True
    ),
    "throughput-vs-e2e-latency": View(
        "Token throughput per GPU vs. end-to-end latency", "e2el", "End-to-end latency (s)", False
    ),
}
Y = "tput_per_gpu"


def pareto(x: np.ndarray, y: np.ndarray, higher_x_better: bool) -> np.ndarray:
    """Indexes of the frontier points, in x order: no other point has a better-or-equal x
    and a strictly higher y."""
    order = np.lexsort((-y, -x if higher_x_better else x))
    best = -np.inf
    keep = []
    for i in order:
        if y[i] > best:
            keep.append(i)
            best = y[i]
    return np.array(sorted(keep, key=lambda i: x[i]), dtype="int64")


def _draw(fig: Any, data: pd.DataFrame, view: View, xcol: str, hws, precisions, frameworks):
    from matplotlib.lines import Line2D

    ax = fig.subplots()
    for hw in hws:
        series = data[data["hardware"] == hw]
        if series.empty:
            continue
        colour = _colour(hw, hws)
        for precision, points in series.groupby("precision", sort=True):
            ax.scatter(
                points[xcol],
                points[Y],
                s=22,
                marker=_marker(str(precision), precisions),
                color=colour,
                alpha=0.55,
                linewidths=0,
                gid=f"points:{hw}:{precision}",
            )
        for fw, points in series.groupby("framework", sort=True):
            x = points[xcol].to_numpy("float64")
            y = points[Y].to_numpy("float64")
            front = pareto(x, y, view.higher_x_better)
            ax.plot(
                x[front],
                y[front],
                color=colour,
                linewidth=1.6,
                linestyle=_STYLES[frameworks.index(fw) % len(_STYLES)],
                marker="o" if len(front) == 1 else None,  # a one-point frontier stays visible
                markerfacecolor="none",
                gid=f"pareto:{hw}:{fw}",
            )
    ax.set_xlabel(view.xlabel)
    ax.set_ylabel("Token throughput per GPU (tok/s/gpu)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    present_hw = [h for h in hws if (data["hardware"] == h).any()]
    handles = [Line2D([], [], color=_colour(h, hws), linewidth=2, label=h) for h in present_hw]
    handles += [
        Line2D([], [], color="#555555", marker=_marker(p, precisions), linestyle="", label=p)
        for p in precisions
        if (data["precision"] == p).any()
    ]
    handles += [
        Line2D(
            [], [], color="#555555", linestyle=_STYLES[frameworks.index(f) % len(_STYLES)], label=f
        )
        for f in frameworks
        if (data["framework"] == f).any()
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=7,
        title="hardware · precision · framework\n(lines: Pareto frontier)",
        title_fontsize=7,
    )


def draw_version_charts(
    table: pd.DataFrame, out_dir: Path, title: str = "", percentile: str = "median"
) -> list[Path]:
    """Draw both views of every model x sequence of a results table into *out_dir*;
    returns the files written, ``index.html`` last."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if percentile not in PERCENTILES:
        raise BenchcrawlError(
            f"unknown percentile {percentile!r}; use one of {', '.join(PERCENTILES)}"
        )
    if Y not in table.columns:
        raise BenchcrawlError(f"the table has no {Y} column; nothing to chart")
    out_dir.mkdir(parents=True, exist_ok=True)
    data = table.assign(
        sequence=[sequence_label(i, o) for i, o in zip(table["isl"], table["osl"], strict=True)]
    )
    for c in ("hardware", "precision", "framework"):
        data[c] = data[c].astype(str)
    hws = _hw_order(data["hardware"])
    precisions = sorted(set(data["precision"]))
    frameworks = sorted(set(data["framework"]))
    written: list[Path] = []
    gallery: list[tuple[str, str, list[str]]] = []
    combos = (
        data[["model_name", "sequence"]].drop_duplicates().sort_values(["model_name", "sequence"])
    )
    for model, sequence in combos.itertuples(index=False):
        names = []
        part = data[(data["model_name"] == model) & (data["sequence"] == sequence)]
        for key, view in VIEWS.items():
            xcol = f"{percentile}_{view.x}"
            if xcol not in part.columns:
                continue
            points = part.dropna(subset=[xcol, Y])
            if points.empty:
                continue
            fig = Figure(figsize=(10.0, 5.5), dpi=100)
            FigureCanvasAgg(fig)
            fig.subplots_adjust(left=0.08, right=0.76, bottom=0.11, top=0.9)
            _draw(fig, points, view, xcol, hws, precisions, frameworks)
            fig.suptitle(f"{model} · {sequence.upper()} · {view.title} ({percentile})")
            name = f"{slug(model)}_{slug(sequence)}_{key}"
            for fmt in ("png", "svg"):
                path = out_dir / f"{name}.{fmt}"
                tmp = path.with_name(f".{path.name}.tmp")
                meta = {"Date": None} if fmt == "svg" else {"Software": "benchcrawl (matplotlib)"}
                fig.savefig(tmp, format=fmt, metadata=meta)
                os.replace(tmp, path)
                written.append(path)
            names.append(name)
        if names:
            gallery.append((model, sequence.replace("/", "-"), names))
    index = out_dir / "index.html"
    index.write_text(_gallery(title or out_dir.parent.name, gallery, ("png", "svg")))
    written.append(index)
    return written
