"""Build the merged InferenceMAX table (one row per configuration) from the two files.

Each (model, ISL / OSL) view serves two files with the same configurations: the
interactivity file (x = tok/s/user) and the e2e file (x = end-to-end latency, s).
Rows are joined on the 6-key ``KEYS``.

Decisions:

* ``inter_x, inter_y`` come from the interactivity file, ``e2e_x, e2e_y`` from the e2e file.
* The five metric columns (``<m>_y``, ``<m>_roof``) are taken from the E2E side, as in the
  pipeline this table replaces (``pandas.merge(e2e_df, inter_df, on=KEYS, how="inner",
  suffixes=("_e2e", "_inter"))``, e2e on the left). The ``y`` values agree between the
  files, but ``roof`` (point on the hwKey's Pareto frontier) does not always: each chart
  computes its own frontier against its own x axis. In the 2025-10-25 snapshot 24 rows
  (120 roof cells: all five metrics of those rows) differ between the two files. The
  interactivity file's own flags are kept, unchanged, in its side table
  (``interactivity.csv``).
* A key that occurs more than once on either side is ambiguous: all rows of that key
  (on both sides) are left out of the merged table and reported in ``duplicates``. Rows
  are never multiplied by the join (the merge runs with ``validate="one_to_one"``).
* Rows whose key is on one side only are left out and reported in ``only_inter`` /
  ``only_e2e``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "KEYS",
    "METRICS",
    "MERGED_COLUMNS",
    "SIDE_COLUMNS",
    "SORT_ORDER",
    "MergeResult",
    "flatten",
    "merge_tables",
    "side_table",
    "write_csv",
]

KEYS: list[str] = ["model_name", "sequence_length", "conc", "hwKey", "precision", "tp"]
METRICS: list[str] = ["tpPerGpu", "tpPerMw", "costh", "costn", "costr"]
METRIC_COLUMNS: list[str] = [f"{m}_{part}" for m in METRICS for part in ("y", "roof")]
SIDE_COLUMNS: list[str] = KEYS + ["x", "y"] + METRIC_COLUMNS
MERGED_COLUMNS: list[str] = KEYS + ["e2e_x", "e2e_y", "inter_x", "inter_y"] + METRIC_COLUMNS
SORT_ORDER: list[str] = ["model_name", "sequence_length", "hwKey", "precision", "tp", "conc"]

_STR_COLUMNS = ["model_name", "sequence_length", "hwKey", "precision"]
_DTYPES: dict[str, Any] = {
    **{c: str for c in _STR_COLUMNS},
    "conc": "int64",
    "tp": "int64",
    "x": "float64",
    "y": "float64",
    **{f"{m}_y": "float64" for m in METRICS},
    **{f"{m}_roof": "bool" for m in METRICS},
}
_SIDES = ("inter", "e2e")


def flatten(
    records: Iterable[Mapping[str, Any]], model_name: str, sequence_length: str
) -> list[dict[str, Any]]:
    """Turn validated records into flat rows with the columns of ``SIDE_COLUMNS``."""
    rows = []
    for rec in records:
        row: dict[str, Any] = {
            "model_name": model_name,
            "sequence_length": sequence_length,
            "conc": rec["conc"],
            "hwKey": rec["hwKey"],
            "precision": rec["precision"],
            "tp": rec["tp"],
            "x": rec["x"],
            "y": rec["y"],
        }
        for m in METRICS:
            row[f"{m}_y"] = rec[m]["y"]
            row[f"{m}_roof"] = rec[m]["roof"]
        rows.append(row)
    return rows


def side_table(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One file kind's rows as a DataFrame with ``SIDE_COLUMNS`` and fixed dtypes."""
    df = pd.DataFrame(list(rows), columns=SIDE_COLUMNS)
    return df.astype(_DTYPES)


def _key_text(row: Mapping[Any, Any]) -> str:
    return (
        f"{row['model_name']} {row['sequence_length']} hwKey={row['hwKey']} "
        f"precision={row['precision']} tp={row['tp']} conc={row['conc']}"
    )


def _examples(df: pd.DataFrame, limit: int = 3) -> str:
    keys = df[KEYS].drop_duplicates().head(limit)
    return "; ".join(_key_text(r) for r in keys.to_dict("records"))


@dataclass
class MergeResult:
    """Outcome of :func:`merge_tables`; ``duplicates`` is keyed by ``"inter"`` / ``"e2e"``."""

    merged: pd.DataFrame
    duplicates: dict[str, pd.DataFrame] = field(default_factory=dict)
    only_inter: pd.DataFrame = field(default_factory=pd.DataFrame)
    only_e2e: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        """True when no row was left out (no duplicate keys, no one-side rows)."""
        return (
            all(d.empty for d in self.duplicates.values())
            and self.only_inter.empty
            and self.only_e2e.empty
        )

    def report(self) -> str:
        """Short human summary: counts and up to 3 example keys per problem."""
        lines = [f"merged {len(self.merged)} rows"]
        for side in _SIDES:
            dup = self.duplicates.get(side)
            if dup is not None and not dup.empty:
                n_keys = len(dup[KEYS].drop_duplicates())
                lines.append(
                    f"{n_keys} duplicated key(s) in {side} ({len(dup)} rows), "
                    f"excluded: {_examples(dup)}"
                )
        for side, df in (("inter", self.only_inter), ("e2e", self.only_e2e)):
            if not df.empty:
                lines.append(f"{len(df)} row(s) only in {side}, excluded: {_examples(df)}")
        if self.ok:
            lines.append("no duplicate keys, no one-side rows")
        return "\n".join(lines)


def _check_columns(df: pd.DataFrame, side: str) -> None:
    missing = [c for c in SIDE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{side} table is missing columns {missing}")


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(SORT_ORDER, kind="mergesort").reset_index(drop=True)


def merge_tables(inter: pd.DataFrame, e2e: pd.DataFrame) -> MergeResult:
    """Join the interactivity and e2e tables on ``KEYS`` into ``MERGED_COLUMNS``."""
    _check_columns(inter, "inter")
    _check_columns(e2e, "e2e")
    inter = inter[SIDE_COLUMNS].reset_index(drop=True)
    e2e = e2e[SIDE_COLUMNS].reset_index(drop=True)

    dup_inter = inter.duplicated(KEYS, keep=False)
    dup_e2e = e2e.duplicated(KEYS, keep=False)
    duplicates = {"inter": _sorted(inter[dup_inter]), "e2e": _sorted(e2e[dup_e2e])}
    bad_keys = pd.concat([inter.loc[dup_inter, KEYS], e2e.loc[dup_e2e, KEYS]])
    bad_keys = bad_keys.drop_duplicates()

    def clean(df: pd.DataFrame) -> pd.DataFrame:
        hit = df[KEYS].merge(bad_keys, on=KEYS, how="left", indicator=True)["_merge"]
        return df[(hit == "left_only").to_numpy()].reset_index(drop=True)

    inter_c, e2e_c = clean(inter), clean(e2e)
    # e2e on the left, carrying the metric columns: the replaced pipeline's join
    left = e2e_c.rename(columns={"x": "e2e_x", "y": "e2e_y"})
    left["_ei"] = np.arange(len(left))
    right = inter_c[KEYS + ["x", "y"]].rename(columns={"x": "inter_x", "y": "inter_y"})
    right["_ii"] = np.arange(len(right))
    joined = left.merge(
        right, on=KEYS, how="outer", validate="one_to_one", indicator=True, sort=False
    )
    where = joined["_merge"]
    both = joined[where == "both"]
    merged = both[MERGED_COLUMNS].astype(
        {c: t for c, t in _DTYPES.items() if c in MERGED_COLUMNS}
        | {c: "float64" for c in ("e2e_x", "e2e_y", "inter_x", "inter_y")}
    )
    only_e2e = e2e_c.iloc[joined.loc[where == "left_only", "_ei"].astype("int64")]
    only_inter = inter_c.iloc[joined.loc[where == "right_only", "_ii"].astype("int64")]
    return MergeResult(
        merged=_sorted(merged)[MERGED_COLUMNS],
        duplicates=duplicates,
        only_inter=_sorted(only_inter),
        only_e2e=_sorted(only_e2e),
    )


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as CSV atomically (``<path>.tmp`` then ``os.replace``); return the path.

    Floats use Python's shortest round-trip repr, booleans ``True``/``False``,
    no index, ``\\n`` line endings, UTF-8.
    """
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    try:
        df.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
