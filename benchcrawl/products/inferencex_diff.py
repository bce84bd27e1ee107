"""What changed between two versions of the 2026 generation (pure: tables in, table out).

Both sides are ``results`` tables (the current view, indexed by ``result_id``, the hash of
the key: model, configuration, isl, osl, conc, date, run_url). A result is ``added`` (its
key is new), ``removed`` (its key is gone) or ``changed`` (same key, some metric or field
differs; ``changed`` names the columns). A line the site measured again shows as its old
run's rows removed and the new run's rows added: the run is part of the key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchcrawl.inferencex.table import CONFIG_FIELDS

__all__ = ["ResultsDiff", "diff_results", "to_markdown"]

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
KEY_COLUMNS = ["model", "model_name", *CONFIG_FIELDS, "isl", "osl", "conc", "date", "run_url"]


@dataclass
class ResultsDiff:
    table: pd.DataFrame  # key columns present, change, changed; one row per differing result
    unchanged: int
    old_rows: int
    new_rows: int

    def count(self, change: str) -> int:
        return int((self.table["change"] == change).sum())

    def summary(self) -> str:
        return (
            f"{self.old_rows} -> {self.new_rows} results: {self.count(ADDED)} added, "
            f"{self.count(REMOVED)} removed, {self.count(CHANGED)} changed, "
            f"{self.unchanged} unchanged"
        )


def _differ(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Per row: whether the two values differ (missing on both sides is the same)."""
    l_na = left.isna().to_numpy()
    r_na = right.isna().to_numpy()
    lv = left.astype("object").to_numpy()
    rv = right.astype("object").to_numpy()
    equal = np.array(
        [
            bool(x == y) if not (p or q) else False
            for x, y, p, q in zip(lv, rv, l_na, r_na, strict=True)
        ],
        dtype=bool,
    )
    return ~(equal | (l_na & r_na))


def diff_results(old: pd.DataFrame, new: pd.DataFrame) -> ResultsDiff:
    """Compare two results tables by key (their ``result_id`` index)."""
    keys = [c for c in KEY_COLUMNS if c in old.columns or c in new.columns]
    both_ids = old.index.intersection(new.index)
    removed = old.loc[~old.index.isin(new.index)]
    added = new.loc[~new.index.isin(old.index)]
    columns = [c for c in dict.fromkeys([*old.columns, *new.columns]) if c not in keys]
    a = old.loc[both_ids]
    b = new.loc[both_ids]
    differs: dict[str, np.ndarray] = {}
    for c in columns:
        left = a[c] if c in a.columns else pd.Series([None] * len(a), index=both_ids)
        right = b[c] if c in b.columns else pd.Series([None] * len(b), index=both_ids)
        differs[c] = _differ(left, right)
    changed_rows = []
    for i, rid in enumerate(both_ids):
        names = [c for c in columns if differs[c][i]]
        if names:
            changed_rows.append((rid, ";".join(names)))
    changed = new.loc[[rid for rid, _ in changed_rows]]
    parts = [
        removed.reindex(columns=keys).assign(change=REMOVED, changed=""),
        added.reindex(columns=keys).assign(change=ADDED, changed=""),
        changed.reindex(columns=keys).assign(change=CHANGED, changed=[n for _, n in changed_rows]),
    ]
    parts = [p.astype("object") for p in parts if len(p)]
    if parts:
        table = pd.concat(parts)
    else:
        table = pd.DataFrame(columns=[*keys, "change", "changed"], dtype="object")
    table.index.name = "result_id"
    order = [c for c in ("change", "model_name", "model", "hardware", "date", "conc") if c in keys]
    table = table.sort_values(
        ["change", *order[1:]], kind="mergesort", na_position="first"
    ).reset_index()
    return ResultsDiff(table, len(both_ids) - len(changed_rows), len(old), len(new))


def to_markdown(diff: ResultsDiff, old: str, new: str, limit: int = 20) -> str:
    """``diff.md``: the summary, the counts per model, and the first rows of each kind."""
    from benchcrawl.products.markdown import table

    lines = [f"# Diff {old} -> {new}", "", diff.summary() + ".", ""]
    if diff.table.empty:
        lines.append("Every result is the same in both versions.")
        return "\n".join(lines) + "\n"
    counts = diff.table.groupby(["model_name", "change"]).size().unstack(fill_value=0)
    lines += ["## By model", ""]
    kinds = [k for k in (ADDED, REMOVED, CHANGED) if k in counts.columns]
    lines.append(
        table(
            ["model", *kinds],
            ([m, *(int(r[k]) for k in kinds)] for m, r in counts.iterrows()),
        )
    )
    show = [
        c
        for c in ("model", "hardware", "framework", "precision", "isl", "osl", "conc", "date")
        if c in diff.table.columns
    ]
    for kind in (ADDED, REMOVED, CHANGED):
        rows = diff.table[diff.table["change"] == kind]
        if rows.empty:
            continue
        extra = ["changed"] if kind == CHANGED else []
        lines += ["", f"## {kind.capitalize()} ({len(rows)})", ""]
        lines.append(
            table(
                [*show, *extra],
                (
                    ["" if pd.isna(v) else v for v in r]
                    for r in rows[show + extra].head(limit).itertuples(index=False)
                ),
            )
        )
        if len(rows) > limit:
            lines.append(f"\n... and {len(rows) - limit} more in diff.csv.")
    return "\n".join(lines) + "\n"
