"""The dashboard's charts of one version, drawn with matplotlib (Agg, no screen) as PNG and
SVG into the version's ``charts/``, with an ``index.html`` gallery.

Per model x ISL / OSL, three views (``VIEWS``):

* ``throughput-vs-interactivity``: token throughput per GPU (tok/s/gpu) against
  interactivity (tok/s/user), from the interactivity file;
* ``throughput-vs-e2e-latency``: the same against end-to-end latency (s), from the e2e file;
* ``cost-vs-interactivity``: cost per million tokens under the three ownership bases
  (hyperscaler, neocloud, 3-year rental), one panel each, against interactivity.

One series per hwKey (one colour each, the same in every chart), precision told by the
marker, and each series' Pareto frontier drawn through its ``roof`` points, as the
dashboard does; each view uses its own file's roof flags (the frontiers differ between the
two x axes). Throughput axes are linear, as on the dashboard; cost axes are logarithmic,
because costs span two orders of magnitude and the cheap end (the interesting one) would
otherwise be squashed against zero.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

__all__ = ["FORMATS", "VIEWS", "chart_name", "draw_charts", "slug"]

FORMATS = ("png", "svg")


@dataclass(frozen=True)
class View:
    title: str
    side: str  # the table the view reads: "interactivity" or "e2e"
    xlabel: str
    ylabel: str
    panels: tuple[tuple[str, str], ...]  # (metric, panel title) per panel
    ylog: bool


_THROUGHPUT = "Token throughput per GPU (tok/s/gpu)"
VIEWS: dict[str, View] = {
    "throughput-vs-interactivity": View(
        "Token throughput per GPU vs. interactivity",
        "interactivity",
        "Interactivity (tok/s/user)",
        _THROUGHPUT,
        (("tpPerGpu", ""),),
        False,
    ),
    "throughput-vs-e2e-latency": View(
        "Token throughput per GPU vs. end-to-end latency",
        "e2e",
        "End-to-end latency (s)",
        _THROUGHPUT,
        (("tpPerGpu", ""),),
        False,
    ),
    "cost-vs-interactivity": View(
        "Cost per million tokens vs. interactivity",
        "interactivity",
        "Interactivity (tok/s/user)",
        "Cost per million tokens ($/M tok)",
        (
            ("costh", "Hyperscaler"),
            ("costn", "Neocloud"),
            ("costr", "3-year rental"),
        ),
        True,
    ),
}

# NVIDIA in greens and blues, AMD in reds and oranges; a variant is a shade of its GPU
_COLOURS = {
    "h100": "#7f9f3f",
    "h200": "#2ca02c",
    "h200_trt": "#0f6b3a",
    "b200": "#1f77b4",
    "b200_trt": "#0b3d6b",
    "gb200": "#17becf",
    "gb200_mtp": "#6a3d9a",
    "mi300x": "#ff7f0e",
    "mi325x": "#d62728",
    "mi355x": "#8c1c13",
}
_SPARE = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#9467bd")
_MARKERS = {"fp8": "o", "fp4": "^"}
_SPARE_MARKERS = ("s", "D", "v", "P")


def slug(text: str) -> str:
    """A file-name part: ``gpt-oss 120B`` -> ``gpt-oss-120b``, ``1k-8k`` stays."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "x"


def chart_name(model: str, sequence: str, view: str) -> str:
    return f"{slug(model)}_{slug(sequence)}_{view}"


def _colour(hw: str, order: list[str]) -> str:
    return _COLOURS.get(hw) or _SPARE[order.index(hw) % len(_SPARE)]


def _marker(precision: str, order: list[str]) -> str:
    return _MARKERS.get(precision) or _SPARE_MARKERS[order.index(precision) % 4]


def _hw_order(keys: Iterable[str]) -> list[str]:
    known = list(_COLOURS)
    return sorted(set(keys), key=lambda k: (known.index(k) if k in known else len(known), k))


def _draw(fig: Any, data: pd.DataFrame, view: View, hws: list[str], precisions: list[str]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator

    axes = fig.subplots(1, len(view.panels), squeeze=False)[0]
    for ax, (metric, panel) in zip(axes, view.panels, strict=True):
        for hw in hws:
            series = data[data["hwKey"] == hw]
            if series.empty:
                continue
            colour = _colour(hw, hws)
            for precision, points in series.groupby("precision", sort=True):
                ax.scatter(
                    points["x"],
                    points[f"{metric}_y"],
                    s=22,
                    marker=_marker(str(precision), precisions),
                    color=colour,
                    alpha=0.55,
                    linewidths=0,
                )
            roof = series[series[f"{metric}_roof"]].sort_values("x")
            if len(roof):
                ax.plot(roof["x"], roof[f"{metric}_y"], color=colour, linewidth=1.8, gid=hw)
        ax.set_xlabel(view.xlabel)
        ax.set_ylabel(view.ylabel)
        if panel:
            ax.set_title(panel, fontsize=10)
        if view.ylog:
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:g}"))
            ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        else:
            ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    present = [hw for hw in hws if (data["hwKey"] == hw).any()]
    handles = [Line2D([], [], color=_colour(hw, hws), linewidth=1.8, label=hw) for hw in present]
    handles += [
        Line2D(
            [],
            [],
            color="#555555",
            marker=_marker(p, precisions),
            linestyle="",
            label=p,
        )
        for p in precisions
        if (data["precision"] == p).any()
    ]
    axes[-1].legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=8,
        title="GPU (line: Pareto frontier)",
        title_fontsize=8,
    )


def draw_charts(
    tables: dict[str, pd.DataFrame], out_dir: Path, title: str = "", formats=FORMATS
) -> list[Path]:
    """Draw every view of every model x sequence in ``tables`` (``interactivity`` and
    ``e2e`` side tables) into *out_dir*; returns the files written, ``index.html`` last.
    Files are written under a temporary name and renamed, so a reader never sees half a
    chart."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out_dir.mkdir(parents=True, exist_ok=True)
    inter = tables["interactivity"]
    hws = _hw_order(pd.concat([t["hwKey"] for t in tables.values()]))
    precisions = sorted(set(pd.concat([t["precision"] for t in tables.values()])))
    combos = inter[["model_name", "sequence_length"]].drop_duplicates()
    written: list[Path] = []
    gallery: list[tuple[str, str, list[str]]] = []
    for model, sequence in combos.itertuples(index=False):
        names = []
        for key, view in VIEWS.items():
            side = tables[view.side]
            data = side[(side["model_name"] == model) & (side["sequence_length"] == sequence)]
            single = len(view.panels) == 1
            fig = Figure(figsize=(9.0 if single else 16.0, 5.0), dpi=100)
            FigureCanvasAgg(fig)
            # a fixed layout: constrained layout would double the drawing time
            fig.subplots_adjust(
                left=0.09 if single else 0.05,
                right=0.82 if single else 0.89,
                bottom=0.11,
                top=0.9,
                wspace=0.25,
            )
            _draw(fig, data, view, hws, precisions)
            fig.suptitle(f"{model} · {sequence.upper().replace('-', ' / ')} · {view.title}")
            name = chart_name(model, sequence, key)
            for fmt in formats:
                path = out_dir / f"{name}.{fmt}"
                tmp = path.with_name(f".{path.name}.tmp")
                fig.savefig(tmp, format=fmt, metadata=_metadata(fmt))
                os.replace(tmp, path)
                written.append(path)
            names.append(name)
        gallery.append((model, sequence, names))
    index = out_dir / "index.html"
    index.write_text(_gallery(title or out_dir.parent.name, gallery, formats))
    written.append(index)
    return written


def _metadata(fmt: str) -> dict[str, Any]:
    # no creation date: the same data draws the same bytes
    return {"Date": None} if fmt == "svg" else {"Software": "benchcrawl (matplotlib)"}


def _gallery(title: str, gallery: list[tuple[str, str, list[str]]], formats) -> str:
    template = Template(files("benchcrawl.products").joinpath("gallery.html").read_text())
    image = "png" if "png" in formats else formats[0]
    sections = []
    for model, sequence, names in gallery:
        figures = "\n".join(
            f'    <figure><a href="{html.escape(n)}.{formats[-1]}">'
            f'<img src="{html.escape(n)}.{image}" alt="{html.escape(n)}" loading="lazy"></a>'
            f"<figcaption>{html.escape(n.rsplit('_', 1)[-1])}</figcaption></figure>"
            for n in names
        )
        heading = html.escape(f"{model} · {sequence.upper().replace('-', ' / ')}")
        sections.append(f"  <section>\n  <h2>{heading}</h2>\n{figures}\n  </section>")
    return template.substitute(title=html.escape(title), sections="\n".join(sections))
