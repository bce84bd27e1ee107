"""What the monitor reads from ``DATA_DIR``: the versions and the latest version's table:
``results.csv`` of an InferenceX (2026) version, else ``merged.csv`` of a 2025 one."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.storage.versions import latest_version, list_versions, read_manifest

RESULTS, MERGED = "results", "merged"  # a table's kind: the file it was read from
FILTERS = {
    RESULTS: ("model_name", "hardware", "framework", "precision", "date"),
    MERGED: ("model_name", "sequence_length", "hwKey", "precision"),
}
LABELS = {  # a filter column as the page names it
    "model_name": "model",
    "sequence_length": "ISL/OSL",
    "hwKey": "hardware",
    "date": "run date",
}


@dataclass
class Table:
    version: str | None
    columns: list[str]
    rows: list[dict[str, str]]
    kind: str = ""  # RESULTS or MERGED; "" without a readable table


class DataDir:
    """Reads the archive; the merged table is parsed again only when ``latest`` moves."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._cache: tuple[str, Table] | None = None

    def versions(self) -> list[dict[str, Any]]:
        if self.path is None:
            return []
        latest = latest_version(self.path)
        out = []
        for v in reversed(list_versions(self.path)):
            try:
                manifest = read_manifest(v)
            except BenchcrawlError:
                out.append({"version": v.name, "status": "unreadable manifest", "rows": 0})
                continue
            rows = manifest.get("rows")
            # a 2025 version counts its merged rows, an InferenceX one its results
            merged = rows.get("merged", rows.get("results", 0)) if isinstance(rows, dict) else 0
            out.append(
                {
                    "version": v.name,
                    "status": "latest" if latest is not None and v == latest else "kept",
                    "rows": int(merged) if isinstance(merged, int) else 0,
                    "written_at": str(manifest.get("written_at", "")),
                }
            )
        return out

    def latest(self) -> Table:
        version = latest_version(self.path) if self.path is not None else None
        if version is None:
            return Table(None, [], [])
        if self._cache is not None and self._cache[0] == version.name:
            return self._cache[1]
        kind = RESULTS if (version / "results.csv").is_file() else MERGED
        try:
            with (version / f"{kind}.csv").open(newline="", encoding="utf-8") as f:
                reader = csv.DictReader(f)
                rows = list(reader)
                columns = list(reader.fieldnames or [])
        except (OSError, csv.Error, UnicodeDecodeError):
            return Table(version.name, [], [])
        table = Table(version.name, columns, rows, kind)
        self._cache = (version.name, table)
        return table


def select(table: Table, filters: dict[str, str | None]) -> list[dict[str, str]]:
    """Rows whose filter columns equal every given value."""
    wanted = {k: v for k, v in filters.items() if v}
    return [r for r in table.rows if all(r.get(k) == v for k, v in wanted.items())]


def options(table: Table) -> dict[str, list[str]]:
    """The distinct values of each filter column of the table's kind, for the page's
    drop-downs (run dates newest first)."""
    out = {}
    for k in FILTERS.get(table.kind, ()):
        values = sorted({r.get(k) or "" for r in table.rows} - {""}, reverse=k == "date")
        out[k] = values
    return out


def to_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
