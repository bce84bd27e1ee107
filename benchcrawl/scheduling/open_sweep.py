"""Open an InferenceMAX sweep on the cluster without crawling it: the sweep record is
created (or the open one joined) and its discovery request queued on the frontier, for the
serving workers (``-a serve=1``) to do. The scheduler's way to "only say when"."""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.misc import build_from_crawler, load_object

from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier.dupefilter import RedisDupeFilter
from benchcrawl.frontier.factory import frontier_queue
from benchcrawl.frontier.interface import Push
from benchcrawl.frontier.partitions import PartitionedQueue
from benchcrawl.frontier.serialize import RequestCodec
from benchcrawl.sweep.state import OPEN, SUCCEEDED
from benchcrawl.sweep.store import SweepStore

logger = logging.getLogger(__name__)


def open_sweep(settings: Settings, spider_args: dict[str, Any]) -> tuple[str, bool]:
    """``(sweep id, opened by this call)``: a new sweep with its discovery request queued,
    or the sweep already open. *settings* as a crawl of the spider sees them
    (``benchcrawl.commands.spider_settings``)."""
    store, sweep_id, created = _open(settings, spider_args)
    store.close()
    return sweep_id, created


def _open(settings: Settings, spider_args: dict[str, Any]) -> tuple[SweepStore, str, bool]:
    from benchcrawl.spiders.inferencemax import InferenceMaxSpider

    if not settings.get("REDIS_URL"):
        raise ConfigError("opening a sweep for serving workers needs REDIS_URL.")
    crawler = Crawler(InferenceMaxSpider, settings)
    spider = InferenceMaxSpider.from_crawler(crawler, **spider_args)
    crawler.spider = spider
    try:
        spider.sweep_id, created = spider.sweep_store.join(time.time())
        if created:
            _queue(crawler, spider)
    except BaseException:
        spider.sweep_store.close()
        raise
    return spider.sweep_store, spider.sweep_id, created


class SweepRun:
    """A sweep done by serving workers, followed from its record: a scheduler's ``Run``
    (:mod:`benchcrawl.scheduling.runner`): exit code 0 when it succeeded, 1 when it failed."""

    pid = "-"  # no process of the scheduler's

    def __init__(self, store: SweepStore, sweep_id: str, poll: float) -> None:
        self.store = store
        self.sweep_id = sweep_id
        self.poll = poll
        self.last = ""

    def wait(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while True:
            status, self.last = self.store.status(self.sweep_id)
            if status != OPEN:
                self.store.close()
                return 0 if status == SUCCEEDED else 1
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(self.poll, left))

    def stop(self, grace: float) -> None:
        self.store.abandon(self.sweep_id, "stopped by the scheduler before it ended")
        self.store.close()

    def detail(self) -> str:
        return self.last


class SweepLauncher:
    """Opens the sweep for serving workers instead of starting a crawl (a ``Launcher``)."""

    def __init__(self, settings: Settings, spider_args: dict[str, Any]) -> None:
        self.settings = settings
        self.spider_args = spider_args

    def start(self) -> SweepRun:
        store, sweep_id, created = _open(self.settings, self.spider_args)
        logger.info(
            "%s sweep %s for the serving workers", "opened" if created else "joined", sweep_id
        )
        return SweepRun(store, sweep_id, self.settings.getfloat("INFERENCEMAX_END_POLL_INTERVAL"))


def _queue(crawler: Crawler, spider: Any) -> None:
    settings = crawler.settings
    # what a crawl sets as it starts, for the dupefilter's fingerprints and the queue's stats
    crawler.stats = StatsCollector(crawler)
    crawler.request_fingerprinter = build_from_crawler(
        load_object(settings["REQUEST_FINGERPRINTER_CLASS"]), crawler
    )
    dupefilter = build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler)
    if not isinstance(dupefilter, RedisDupeFilter):
        raise ConfigError(f"DUPEFILTER_CLASS is {settings['DUPEFILTER_CLASS']}, not Redis's.")
    queue = frontier_queue(
        dupefilter.server, settings, spider.name, "scheduler", crawler, dupefilter.mode
    )
    request = spider.discovery_request()
    fingerprint = dupefilter.fingerprint(request)
    partition = (
        queue.partition_of(request.url, fingerprint) if isinstance(queue, PartitionedQueue) else 0
    )
    codec = RequestCodec(spider, settings.getlist("FRONTIER_TRANSIENT_META_KEYS"))
    push = Push(
        not request.dont_filter,
        -request.priority,
        codec.encode(request),
        dupefilter.key_of(fingerprint),
        partition,
    )
    queue.commit([push], [], [])
