"""One model x sequence across every archived version: per version and GPU (hwKey x
precision), the best throughput per GPU, the best interactivity and the lowest cost per
million tokens. Pure table logic plus one matplotlib chart."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from benchcrawl.storage.versions import VERSION_FORMAT

TREND_COLUMNS = [
    "version",
    "swept_at",
    "model_name",
    "sequence_length",
    "hwKey",
    "precision",
    "configurations",
    "max_tpPerGpu_y",
    "max_inter_x",
    "min_costh_y",
    "min_costn_y",
    "min_costr_y",
]


def sequence_value(text: str) -> str:
    """``1K / 8K``, ``1k_8k`` or ``1k-8k`` -> ``1k-8k`` (the merged table's value)."""
    return "".join(text.split()).lower().replace("/", "-").replace("_", "-")


def match_model(text: str, models: Iterable[str]) -> str | None:
    """The model label *text* names (case and spacing ignored), or None."""
    want = "".join(text.lower().split())
    for m in models:
        if "".join(m.lower().split()) == want:
            return m
    return None


def trend_table(
    frames: Iterable[tuple[str, pd.DataFrame]],
    model: str,
    sequence: str,
    hwkey: str | None = None,
) -> pd.DataFrame:
    """*frames*: (version name, merged table) oldest first."""
    parts = []
    for version, merged in frames:
        rows = merged[(merged["model_name"] == model) & (merged["sequence_length"] == sequence)]
        if hwkey:
            rows = rows[rows["hwKey"] == hwkey]
        if rows.empty:
            continue
        g = rows.groupby(["model_name", "sequence_length", "hwKey", "precision"])
        part = pd.DataFrame(
            {
                "configurations": g.size(),
                "max_tpPerGpu_y": g["tpPerGpu_y"].max(),
                "max_inter_x": g["inter_x"].max(),
                "min_costh_y": g["costh_y"].min(),
                "min_costn_y": g["costn_y"].min(),
                "min_costr_y": g["costr_y"].min(),
            }
        ).reset_index()
        part.insert(0, "swept_at", swept_at(version))
        part.insert(0, "version", version)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=TREND_COLUMNS)
    return pd.concat(parts, ignore_index=True)[TREND_COLUMNS]


def swept_at(version: str) -> str:
    try:
        when = datetime.strptime(version, VERSION_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return ""
    return when.isoformat(timespec="seconds")


def draw_trend(trend: pd.DataFrame, path_stem: Path, title: str) -> list[Path]:
    """Two panels over the versions: best throughput per GPU and lowest hyperscaler cost,
    one line per hwKey x precision. PNG and SVG next to *path_stem*."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, LogLocator

    from benchcrawl.products.charts import _colour, _hw_order, _marker

    fig = Figure(figsize=(14.0, 5.0), dpi=100)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.06, right=0.86, bottom=0.16, top=0.88, wspace=0.22)
    axes = fig.subplots(1, 2)
    when = pd.to_datetime(trend["swept_at"], utc=True)
    hws = _hw_order(trend["hwKey"])
    precisions = sorted(set(trend["precision"]))
    for (hw, precision), rows in trend.assign(when=when).groupby(["hwKey", "precision"]):
        label = f"{hw} {precision}"
        style = {
            "color": _colour(str(hw), hws),
            "marker": _marker(str(precision), precisions),
            "label": label,
        }
        axes[0].plot(rows["when"], rows["max_tpPerGpu_y"], **style)
        axes[1].plot(rows["when"], rows["min_costh_y"], **style)
    axes[0].set_ylabel("Best token throughput per GPU (tok/s/gpu)")
    axes[1].set_ylabel("Lowest cost per million tokens, hyperscaler ($/M tok)")
    axes[1].set_yscale("log")
    axes[1].yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axes[1].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:g}"))
    axes[1].yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    for ax in axes:
        ax.set_xlabel("Sweep (UTC)")
        ax.grid(True, color="#dddddd", linewidth=0.6)
        locator = AutoDateLocator(tz="UTC")
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz="UTC"))
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    fig.suptitle(title)
    out = []
    for fmt in ("png", "svg"):
        path = path_stem.with_name(f"{path_stem.name}.{fmt}")
        tmp = path.with_name(f".{path.name}.tmp")
        fig.savefig(tmp, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        os.replace(tmp, path)
        out.append(path)
    return out
