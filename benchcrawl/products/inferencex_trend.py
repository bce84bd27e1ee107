"""One configuration of the 2026 generation over its run dates, from the history
(``DATA_DIR/history/results.parquet``): every run of it, every concurrency, every metric;
and a chart of one metric over run dates, one line per concurrency.

A configuration is named by the model (display name or key), the sequence (``1k/1k``,
``8k/1k``, ``1k/8k``, ``agentic``) and as many configuration fields as it takes to make it
one (``hardware``, ``framework``, ``precision``, ...). Too few is one sentence naming how
many configurations match and which field tells them apart.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.inferencex.table import CONFIG_FIELDS

__all__ = ["config_label", "parse_sequence", "sequence_label", "trend_rows", "draw_trend"]

AGENTIC = "agentic-traces"


def _tokens(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "?"
    n = int(value)
    return f"{n // 1024}k" if n % 1024 == 0 else str(n)


def sequence_label(isl: Any, osl: Any) -> str:
    """``1k/1k`` for 1024/1024; ``agentic-traces`` for rows without isl/osl."""
    if pd.isna(isl) and pd.isna(osl):
        return AGENTIC
    return f"{_tokens(isl)}/{_tokens(osl)}"


def parse_sequence(text: str) -> str:
    """``1K / 8K``, ``1k-8k``, ``1k_8k`` -> ``1k/8k``; ``agentic`` -> ``agentic-traces``."""
    plain = "".join(text.split()).lower().replace("-", "/").replace("_", "/")
    if plain.startswith("agentic"):
        return AGENTIC
    return plain


def config_label(row: Mapping[Any, Any]) -> str:
    """A short human name of a configuration: ``b200 sglang fp8 tp8`` (plus what differs)."""

    def get(name: str) -> Any:
        v = row.get(name)
        return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v

    parts = [str(get(f)) for f in ("hardware", "framework", "precision") if get(f) is not None]
    if get("spec_method") not in (None, "none"):
        parts.append(str(get("spec_method")))
    if get("disagg"):
        parts.append(
            f"P{get('num_prefill_gpu')}xD{get('num_decode_gpu')} "
            f"tp{get('prefill_tp')}/{get('decode_tp')} ep{get('prefill_ep')}/{get('decode_ep')}"
        )
    else:
        parts.append(f"tp{get('decode_tp')} ep{get('decode_ep')}")
        if get("decode_dp_attention"):
            parts.append("dpa")
    if get("offload_mode") not in (None, "", "none"):
        parts.append(f"offload={get('offload_mode')}")
    return " ".join(parts)


def _match_model(history: pd.DataFrame, model: str) -> pd.Series:
    want = "".join(model.lower().split())
    names = history["model_name"].astype(str).str.lower().str.replace(" ", "", regex=False)
    keys = history["model"].astype(str).str.lower()
    return (names == want) | (keys == want)


def trend_rows(
    history: pd.DataFrame,
    model: str,
    sequence: str,
    filters: Mapping[str, str] | None = None,
    conc: int | None = None,
) -> pd.DataFrame:
    """The history's rows of one configuration (every run date and concurrency), oldest
    first, with ``sequence`` and ``configuration`` columns in front."""
    if history.empty:
        raise BenchcrawlError("the history is empty; run `scrapy crawl inferencemax` first")
    rows = history[_match_model(history, model)]
    if rows.empty:
        names = ", ".join(sorted(set(history["model_name"].astype(str))))
        raise BenchcrawlError(f"no model {model!r} in the history (models: {names})")
    seq = parse_sequence(sequence)
    labels = [sequence_label(i, o) for i, o in zip(rows["isl"], rows["osl"], strict=True)]
    rows = rows.assign(sequence=labels)
    if not (rows["sequence"] == seq).any():
        have = ", ".join(sorted(set(labels)))
        raise BenchcrawlError(f"no sequence {sequence!r} for {model} (it has {have})")
    rows = rows[rows["sequence"] == seq]
    for name, value in (filters or {}).items():
        if name not in rows.columns:
            raise BenchcrawlError(f"no field {name!r} in the history")
        rows = rows[rows[name].astype(str).str.lower() == str(value).lower()]
        if rows.empty:
            raise BenchcrawlError(f"no {model} {seq} rows with {name}={value}")
    if conc is not None:
        rows = rows[rows["conc"] == conc]
        if rows.empty:
            raise BenchcrawlError(f"no {model} {seq} rows at concurrency {conc}")
    present = [f for f in CONFIG_FIELDS if f in rows.columns]
    configs = rows[present].astype(str).drop_duplicates()
    if len(configs) > 1:
        apart = [f for f in present if configs[f].nunique() > 1]
        examples = "; ".join(
            config_label(r) for r in rows.drop_duplicates(present).head(4).to_dict("records")
        )
        raise BenchcrawlError(
            f"{len(configs)} configurations of {model} {seq} match ({examples}); "
            f"narrow it with --field, e.g. {', '.join(f'{f}=...' for f in apart[:3])}"
        )
    out = rows.sort_values(["date", "run_url", "conc"], kind="mergesort")
    label = config_label(out.iloc[0].to_dict())
    out = out.assign(configuration=label)
    front = ["model_name", "sequence", "configuration", "date", "run_url", "conc"]
    return out[front + [c for c in out.columns if c not in front]].reset_index(drop=True)


def draw_trend(rows: pd.DataFrame, metric: str, path_stem: Path, title: str) -> list[Path]:
    """*metric* over run dates, one line per concurrency; PNG and SVG next to *path_stem*.
    Each line carries ``gid="conc:<n>"`` in the SVG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    if metric not in rows.columns:
        raise BenchcrawlError(f"no metric {metric!r} in these rows")
    fig = Figure(figsize=(10.0, 5.0), dpi=100)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.09, right=0.84, bottom=0.14, top=0.88)
    ax = fig.subplots()
    when = pd.to_datetime(rows["date"])
    cmap = _cmap(rows["conc"].nunique())
    for i, (conc, part) in enumerate(rows.assign(when=when).groupby("conc", sort=True)):
        part = part.dropna(subset=[metric])
        if part.empty:
            continue
        ax.plot(
            part["when"],
            part[metric].astype("float64"),
            marker="o",
            color=cmap[i],
            label=f"conc {conc}",
            gid=f"conc:{conc}",
        )
    ax.set_ylabel(metric)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Run date")
    ax.grid(True, color="#dddddd", linewidth=0.6)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    fig.suptitle(title)
    out = []
    for fmt in ("png", "svg"):
        path = path_stem.with_name(f"{path_stem.name}.{fmt}")
        tmp = path.with_name(f".{path.name}.tmp")
        fig.savefig(tmp, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        os.replace(tmp, path)
        out.append(path)
    return out


def _cmap(n: int) -> list[Any]:
    from matplotlib import colormaps

    viridis = colormaps["viridis"]
    return [viridis(i / max(n - 1, 1) * 0.9) for i in range(max(n, 1))]
