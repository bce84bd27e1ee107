"""What changed between two versions of the merged table (pure: DataFrames in, out).

A configuration is one row of ``merged.csv``, named by the six keys. Against the older
table, a configuration of the newer one is ``added`` (its key is new), ``removed`` (its key
is gone) or ``changed`` (any of the 14 value columns differs: the four x/y values, the five
metrics or their roof flags). Values are compared exactly: both sides are the served
numbers, written with their shortest round-trip repr, so any difference is a real one.

For every numeric value column the diff has ``<column>_rel`` = (new - old) / old (empty for
added and removed rows), and ``roof_flipped`` names the metrics whose frontier flag flipped.
The biggest movers are the changed configurations with the largest relative change of the
headline figures: throughput per GPU (``tpPerGpu_y``) and hyperscaler cost (``costh_y``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from benchcrawl.inferencemax.table import KEYS, METRICS, SORT_ORDER

__all__ = [
    "ADDED",
    "CHANGED",
    "REMOVED",
    "DIFF_COLUMNS",
    "NUMERIC_COLUMNS",
    "Diff",
    "diff_tables",
]

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
NUMERIC_COLUMNS: list[str] = ["e2e_x", "e2e_y", "inter_x", "inter_y"] + [f"{m}_y" for m in METRICS]
ROOF_COLUMNS: list[str] = [f"{m}_roof" for m in METRICS]
REL_COLUMNS: list[str] = [f"{c}_rel" for c in NUMERIC_COLUMNS]
DIFF_COLUMNS: list[str] = KEYS + ["change"] + REL_COLUMNS + ["roof_flipped"]
HEADLINE: tuple[str, ...] = ("tpPerGpu_y", "costh_y")


@dataclass
class Diff:
    """The diff of two merged tables: ``table`` has ``DIFF_COLUMNS``, one row per
    configuration that is not the same in both; ``unchanged`` counts the others."""

    table: pd.DataFrame
    unchanged: int
    old_rows: int
    new_rows: int
    by_hw: pd.DataFrame = field(default_factory=pd.DataFrame)

    def count(self, change: str) -> int:
        return int((self.table["change"] == change).sum())

    @property
    def same(self) -> bool:
        return self.table.empty

    def summary(self) -> str:
        """One line: ``1393 -> 1390 configurations: 2 added, 5 removed, 40 changed, ...``."""
        return (
            f"{self.old_rows} -> {self.new_rows} configurations: {self.count(ADDED)} added, "
            f"{self.count(REMOVED)} removed, {self.count(CHANGED)} changed, "
            f"{self.unchanged} unchanged"
        )

    def movers(self, limit: int = 10) -> pd.DataFrame:
        """Changed configurations by the largest |relative change| of a headline figure."""
        changed = self.table[self.table["change"] == CHANGED]
        if changed.empty:
            return changed.assign(moved=pd.Series(dtype="float64"))
        rel = changed[[f"{c}_rel" for c in HEADLINE]].abs().fillna(0.0)
        ranked = changed.assign(moved=rel.max(axis=1))
        ranked = ranked[ranked["moved"] > 0]
        return ranked.sort_values(["moved", *SORT_ORDER], ascending=[False] + [True] * 6).head(
            limit
        )


def _rel(new: pd.Series, old: pd.Series) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (new - old) / old.abs()
    return rel.where(old != 0, np.where(new == old, 0.0, np.nan))


def diff_tables(old: pd.DataFrame, new: pd.DataFrame) -> Diff:
    """Compare two merged tables (``MERGED_COLUMNS``; keys unique in each)."""
    value_columns = NUMERIC_COLUMNS + ROOF_COLUMNS
    joined = old[KEYS + value_columns].merge(
        new[KEYS + value_columns],
        on=KEYS,
        how="outer",
        suffixes=("_old", "_new"),
        indicator=True,
        validate="one_to_one",
    )
    where = joined["_merge"]
    out = joined[KEYS].copy()
    out["change"] = np.where(
        where == "left_only", REMOVED, np.where(where == "right_only", ADDED, "")
    )
    both = (where == "both").to_numpy()
    differs = np.zeros(len(joined), dtype=bool)
    for c in value_columns:
        differs |= both & (joined[f"{c}_old"] != joined[f"{c}_new"]).to_numpy()
    out.loc[differs, "change"] = CHANGED
    for c in NUMERIC_COLUMNS:
        rel = _rel(joined[f"{c}_new"].astype("float64"), joined[f"{c}_old"].astype("float64"))
        out[f"{c}_rel"] = rel.where(both)
    flipped: list[str] = []
    for i in np.flatnonzero(differs):
        row = joined.iloc[i]
        flipped.append(";".join(m for m in METRICS if row[f"{m}_roof_old"] != row[f"{m}_roof_new"]))
    out["roof_flipped"] = ""
    out.loc[differs, "roof_flipped"] = flipped
    unchanged = int((both & ~differs).sum())
    table = out[out["change"] != ""]
    table = table.sort_values(["change", *SORT_ORDER], kind="mergesort").reset_index(drop=True)
    return Diff(
        table[DIFF_COLUMNS],
        unchanged,
        len(old),
        len(new),
        _by_hw(table, old, new),
    )


def _by_hw(table: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Per hwKey x precision: configurations before and after, added / removed / changed,
    and the median relative change of the headline figures over the changed ones."""
    groups = ["hwKey", "precision"]
    counts = pd.DataFrame(
        {
            "before": old.groupby(groups).size(),
            "after": new.groupby(groups).size(),
        }
    )
    for change in (ADDED, REMOVED, CHANGED):
        counts[change] = table[table["change"] == change].groupby(groups).size()
    changed = table[table["change"] == CHANGED]
    for c in HEADLINE:
        counts[f"median_{c}_rel"] = changed.groupby(groups)[f"{c}_rel"].median()
    counts = counts.fillna({k: 0 for k in ("before", "after", ADDED, REMOVED, CHANGED)})
    for k in ("before", "after", ADDED, REMOVED, CHANGED):
        counts[k] = counts[k].astype("int64")
    return counts.reset_index()


def percent(value: Any) -> str:
    """``0.0312`` -> ``+3.1%``; empty for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{value * 100:+.1f}%"


def to_markdown(diff: Diff, old: str, new: str, movers: int = 10) -> str:
    """``diff.md``: the summary, the change per GPU and precision, and the biggest movers."""
    from benchcrawl.products.markdown import table

    lines = [f"# Diff {old} -> {new}", "", diff.summary() + ".", ""]
    if diff.same:
        lines.append("Every configuration has the same values in both versions.")
        return "\n".join(lines) + "\n"
    lines += ["## By GPU and precision", ""]
    hw = diff.by_hw[(diff.by_hw[[ADDED, REMOVED, CHANGED]].sum(axis=1) > 0)]
    lines.append(
        table(
            [
                "hwKey",
                "precision",
                "before",
                "after",
                ADDED,
                REMOVED,
                CHANGED,
                "median tok/s/gpu",
                "median $/M tokens (hyperscaler)",
            ],
            (
                [
                    r["hwKey"],
                    r["precision"],
                    r["before"],
                    r["after"],
                    r[ADDED],
                    r[REMOVED],
                    r[CHANGED],
                    percent(r["median_tpPerGpu_y_rel"]),
                    percent(r["median_costh_y_rel"]),
                ]
                for r in hw.to_dict("records")
            ),
        )
    )
    top = diff.movers(movers)
    if not top.empty:
        lines += ["", "## Biggest movers", ""]
        lines.append(
            table(
                [*KEYS, "tok/s/gpu", "$/M tokens (hyperscaler)", "interactivity", "roof flipped"],
                (
                    [
                        *(r[k] for k in KEYS),
                        percent(r["tpPerGpu_y_rel"]),
                        percent(r["costh_y_rel"]),
                        percent(r["inter_x_rel"]),
                        r["roof_flipped"],
                    ]
                    for r in top.to_dict("records")
                ),
            )
        )
    for change in (ADDED, REMOVED):
        rows = diff.table[diff.table["change"] == change]
        if not rows.empty:
            lines += ["", f"## {change.capitalize()} ({len(rows)})", ""]
            lines.append(table(KEYS, rows[KEYS].head(20).itertuples(index=False)))
            if len(rows) > 20:
                lines.append(f"\n... and {len(rows) - 20} more in diff.csv.")
    return "\n".join(lines) + "\n"
