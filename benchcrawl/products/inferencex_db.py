"""Load a version of the 2026 generation (InferenceX) into the results database's
``results`` table (schema in ``products/db.py``): every row of every answer the version
received (its ``raw/`` files), once per key. Loading a version again, or another version
that received the same results, adds nothing (``INSERT ... ON CONFLICT DO NOTHING`` on
``result_id``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.inferencex.table import CONFIG_FIELDS, result_key
from benchcrawl.storage.versions import VERSION_FORMAT, read_manifest

__all__ = ["ResultsLoad", "load_into", "load_results", "result_rows"]

_COLUMNS = (
    "hardware",
    "framework",
    "precision",
    "spec_method",
    "disagg",
    "is_multinode",
    "benchmark_type",
    "offload_mode",
    "isl",
    "osl",
    "conc",
    "date",
    "run_url",
    "image",
)


@dataclass
class ResultsLoad:
    version: str
    received: int  # distinct results in the version's answers
    inserted: int  # rows added to ``results`` by this load

    @property
    def already_loaded(self) -> bool:
        return self.inserted == 0


def _scalar(value: Any, kind: type) -> Any:
    if value is None or isinstance(value, (list, dict)):
        return None
    if kind is bool:
        return value if isinstance(value, bool) else None
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return int(value) if not isinstance(value, float) or value.is_integer() else None
    return str(value)


_KINDS: dict[str, type] = {
    "disagg": bool,
    "is_multinode": bool,
    "isl": int,
    "osl": int,
    "conc": int,
}


def _finite(value: Any) -> Any:
    """*value* with every NaN or infinity (which JSON columns refuse) as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def result_rows(version_dir: Path) -> list[dict[str, Any]]:
    """The ``results`` rows of every answer in the version's ``raw/`` (one per key)."""
    manifest = read_manifest(version_dir)
    rows: dict[str, dict[str, Any]] = {}
    for source in manifest.get("sources") or []:
        path = version_dir / str(source.get("file"))
        try:
            records = json.loads(path.read_bytes())
        except (OSError, ValueError) as e:
            raise BenchcrawlError(f"cannot read the answer {path}: {e}") from e
        if not isinstance(records, list):
            raise BenchcrawlError(f"{path} is not a JSON array of result rows")
        for rec in records:
            if not isinstance(rec, dict):
                continue
            rid = result_key(rec)
            metrics = rec.get("metrics")
            row: dict[str, Any] = {
                "result_id": rid,
                "model": str(rec.get("model")),
                "model_name": str(source.get("model")),
                **{c: _scalar(rec.get(c), _KINDS.get(c, str)) for c in _COLUMNS},
                "config": _finite({f: rec.get(f) for f in CONFIG_FIELDS if f in rec}),
                "fields": _finite(
                    {
                        k: v
                        for k, v in rec.items()
                        if k not in ("model", "metrics", *CONFIG_FIELDS, *_COLUMNS)
                    }
                ),
                "metrics": _finite(metrics if isinstance(metrics, dict) else {}),
                "first_version": version_dir.name,
            }
            rows[rid] = row
    return list(rows.values())


def _swept_at(version: str, written: str | None) -> datetime:
    try:
        return datetime.strptime(version, VERSION_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(written) if written else datetime.now(UTC)
    except ValueError:
        return datetime.now(UTC)


def load_results(engine: Engine, version_dir: Path) -> ResultsLoad:
    """Load one version (its ``versions`` row and its results) in one transaction."""
    from benchcrawl.products.db import _first_line, _insert, redacted, results, versions

    version = version_dir.name
    manifest = read_manifest(version_dir)
    rows = result_rows(version_dir)
    written = manifest.get("written_at")
    version_row = {
        "version": version,
        "swept_at": _swept_at(version, written),
        "written_at": datetime.fromisoformat(written) if written else None,
        "benchcrawl_version": manifest.get("benchcrawl_version"),
        "combinations": manifest.get("combinations"),
        "rows_interactivity": None,
        "rows_e2e": None,
        "rows_merged": (manifest.get("rows") or {}).get("results"),
        "unchanged_from": manifest.get("unchanged_from"),
    }
    count = select(func.count()).select_from(results)
    try:
        with engine.begin() as conn:
            before = int(conn.execute(count).scalar_one())
            conn.execute(_insert(engine, versions), [version_row])
            for start in range(0, len(rows), 1000):
                conn.execute(_insert(engine, results), rows[start : start + 1000])
            after = int(conn.execute(count).scalar_one())
    except SQLAlchemyError as e:
        raise BenchcrawlError(
            f"cannot load version {version} into {redacted(str(engine.url))}: {_first_line(e)}"
        ) from e
    return ResultsLoad(version, len(rows), after - before)


def load_into(database_url: str, version_dir: Path) -> tuple[str, str | None]:
    """Load one version into the database at *database_url*: (what it did, or the one
    sentence saying why it failed). Never raises for a database problem."""
    from benchcrawl.products.db import connect, redacted

    try:
        engine = connect(database_url)
        try:
            done = load_results(engine, version_dir)
        finally:
            engine.dispose()
    except BenchcrawlError as e:
        return "", str(e)
    if done.already_loaded:
        return f"already in {redacted(database_url)}", None
    return f"{done.inserted} results into {redacted(database_url)}", None
