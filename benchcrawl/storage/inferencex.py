"""A version of the 2026 generation (InferenceX): the current table, the raw answers, the
manifest, and the whole history grown beside it.

``DATA_DIR/archive/<version>/``::

    results.csv results.parquet   what the dashboard shows today: per model name, the rows of
                                  its newest loaded answer (history and this run together);
                                  the Parquet file also has ``result_id``, the key's hash
    raw/<model>_<run date>.json   every answer this run received, byte for byte
    manifest.json                 ``generation: inferencex``, per combination its URL, row
                                  count and the run dates seen in its rows; ``unchanged_from``

Division of work, as for the 2025 generation (``pipelines/archive.py``):
:func:`write_inferencex_version` writes the version (``storage.versions.write_version``:
hidden temporary folder, then one rename), then merges this run's rows into
``DATA_DIR/history/`` (``inferencex/history.py``), then loads the version into the results
database when given a URL. It never touches ``latest``: the caller switches it with
``switch_latest`` and, if that fails, removes the version with ``discard_version``. The
history keeps what a discarded version brought (it was collected and validated; the next
version shows it). A history that cannot be written removes the version again and raises
``ArchiveError``, so a failed run leaves no version and ``latest`` as it was.

A run that brought no result the history did not hold, and whose ``results.csv`` is byte for
byte the previous version's, is marked ``unchanged_from`` that version; it does not rewrite
the history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchcrawl import __version__
from benchcrawl.exceptions import ArchiveError, BenchcrawlError
from benchcrawl.storage.versions import discard_version, read_manifest, write_version

__all__ = ["GENERATION", "InferenceXVersion", "raw_name", "write_inferencex_version"]

GENERATION = "inferencex"


@dataclass
class InferenceXVersion:
    """What :func:`write_inferencex_version` wrote."""

    path: Path
    rows: int  # rows of results.csv (today's dashboard)
    new_results: int  # results the history did not hold before
    history_rows: int  # results in the history now
    unchanged_from: str | None = None
    database: str = ""  # what the database load did, or "" when not asked
    database_error: str | None = None  # one sentence when the load failed (the version stays)
    manifest: dict[str, Any] = field(default_factory=dict, repr=False)


def raw_name(model_name: str, run_date: str) -> str:
    """``raw/deepseek-r1-0528_2026-06-14.json``: one file per combination."""
    text = f"{model_name}_{run_date}".lower()
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in text)
    return f"raw/{safe.strip('-.') or 'answer'}.json"


def _csv_bytes(table: Any) -> bytes:
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _previous_csv_sha(previous: Path | None) -> str | None:
    if previous is None:
        return None
    try:
        manifest = read_manifest(previous)
    except BenchcrawlError:
        return None
    if manifest.get("generation") != GENERATION:
        return None
    entry = (manifest.get("files") or {}).get("results.csv") or {}
    return entry.get("sha256")


def _source(result: Any, name: str) -> dict[str, Any]:
    records = result.records or []
    return {
        "model": result.model,
        "run_date": result.sequence,
        "url": result.url,
        "fetched_at": result.fetched_at,
        "records": len(records),
        "run_dates": sorted({str(r.get("date")) for r in records if r.get("date") is not None}),
        "models": sorted({str(r.get("model")) for r in records if r.get("model") is not None}),
        "file": name,
    }


def write_inferencex_version(
    data_dir: Path,
    sweep_id: str,
    results: Sequence[Any],
    planned: int,
    previous: Path | None,
    database_url: str = "",
) -> InferenceXVersion:
    """Write one version from *results* (validated ``CombinationResult``s of ``kind``
    ``benchmarks``; ``model`` the display name, ``sequence`` the run date) and grow the
    history; see the module docstring. Raises ``ArchiveError`` (one sentence) when nothing
    could be written; ``latest`` is the caller's."""
    from benchcrawl.inferencex.history import read_history, write_history
    from benchcrawl.inferencex.table import build, metric_columns

    data_dir = Path(data_dir)
    try:
        history = read_history(data_dir)
    except BenchcrawlError as e:
        raise ArchiveError(str(e)) from e
    new, ids = build(results)
    combos = [
        {
            "model_name": r.model,
            "run_date": r.sequence,
            "url": r.url,
            "fetched_at": r.fetched_at,
            "rows": len(r.records or ()),
            "result_ids": sorted(set(found)),
        }
        for r, found in zip(results, ids, strict=True)
    ]
    known = {
        (n, d): sorted(ids)
        for n, d, ids in zip(
            history.combinations["model_name"],
            history.combinations["run_date"],
            history.combinations["result_ids"],
            strict=True,
        )
    }
    grown, added = history.merge(new, combos)
    history_changed = added > 0 or any(
        known.get((c["model_name"], c["run_date"])) != c["result_ids"] for c in combos
    )
    view = grown.newest_answers()
    csv = _csv_bytes(view)
    writers: dict[str, Any] = {
        "results.csv": lambda path: path.write_bytes(csv),
        "results.parquet": lambda path: _parquet(view, path),  # with result_id
    }
    sources = []
    for r in results:
        name = raw_name(r.model, r.sequence)
        writers[name] = (lambda body: lambda path: path.write_bytes(body))(r.body)
        sources.append(_source(r, name))
    per_model: dict[str, list[str]] = {}
    for name, date in sorted(grown.collected().items()):
        per_model[name] = sorted(date)
    manifest: dict[str, Any] = {
        "generation": GENERATION,
        "sweep_id": sweep_id,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "benchcrawl_version": __version__,
        "combinations": planned,
        "rows": {"results": len(view), "new": added, "history": len(grown.results)},
        "models": sorted({str(m) for m in view["model_name"]}) if len(view) else [],
        "newest_run_dates": {m: dates[-1] for m, dates in per_model.items() if dates},
        "columns": {
            "fields": [c for c in view.columns if c in set(view.attrs.get("fields", ()))],
            "metrics": metric_columns(view),
        },
        "sources": sources,
    }
    same_csv = _previous_csv_sha(previous) == hashlib.sha256(csv).hexdigest()
    if previous is not None and same_csv and not added:
        manifest["unchanged_from"] = previous.name
    version_dir = write_version(data_dir, sweep_id, writers, manifest)
    if history_changed:
        try:
            write_history(data_dir, grown)
        except Exception as e:  # noqa: BLE001 - a full disk, a read-only folder
            discard_version(version_dir)
            raise ArchiveError(
                f"cannot write the history under {data_dir / 'history'}: {e}; no version written"
            ) from e
    written = read_manifest(version_dir)
    out = InferenceXVersion(
        version_dir,
        len(view),
        added,
        len(grown.results),
        written.get("unchanged_from"),
        manifest=written,
    )
    if database_url:
        from benchcrawl.products.inferencex_db import load_into

        out.database, out.database_error = load_into(database_url, version_dir)
    return out


def _parquet(view: Any, path: Path) -> None:
    from benchcrawl.inferencex.table import write_parquet

    write_parquet(view, path, index=True)
