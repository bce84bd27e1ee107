"""Read a version's tables back from its CSVs, with the dtypes the sweep wrote them with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.inferencemax.table import MERGED_COLUMNS, METRICS, SIDE_COLUMNS

_DTYPES: dict[str, Any] = {
    "model_name": str,
    "sequence_length": str,
    "hwKey": str,
    "precision": str,
    "conc": "int64",
    "tp": "int64",
    **{c: "float64" for c in ("x", "y", "e2e_x", "e2e_y", "inter_x", "inter_y")},
    **{f"{m}_y": "float64" for m in METRICS},
    **{f"{m}_roof": "bool" for m in METRICS},
}
TABLES = {"merged": MERGED_COLUMNS, "interactivity": SIDE_COLUMNS, "e2e": SIDE_COLUMNS}


def read_table(version_dir: Path, name: str) -> pd.DataFrame:
    """``merged``, ``interactivity`` or ``e2e`` of a version; a missing or foreign file is
    one sentence."""
    columns = TABLES[name]
    path = version_dir / f"{name}.csv"
    try:
        df = pd.read_csv(
            path,
            dtype={c: t for c, t in _DTYPES.items() if c in columns},
            keep_default_na=False,
            na_values=[""],
        )
    except (OSError, ValueError) as e:
        raise BenchcrawlError(f"cannot read {path}: {e}") from e
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise BenchcrawlError(f"{path} lacks the columns {', '.join(missing)}")
    return df[columns]
