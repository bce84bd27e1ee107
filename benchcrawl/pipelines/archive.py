"""Stage 4: keep each successful sweep as a version and switch ``latest`` to it.

A sweep with any failed combination is not archived: ``latest/`` keeps pointing at the
last good version, the sweep is marked failed, and the crawl exits non-zero naming the
combinations that failed and why.

Once a version has landed and ``latest`` points to it, its derived products are made
(``benchcrawl/products/``): the diff against the version before it, ``merged.parquet``, the
results database load and ``report.md`` (plus the charts with ``ARCHIVE_CHARTS``). They run
in a thread, before the sweep is marked succeeded, so the workers' fast exit cannot cut them
short. A product that fails (a database that is down, a full disk) does not undo the
version: it is one ERROR line naming the step and the command that makes it again, it is
counted in ``inferencemax/products/failed``, and it is named at the end of the sweep's
detail. The exit code stays 0: it says whether a new version was written, and it was.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from benchcrawl import __version__
from benchcrawl.config import load_config
from benchcrawl.connection import RedisRetry
from benchcrawl.exceptions import ArchiveError
from benchcrawl.items import INFERENCEX, MergedSweep
from benchcrawl.products.location import SQLITE_NAME, database_url
from benchcrawl.products.make import REDO, STEPS, make_products
from benchcrawl.storage.versions import (
    discard_version,
    latest_version,
    list_versions,
    switch_latest,
    write_version,
)
from benchcrawl.sweep.state import FAILED, SUCCEEDED, describe_failures
from benchcrawl.sweep.store import SweepStore

logger = logging.getLogger(__name__)


def data_dir_from_settings(settings: Any) -> Path:
    """``-s DATA_DIR`` (or the DATA_DIR environment variable) wins over the config's."""
    configured = settings.get("DATA_DIR") or load_config(settings["BENCHCRAWL_CONFIG"]).data_dir
    return Path(configured).expanduser().resolve()


def _csv_writer(df: Any):
    from benchcrawl.inferencemax.table import write_csv  # pandas, only when finishing a sweep

    return lambda path: write_csv(df, path)


def _bytes_writer(body: bytes):
    return lambda path: path.write_bytes(body)


def _import_db() -> None:
    importlib.import_module("benchcrawl.products.db")


def database_url_from_settings(settings: Any, data_dir: Path) -> str:
    """``DATABASE_URL``, else SQLite at ``DATA_DIR/benchcrawl.sqlite``."""
    return database_url(settings.get("DATABASE_URL"), data_dir)


class ArchivePipeline:
    def __init__(
        self,
        crawler: Crawler,
        data_dir: Path,
        database_url: str = "",
        charts: bool = False,
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.data_dir = data_dir
        self.database_url = database_url or f"sqlite:///{data_dir / SQLITE_NAME}"
        self.steps = [s for s in STEPS if charts or s != "charts"]
        self.redis = RedisRetry.for_crawler(
            crawler, "sweep record", lambda: self.stats.inc_value("inferencemax/sweep/redis_errors")
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        data_dir = data_dir_from_settings(crawler.settings)
        return cls(
            crawler,
            data_dir,
            database_url_from_settings(crawler.settings, data_dir),
            crawler.settings.getbool("ARCHIVE_CHARTS"),
        )

    def open_spider(self) -> None:
        if "db" in self.steps:
            # SQLAlchemy takes ~0.25 s to import; the db step needs it only once the sweep
            # has landed, so load it while the browser works instead of after
            threading.Thread(target=_import_db, name="import-sqlalchemy", daemon=True).start()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, MergedSweep):
            return item
        store: SweepStore = self.crawler.spider.sweep_store  # type: ignore[union-attr]
        tables = item.tables
        if tables.failures:
            detail = (
                f"{len(tables.failures)} of {max(tables.planned, 1)} combinations failed, "
                f"latest/ left untouched: {describe_failures(tables.failures)}"
            )
            await self.redis(store.finish, item.sweep_id, FAILED, detail)
            return item
        if item.generation == INFERENCEX:
            await self._archive_inferencex(store, item)
            return item
        if item.merged is None or len(item.merged) == 0:
            await self.redis(
                store.finish,
                item.sweep_id,
                FAILED,
                "the merge produced no rows, latest/ left untouched",
            )
            return item
        previous = self._previous()
        try:
            version_dir = self._write(item, previous)
        except ArchiveError as e:
            await self._failed(store, item.sweep_id, e)
            return item
        try:
            latest = switch_latest(self.data_dir, version_dir)
        except ArchiveError as e:
            discard_version(version_dir)  # never latest: a failed sweep keeps no version
            await self._failed(store, item.sweep_id, e)
            return item
        self.stats.set_value("inferencemax/archive/version", version_dir.name)
        failed = await self._products(version_dir, previous)
        await self.redis(
            store.finish,
            item.sweep_id,
            SUCCEEDED,
            f"{len(item.merged)} merged rows from {tables.planned} combinations in "
            f"{version_dir}; {latest} points to it"
            + (f"; derived products failed: {', '.join(failed)}" if failed else ""),
        )
        return item

    async def _archive_inferencex(self, store: SweepStore, item: MergedSweep) -> None:
        """An InferenceX sweep: ``write_inferencex_version`` writes the version
        (results.csv, raw answers, manifest) and grows the history beside it; here
        ``latest`` is switched, the derived products made (diff, database, report, charts
        with ``ARCHIVE_CHARTS``: ``products/inferencex_make.py``) and the sweep finished."""
        from benchcrawl.storage.inferencex import write_inferencex_version

        tables = item.tables
        previous = self._previous()
        try:
            version = await asyncio.to_thread(
                write_inferencex_version,
                self.data_dir,
                item.sweep_id,
                tables.results,
                tables.planned,
                previous,
                "",  # the database is the products' db step, as for the 2025 generation
            )
        except ArchiveError as e:
            await self._failed(store, item.sweep_id, e)
            return
        try:
            latest = switch_latest(self.data_dir, version.path)
        except ArchiveError as e:
            discard_version(version.path)
            await self._failed(store, item.sweep_id, e)
            return
        self.stats.set_value("inferencemax/archive/version", version.path.name)
        self.stats.set_value("inferencex/results/new", version.new_results)
        failed = await self._products(version.path, previous)
        notes = [f"unchanged from {version.unchanged_from}"] if version.unchanged_from else []
        if failed:
            notes.append(f"derived products failed: {', '.join(failed)}")
        await self.redis(
            store.finish,
            item.sweep_id,
            SUCCEEDED,
            f"{version.rows} rows from {tables.planned} combinations ({version.new_results} "
            f"new results, {version.history_rows} in the history) in {version.path}; "
            f"{latest} points to it" + "".join(f"; {n}" for n in notes),
        )

    def _previous(self) -> Path | None:
        """The version this one follows: ``latest``, else the newest in the archive."""
        latest = latest_version(self.data_dir)
        if latest is not None:
            return latest
        versions = list_versions(self.data_dir)
        return versions[-1] if versions else None

    async def _products(self, version_dir: Path, previous: Path | None) -> list[str]:
        """Make the version's derived products; returns the steps that failed."""
        outcomes = await asyncio.to_thread(
            make_products, version_dir, previous, self.database_url, self.steps
        )
        failed = []
        for o in outcomes:
            self.stats.set_value(f"inferencemax/products/seconds/{o.step}", round(o.seconds, 3))
            if o.error is None:
                logger.info(
                    "version %s: %s: %s (%.2f s)", version_dir.name, o.step, o.detail, o.seconds
                )
                continue
            failed.append(o.step)
            self.stats.inc_value("inferencemax/products/failed")
            self.stats.set_value(f"inferencemax/products/failed/{o.step}", 1)
            logger.error(
                "version %s landed, but its %s step failed: %s; make it again with `%s %s`",
                version_dir.name,
                o.step,
                o.error,
                REDO[o.step],
                version_dir.name,
            )
        return failed

    async def _failed(self, store: SweepStore, sweep_id: str, error: ArchiveError) -> None:
        """The sweep fails with the reason (the crawl's last line and exit code say it)."""
        self.stats.inc_value("inferencemax/archive/failed")
        detail = f"archive failed, latest/ left untouched: {error}"
        await self.redis(store.finish, sweep_id, FAILED, detail)

    def _write(self, item: MergedSweep, previous: Path | None) -> Path:
        tables = item.tables
        writers = {
            "interactivity.csv": _csv_writer(item.interactivity),
            "e2e.csv": _csv_writer(item.e2e),
            "merged.csv": _csv_writer(item.merged),
        }
        sources = []
        for result in tables.results:
            name = "raw/" + (urlsplit(result.url).path.rsplit("/", 1)[-1] or "data.json")
            writers[name] = _bytes_writer(result.body)
            sources.append(
                {
                    "model": result.model,
                    "sequence": result.sequence,
                    "kind": result.kind,
                    "url": result.url,
                    "fetched_at": result.fetched_at,
                    "records": len(result.records or ()),
                    "file": name,
                }
            )
        manifest = {
            "sweep_id": item.sweep_id,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "benchcrawl_version": __version__,
            "combinations": tables.planned,
            "rows": {
                "interactivity": len(item.interactivity),
                "e2e": len(item.e2e),
                "merged": len(item.merged),
            },
            "merge_report": item.merge_report,
            "sources": sources,
        }
        return write_version(self.data_dir, item.sweep_id, writers, manifest, previous)
