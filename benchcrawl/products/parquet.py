"""``merged.parquet``: the merged table with its column types (int64 keys, float64 values,
bool roof flags), for tools that read Parquet (pandas, DuckDB, Spark, Polars)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd


def write_parquet(merged: pd.DataFrame, path: Path) -> Path:
    """Write *merged* as Parquet (zstd) atomically; the version name goes in the metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(merged, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"benchcrawl.version": path.parent.name.encode()}
    )
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
