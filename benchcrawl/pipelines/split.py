"""Stage 2: file each validated result under its kind (interactivity | e2e) in the sweep.

Results are kept in the sweep record (memory or Redis), so files captured by different
workers end in one place; during a Redis outage the item waits for Redis, with backoff.
The worker whose item accounts for the last combination receives the whole sweep as a
:class:`~benchcrawl.items.SweepTables` item and carries it on to merge and archive:
exactly one worker per sweep does.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from benchcrawl.connection import RedisRetry
from benchcrawl.items import CombinationFailure, CombinationResult
from benchcrawl.sweep.store import SweepStore

logger = logging.getLogger(__name__)


class SplitPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.redis = RedisRetry.for_crawler(  # waits out an outage, but not a shutdown
            crawler,
            "sweep record",
            lambda: self.stats.inc_value("inferencemax/sweep/redis_errors"),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SplitPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        store: SweepStore = self.crawler.spider.sweep_store  # type: ignore[union-attr]
        if isinstance(item, CombinationResult):
            progress = await self.redis(store.record_result, item)
            if progress.newly_accounted:
                self.stats.inc_value("inferencemax/combinations/done")
                logger.info(
                    "combination %d/%d done: %s x %s, %d records per file",
                    progress.accounted,
                    progress.planned,
                    item.model,
                    item.sequence,
                    len(item.records or ()),
                )
        elif isinstance(item, CombinationFailure):
            progress = await self.redis(store.record_failure, item)
            if progress.newly_accounted:
                self.stats.inc_value("inferencemax/combinations/failed")
                what = "option discovery" if item.index == 0 else f"{item.model} x {item.sequence}"
                logger.error(
                    "combination %d/%d failed: %s: %s",
                    progress.accounted,
                    max(progress.planned, 1),
                    what,
                    item.reason,
                )
        else:
            return item
        if not progress.finalize:
            raise DropItem("stored in the sweep", log_level="DEBUG")
        self.stats.set_value("inferencemax/sweep/finalized_here", 1)
        return await self.redis(store.load, item.sweep_id)
