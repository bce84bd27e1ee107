"""The whole history beside the versions: every result ever collected, once.

``DATA_DIR/history/``::

    results.parquet       every result ever collected, one row per key (``table.py``),
                          index ``result_id``; columns as in ``results.csv``
    combinations.parquet  one row per combination loaded: model_name, run_date, url,
                          fetched_at, rows, result_ids (the keys its answer held)

``combinations.parquet`` is what the daily run asks (``collected``: which model x run date
it has loaded) and what makes the current view exact: a model's newest loaded answer is,
by the API's as-of rule, everything the dashboard shows for that model today.

Each file is written under a temporary name and renamed into place. ``results.parquet`` is
replaced first: a crash between the two renames leaves results the combinations do not yet
name, so the next run loads those dates again, and their rows (same keys) stay single.
A history that cannot be read is one sentence and is never overwritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.inferencex.table import combine, from_rows, read_parquet, write_parquet

__all__ = ["History", "collected", "history_dir", "read_history", "write_history"]

HISTORY = "history"
RESULTS = "results.parquet"
COMBINATIONS = "combinations.parquet"
COMBINATION_COLUMNS = ["model_name", "run_date", "url", "fetched_at", "rows", "result_ids"]


def history_dir(data_dir: Path) -> Path:
    return Path(data_dir) / HISTORY


def _empty_combinations() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COMBINATION_COLUMNS})


@dataclass
class History:
    """The results and the loaded combinations."""

    results: pd.DataFrame = field(default_factory=lambda: from_rows([], set()))
    combinations: pd.DataFrame = field(default_factory=_empty_combinations)

    def collected(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for name, date in zip(
            self.combinations["model_name"], self.combinations["run_date"], strict=True
        ):
            out.setdefault(str(name), set()).add(str(date))
        return out

    def merge(self, new: pd.DataFrame, combos: list[dict[str, Any]]) -> tuple[History, int]:
        """This history with *new* results and the *combos* that brought them; returns it
        and how many results were not known before."""
        added = int((~new.index.isin(self.results.index)).sum())
        results = combine(self.results, new)
        rows = pd.DataFrame(combos, columns=COMBINATION_COLUMNS)
        rows["result_ids"] = [list(ids) for ids in rows["result_ids"]]
        both = pd.concat([self.combinations, rows], ignore_index=True) if combos else None
        if both is None:
            combinations = self.combinations
        else:
            last = ~both.duplicated(["model_name", "run_date"], keep="last")
            combinations = both[last].sort_values(["model_name", "run_date"], kind="mergesort")
            combinations = combinations.reset_index(drop=True)
        return History(results, combinations), added

    def newest_answers(self) -> pd.DataFrame:
        """Per model name, the rows of its newest loaded answer: today's dashboard."""
        if self.combinations.empty:
            return self.results.iloc[:0]
        newest = self.combinations.sort_values(["model_name", "run_date"], kind="mergesort")
        newest = newest.groupby("model_name", sort=True).tail(1)
        wanted: list[str] = []
        for ids in newest["result_ids"]:
            wanted += list(ids)
        view = self.results.loc[self.results.index.isin(set(wanted))]
        view.attrs = dict(self.results.attrs)
        return view


def read_history(data_dir: Path) -> History:
    """The history under *data_dir* (an empty one when there is none yet)."""
    folder = history_dir(data_dir)
    results_path, combos_path = folder / RESULTS, folder / COMBINATIONS
    if not results_path.exists() and not combos_path.exists():
        return History()
    try:
        results = read_parquet(results_path) if results_path.exists() else History().results
        combos = pd.read_parquet(combos_path) if combos_path.exists() else _empty_combinations()
    except Exception as e:  # noqa: BLE001 - pyarrow raises many kinds for a broken file
        raise BenchcrawlError(
            f"cannot read the history under {folder}: {type(e).__name__}: {e}; "
            "move it away to start a new history (it is never overwritten)"
        ) from e
    missing = [c for c in COMBINATION_COLUMNS if c not in combos.columns]
    if results.index.name != "result_id":
        missing.append("result_id")
    if missing:
        raise BenchcrawlError(
            f"the history under {folder} is not benchcrawl's (it lacks {', '.join(missing)}); "
            "move it away to start a new history"
        )
    combos["result_ids"] = [[str(i) for i in ids] for ids in combos["result_ids"]]
    return History(results, combos[COMBINATION_COLUMNS])


def collected(data_dir: Path) -> dict[str, set[str]]:
    """Model name -> the run dates already loaded into the history ({} when none)."""
    return read_history(data_dir).collected()


def write_history(data_dir: Path, history: History) -> None:
    """Replace the history's files, each atomically (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = history_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tmp_results = folder / f".{RESULTS}.tmp"
    tmp_combos = folder / f".{COMBINATIONS}.tmp"
    try:
        write_parquet(history.results, tmp_results, index=True)
        combos = history.combinations.copy()
        combos["rows"] = combos["rows"].astype("int64")
        arrow = pa.Table.from_pandas(combos, preserve_index=False)
        pq.write_table(arrow, tmp_combos, compression="zstd")
        os.replace(tmp_results, folder / RESULTS)
        os.replace(tmp_combos, folder / COMBINATIONS)
    except BaseException:
        tmp_results.unlink(missing_ok=True)
        tmp_combos.unlink(missing_ok=True)
        raise
