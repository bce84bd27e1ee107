"""The results database (SQLAlchemy 2 Core): every archived version, queryable from other
systems. SQLite at ``DATA_DIR/benchcrawl.sqlite`` by default; PostgreSQL (or any database
SQLAlchemy reaches) through ``DATABASE_URL``.

Tables (column names as in the CSVs, so one vocabulary everywhere; in PostgreSQL quote
the mixed-case ones: ``"hwKey"``, ``"tpPerGpu_y"``):

* ``versions``: one row per version (name, sweep, when written, row counts,
  ``unchanged_from``);
* ``records``: one row per served record: version, kind (``interactivity`` / ``e2e``), the
  six keys, x, y and the five metrics with their roof flags; unique on
  (version, kind, six keys);
* ``merged``: version plus the 20 columns of ``merged.csv``; unique on (version, six keys).
* ``results`` (the 2026 generation, InferenceX; ``products/inferencex_db.py`` loads it):
  every result ever collected, once: primary key ``result_id`` (the hash of the result's
  key: model, configuration, isl, osl, conc, date, run_url), the key and main fields as
  columns, and ``config``, ``fields`` and ``metrics`` as JSON objects, so a field or a
  metric the site adds needs no schema change. ``first_version`` is the version that first
  loaded it. Its versions are rows of ``versions`` too (``rows_merged`` = rows of
  ``results.csv``).

A version is loaded in one transaction with ``INSERT ... ON CONFLICT DO NOTHING``: loading
it again, or two loaders at once, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Double,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.inferencemax.table import KEYS, MERGED_COLUMNS, METRICS, SIDE_COLUMNS
from benchcrawl.products.location import database_url
from benchcrawl.storage.versions import VERSION_FORMAT, read_manifest

__all__ = ["LoadResult", "connect", "database_url", "load_version", "metadata", "row_counts"]

metadata = MetaData()


def _key_columns() -> list[Column[Any]]:
    return [
        Column("model_name", String(200), nullable=False),
        Column("sequence_length", String(32), nullable=False),
        Column("conc", Integer, nullable=False),
        Column("hwKey", String(64), nullable=False),
        Column("precision", String(32), nullable=False),
        Column("tp", Integer, nullable=False),
    ]


def _metric_columns() -> list[Column[Any]]:
    out: list[Column[Any]] = []
    for m in METRICS:
        out += [Column(f"{m}_y", Double, nullable=False), Column(f"{m}_roof", Boolean)]
    return out


def _version_fk() -> Column[Any]:
    return Column(
        "version", String(32), ForeignKey("versions.version", ondelete="CASCADE"), nullable=False
    )


versions = Table(
    "versions",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("swept_at", DateTime(timezone=True), nullable=False),  # the sweep's start, UTC
    Column("written_at", DateTime(timezone=True)),
    Column("benchcrawl_version", String(32)),
    Column("combinations", Integer),
    Column("rows_interactivity", Integer),
    Column("rows_e2e", Integer),
    Column("rows_merged", Integer),
    Column("unchanged_from", String(32)),
)
records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _version_fk(),
    Column("kind", String(16), nullable=False),
    *_key_columns(),
    Column("x", Double, nullable=False),
    Column("y", Double, nullable=False),
    *_metric_columns(),
    UniqueConstraint("version", "kind", *KEYS, name="records_version_kind_key"),
)
merged = Table(
    "merged",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _version_fk(),
    *_key_columns(),
    *(Column(c, Double, nullable=False) for c in ("e2e_x", "e2e_y", "inter_x", "inter_y")),
    *_metric_columns(),
    UniqueConstraint("version", *KEYS, name="merged_version_key"),
)

results = Table(
    "results",
    metadata,
    Column("result_id", String(32), primary_key=True),
    Column("model", String(64), nullable=False),
    Column("model_name", String(200), nullable=False),
    Column("hardware", String(64)),
    Column("framework", String(64)),
    Column("precision", String(32)),
    Column("spec_method", String(32)),
    Column("disagg", Boolean),
    Column("is_multinode", Boolean),
    Column("benchmark_type", String(32)),
    Column("offload_mode", String(32)),
    Column("isl", Integer),
    Column("osl", Integer),
    Column("conc", Integer),
    Column("date", String(10)),
    Column("run_url", Text),
    Column("image", Text),
    Column("config", JSON, nullable=False),  # every configuration field
    Column("fields", JSON, nullable=False),  # the row's other fields (workers, id, ...)
    Column("metrics", JSON, nullable=False),  # every metric, as served
    Column("first_version", String(32), nullable=False),
)


def redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as its scheme only
        return url.split(":", 1)[0] + ":..."


def connect(url: str) -> Engine:
    """An engine with the tables created; an unreachable or unknown database is one
    sentence naming it (password hidden)."""
    try:
        kwargs: dict[str, Any] = {}
        if url.startswith("postgresql"):
            kwargs["connect_args"] = {"connect_timeout": 5}
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        metadata.create_all(engine)
    except (SQLAlchemyError, ImportError, ValueError, OSError) as e:
        raise BenchcrawlError(
            f"cannot open the results database {redacted(url)}: {_first_line(e)}; "
            "check DATABASE_URL and that the server is up"
        ) from e
    return engine


def _first_line(e: BaseException) -> str:
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__


@dataclass
class LoadResult:
    version: str
    inserted: dict[str, int]  # table -> rows added by this load (0 everywhere: loaded before)

    @property
    def already_loaded(self) -> bool:
        return not any(self.inserted.values())


def _insert(engine: Engine, table: Table) -> Any:
    name = engine.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    return insert(table)  # others: the version check in load_version keeps it idempotent


def _count(conn: Any, table: Table, version: str) -> int:
    return int(conn.execute(select(func.count()).where(table.c.version == version)).scalar_one())


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _rows(df: Any) -> list[dict[str, Any]]:
    """Plain Python values (pandas boxes int64/float64/bool into int/float/bool)."""
    return [{str(k): v for k, v in r.items()} for r in df.to_dict("records")]


def load_version(engine: Engine, version_dir: Path) -> LoadResult:
    """Load one version (its manifest, both side tables and the merged table)."""
    from benchcrawl.products.load import read_table

    version = version_dir.name
    manifest = read_manifest(version_dir)
    rows = manifest.get("rows", {})
    row = {
        "version": version,
        "swept_at": datetime.strptime(version, VERSION_FORMAT).replace(tzinfo=UTC),
        "written_at": _when(manifest.get("written_at")),
        "benchcrawl_version": manifest.get("benchcrawl_version"),
        "combinations": manifest.get("combinations"),
        "rows_interactivity": rows.get("interactivity"),
        "rows_e2e": rows.get("e2e"),
        "rows_merged": rows.get("merged"),
        "unchanged_from": manifest.get("unchanged_from"),
    }
    side_rows: list[dict[str, Any]] = []
    for kind in ("interactivity", "e2e"):
        side = read_table(version_dir, kind)[SIDE_COLUMNS]
        side_rows += [{"version": version, "kind": kind, **r} for r in _rows(side)]
    merged_rows = [
        {"version": version, **r} for r in _rows(read_table(version_dir, "merged")[MERGED_COLUMNS])
    ]
    tables: tuple[tuple[Table, list[dict[str, Any]]], ...] = (
        (versions, [row]),
        (records, side_rows),
        (merged, merged_rows),
    )
    try:
        with engine.begin() as conn:
            before = {t.name: _count(conn, t, version) for t, _ in tables}
            generic = engine.dialect.name not in ("sqlite", "postgresql")
            if not (generic and before["versions"]):
                for table, data in tables:
                    if data:
                        conn.execute(_insert(engine, table), data)
            after = {t.name: _count(conn, t, version) for t, _ in tables}
    except SQLAlchemyError as e:
        raise BenchcrawlError(
            f"cannot load version {version} into {redacted(str(engine.url))}: {_first_line(e)}"
        ) from e
    return LoadResult(version, {k: after[k] - before[k] for k in after})


def row_counts(engine: Engine, version: str | None = None) -> dict[str, int]:
    """Rows per table, of one version or of all."""
    out = {}
    with engine.connect() as conn:
        for table in (versions, records, merged):
            query = select(func.count()).select_from(table)
            if version is not None:
                query = query.where(table.c.version == version)
            out[table.name] = int(conn.execute(query).scalar_one())
    return out
