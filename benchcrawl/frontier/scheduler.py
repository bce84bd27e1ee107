"""The Redis scheduler: a worker's window on the shared, leased queue.

``next_request`` serves a small local buffer refilled by one leasing call; ``enqueue_request``
only appends to the outbox, which a timer (and an empty buffer) commits in one Lua call. A
timer also renews this worker's leases, heartbeats, reclaims expired leases and reads the
cluster's state, from which ``has_pending_requests`` answers for the whole cluster.
While Redis is unreachable everything stays local and is retried with backoff. A
scrapy-redis spider's start key is read here too (:mod:`~benchcrawl.frontier.start_urls`),
and a shutdown is bounded (:mod:`~benchcrawl.frontier.shutdown`).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import deque

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet import task

from benchcrawl import signals as bc_signals
from benchcrawl.connection import REDIS_DOWN, RedisGuard
from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier.dupefilter import DedupQuery, RedisDupeFilter, dedup_options
from benchcrawl.frontier.factory import frontier_queue, purge_frontier
from benchcrawl.frontier.interface import ClusterState, FrontierQueue, Push
from benchcrawl.frontier.lease import LEASE_KEY, LeaseBudget, LeaseErrback
from benchcrawl.frontier.outbox import Outbox
from benchcrawl.frontier.partitions import PartitionedQueue
from benchcrawl.frontier.queue import LeasedQueue
from benchcrawl.frontier.recent import RecentlySeen
from benchcrawl.frontier.serialize import RequestCodec, RequestNotSerializable
from benchcrawl.frontier.serve import parse_serve, serving
from benchcrawl.frontier.shutdown import ShutdownWatch
from benchcrawl.frontier.start_urls import (
    StartUrlFeed,
    StartUrls,
    idle_before_close,
    is_entry,
    reads_start_key,
)
from benchcrawl.frontier.timing import IdleClock
from benchcrawl.frontier.wake import engine_wakeup
from benchcrawl.identity import worker_id
from benchcrawl.stats import inc

logger = logging.getLogger(__name__)

COMMIT_SIZE = 1000  # outbox operations per commit: keeps each Lua call short
CLOSE_RETRY = 0.5  # s between tries to reach Redis at close
CLOSE_MARGIN = 1.0  # s before the shutdown deadline that the close stops trying


class RedisScheduler:
    def __init__(
        self,
        crawler: Crawler,
        queue: FrontierQueue,
        dupefilter: RedisDupeFilter,
        *,
        lease_time: float,
        lease_batch: int,
        flush_interval: float,
        idle_before_close: float,
        idle_poll_interval: float,
        retry_max_delay: float,
        transient_meta_keys: list[str],
        persist: bool,
        local_seen: int = 0,
        shutdown_timeout: float = 8.0,
        start_urls_dedup: bool = True,
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.queue = queue
        self.partition_of = queue.partition_of if isinstance(queue, PartitionedQueue) else None
        self.dupefilter = dupefilter
        self.lease_ms = int(lease_time * 1000)
        self.renew_every = lease_time / 3
        self.budget = LeaseBudget(lease_batch)
        self.flush_interval = flush_interval
        self.idle_poll = idle_poll_interval
        self.transient = transient_meta_keys
        self.persist = persist
        self.idle = IdleClock(idle_before_close)
        self.redis = RedisGuard(
            "frontier",
            retry_max_delay,
            count=lambda: inc(self.stats, "frontier/redis/errors"),
            holding=lambda: (
                f"keeping {len(self.outbox)} queued writes and {len(self.held)} leases in "
                "this worker and retrying"
            ),
        )
        self.outbox = Outbox()
        self.recent = RecentlySeen(local_seen)
        self.buffer: deque[tuple[str, Request]] = deque()
        self.held: set[str] = set()
        self.cluster: ClusterState | None = None
        self.state_at = 0.0  # monotonic time of the last cluster read
        self.lease_after = 0.0  # no leasing call before this (the queue was empty)
        self.renew_at = 0.0  # next renewal of this worker's leases
        self.codec: RequestCodec | None = None
        self.loop: task.LoopingCall | None = None
        self.watch = ShutdownWatch(shutdown_timeout, self._leftover)
        self.feed: StartUrlFeed | None = None  # a scrapy-redis spider's start key
        self.start_dedup = start_urls_dedup

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("the Redis scheduler needs REDIS_URL")
        assert crawler.spider is not None
        dupefilter = build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler)
        if not isinstance(dupefilter, RedisDupeFilter):
            raise ConfigError(
                f"DUPEFILTER_CLASS is {settings['DUPEFILTER_CLASS']}; the Redis scheduler "
                f"deduplicates in Redis and needs benchcrawl.frontier.dupefilter.RedisDupeFilter."
            )
        worker = worker_id()
        queue = frontier_queue(
            dupefilter.server, settings, crawler.spider.name, worker, crawler, dupefilter.mode
        )
        if isinstance(queue, PartitionedQueue):
            dupefilter.partition(
                [part.keys.dupefilter for part in queue.parts],
                dedup_options(settings, len(queue))["bloom"],
                queue.route_key,
            )
        idle_wait = settings.getfloat("SCHEDULER_IDLE_BEFORE_CLOSE")
        if reads_start_key(crawler.spider):
            inner = queue.parts[0] if isinstance(queue, PartitionedQueue) else queue
            if type(inner) is not LeasedQueue:
                raise ConfigError(
                    f"{crawler.spider.name} reads start URLs from Redis (redis_key), which "
                    f"needs FRONTIER_QUEUE_CLASS = benchcrawl.frontier.queue.LeasedQueue, "
                    f"not {settings['FRONTIER_QUEUE_CLASS']}."
                )
            idle_wait = idle_before_close(crawler.spider, settings)
        if hasattr(crawler.spider, "serve"):  # -a serve=1 arrives as text: a flag from now on
            crawler.spider.serve = parse_serve(crawler.spider.serve)  # type: ignore[attr-defined]
        if serving(crawler.spider):
            idle_wait = math.inf  # a serving worker waits for work until told to stop
        scheduler = cls(
            crawler,
            queue,
            dupefilter,
            lease_time=settings.getfloat("FRONTIER_LEASE_TIME"),
            lease_batch=settings.getint("FRONTIER_LEASE_BATCH"),
            flush_interval=settings.getfloat("FRONTIER_FLUSH_INTERVAL"),
            idle_before_close=idle_wait,
            idle_poll_interval=settings.getfloat("FRONTIER_IDLE_POLL_INTERVAL"),
            retry_max_delay=settings.getfloat("FRONTIER_RETRY_MAX_DELAY"),
            transient_meta_keys=settings.getlist("FRONTIER_TRANSIENT_META_KEYS"),
            persist=settings.getbool("SCHEDULER_PERSIST"),
            local_seen=settings.getint("FRONTIER_LOCAL_SEEN"),
            shutdown_timeout=settings.getfloat("FRONTIER_SHUTDOWN_TIMEOUT"),
            start_urls_dedup=settings.getbool("FRONTIER_START_URLS_DEDUP"),
        )
        connect = crawler.signals.connect
        connect(scheduler.on_leasing_paused, signal=bc_signals.leasing_paused)
        connect(scheduler.on_leasing_resumed, signal=bc_signals.leasing_resumed)
        connect(scheduler.on_lease_limit_changed, signal=bc_signals.lease_limit_changed)
        return scheduler

    # --- Scrapy's scheduler interface ------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.codec = RequestCodec(spider, self.transient)
        self.dupefilter.open()
        if reads_start_key(spider):
            starts = StartUrls.take_over(
                self.queue.server,
                spider,
                self.queue.keys,
                self.crawler.settings,
                self.crawler.signals,
            )
            self.feed = StartUrlFeed(starts, self.start_dedup, self.idle_poll, self.stats)
            self._take_start_urls()
            logger.info(
                "reading start URLs from %s (a Redis %s), closing after %s idle s",
                starts.key,
                starts.kind,
                self.idle.wait,
            )
        self._maintain()
        if serving(spider):
            logger.info("serving: waiting for work until told to stop (SIGTERM or SIGINT)")
        logger.info(
            "worker %s on %s (%d queued, %d leased in the cluster)",
            self.queue.worker,
            self.queue.keys.queue,
            self.cluster.queued if self.cluster else -1,
            self.cluster.leased if self.cluster else -1,
        )
        self.loop = task.LoopingCall(self._tick)
        self.loop.start(self.flush_interval, now=False)

    def close(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.watch.begin(time.monotonic(), hard=False)  # a close is bounded, whatever ends it
        released = 0
        while True:
            try:
                self._flush_all()
                released = self.queue.release(sorted(self.held))
                self.queue.leave()
                break
            except REDIS_DOWN as e:
                left = self.watch.remaining(time.monotonic()) or 0.0
                if left < CLOSE_MARGIN + CLOSE_RETRY:
                    logger.warning("Redis unreachable at close (%s); %s", e, self._leftover())
                    self._close_rest(reason)
                    return
                time.sleep(CLOSE_RETRY)
        inc(self.stats, "frontier/leases/released", released)
        if not self.persist and reason == "finished":
            self._purge_if_last()
        self._close_rest(reason)

    def _close_rest(self, reason: str) -> None:
        self.watch.uninstall()
        self.dupefilter.close(reason)

    def _leftover(self) -> str:
        return (
            f"{len(self.held)} leases (and {len(self.outbox)} unsent writes) are left to "
            "expire and be crawled again"
        )

    def has_pending_requests(self) -> bool:
        if self.buffer or self.outbox:
            return True
        now = time.monotonic()
        if now - self.state_at >= self.idle_poll:
            self.redis(self._maintain)
        state = self.cluster
        if self.redis.backoff.outage_started is not None or state is None:
            return True  # unknown: keep the worker alive
        if state.queued or state.leased or (self.feed is not None and self.feed.left):
            return True
        return not self.idle.idle(now)

    def enqueue_request(self, request: Request) -> bool:
        assert self.codec is not None
        lease = request.meta.get(LEASE_KEY)
        fingerprint = self.dupefilter.fingerprint(request)
        if not request.dont_filter and fingerprint in self.recent:
            inc(self.stats, "frontier/dedup/hits")
            inc(self.stats, "frontier/dedup/local_hits")
            if lease:  # a redirect to a page already seen: the original is done
                self.finish(lease, None)
            return False
        try:
            data = self.codec.encode(request)
        except RequestNotSerializable as e:
            logger.error("%s", e)
            inc(self.stats, "frontier/requests/unserializable")
            if lease:
                self.finish(lease, f"its successor could not be queued: {e}")
            return False
        key = self.dupefilter.key_of(fingerprint)
        partition = self.partition_of(request.url, fingerprint) if self.partition_of else 0
        self.outbox.push(Push(not request.dont_filter, -request.priority, data, key, partition))
        if not request.dont_filter:
            self.recent.add(fingerprint)
        if lease:  # a retry or redirect of a leased request replaces it
            self.finish(lease, None)
        inc(self.stats, "scheduler/enqueued/redis")
        inc(self.stats, "scheduler/enqueued")  # the total, next to the namespaced one, as Scrapy's
        self.idle.busy()
        if len(self.outbox) >= COMMIT_SIZE:
            self.redis(self._flush)
        return True

    def next_request(self) -> Request | None:
        if not self.buffer and self.watch.deadline is None:  # no new leases when stopping
            self._refill()
        if not self.buffer:
            return None
        _, request = self.buffer.popleft()
        inc(self.stats, "scheduler/dequeued/redis")
        inc(self.stats, "scheduler/dequeued")
        return request

    def __len__(self) -> int:
        return len(self.buffer) + (self.cluster.queued if self.cluster else 0)

    # --- for the spider -------------------------------------------------------------------
    @property
    def worker(self) -> str:
        """This worker's id in the frontier (the owner of its leases)."""
        return self.queue.worker

    def dedup_query(self, requests: list[Request]) -> DedupQuery:
        """The shared dedup's items for *requests*, to be checked in a caller's own Redis
        call (the broad spider checks a page's links with its visited record)."""
        return self.dupefilter.query(requests)

    # --- leases ----------------------------------------------------------------------------
    def finish(self, lease: str, reason: str | None) -> None:
        """End a lease: ack it (reason None) or record the request as failed."""
        if lease not in self.held:
            return
        self.held.discard(lease)
        if reason is None:
            self.outbox.ack(lease)
            inc(self.stats, "frontier/requests/acked")
            return
        record = {"reason": reason, "worker": self.queue.worker, "at": round(time.time(), 3)}
        self.outbox.fail(lease, json.dumps(record))
        inc(self.stats, "frontier/requests/failed")
        logger.debug("request %s failed for good: %s", lease, reason)

    def _refill(self) -> None:
        now = time.monotonic()
        if self.outbox:
            self.redis(self._flush)
        if now < self.lease_after or not self.redis.backoff.ready(now):
            return
        room = self._lease_room()
        if room <= 0:
            return
        rows = self.redis(self.queue.lease, room, self.lease_ms)
        if not rows:
            if rows is not None:
                self.lease_after = now + self.idle_poll
            return
        assert self.codec is not None
        crawl = self.crawler.engine.crawl  # type: ignore[union-attr]
        entries = []
        for lease, data in rows:
            self.held.add(lease)
            if is_entry(lease):
                entries.append((lease, data))
                continue
            try:
                request = self.codec.decode(data)
            except Exception as e:
                logger.error("cannot read queued request %s: %s", lease, e)
                inc(self.stats, "frontier/requests/unreadable")
                self.finish(lease, f"unreadable: {e}")
                continue
            request.meta[LEASE_KEY] = lease
            request.errback = LeaseErrback(lease, request.errback, self.finish, crawl)
            self.buffer.append((lease, request))
        inc(self.stats, "frontier/requests/leased", len(rows))
        self.idle.busy()
        for lease, data in entries:
            self._expand_start_entry(lease, data)

    # --- a scrapy-redis spider's start key (fed by benchcrawl.frontier.start_urls) ---------
    def _take_start_urls(self) -> None:
        assert self.feed is not None
        if self.feed.take():
            self.lease_after = 0.0
            self.idle.busy()
            self._wake_engine()

    def _expand_start_entry(self, lease: str, data: bytes) -> None:
        """Queue a leased start entry's requests, then ack it (the same or a later commit)."""
        assert self.codec is not None
        try:
            if self.feed is None:
                raise ValueError("this spider reads no start key (it has no redis_key)")
            requests = self.feed.requests(data, self.codec)
        except Exception as e:
            logger.error("start URL entry %s made no request: %s", lease, e)
            inc(self.stats, "frontier/start_urls/unusable")
            self.finish(lease, f"start URL entry: {e}")
            return
        crawl = self.crawler.engine.crawl  # type: ignore[union-attr]
        for request in requests:
            crawl(request)
        self.finish(lease, None)

    # --- resource-aware leasing (benchcrawl.signals, sent by the resources middleware) ----
    def on_leasing_paused(self, reason: str) -> None:
        self.budget.pause(reason)

    def on_leasing_resumed(self) -> None:
        self.budget.resume()
        self.lease_after = 0.0

    def on_lease_limit_changed(self, limit: int) -> None:
        self.budget.set_limit(limit)

    def _lease_room(self) -> int:
        return self.budget.room(len(self.held))

    def _maintain(self) -> None:
        state = self.queue.maintain(sorted(self.held), self.lease_ms, 10 * self.lease_ms)
        self.cluster = state
        self.state_at = time.monotonic()
        self.renew_at = self.state_at + self.renew_every
        if state.queued:
            self.lease_after = 0.0
        if state.queued or state.leased:
            self.idle.busy()
        else:
            self.idle.idle(self.state_at)  # starts the idle clock at the first observation
        inc(self.stats, "frontier/leases/reclaimed", state.reclaimed)
        if state.reclaimed:
            logger.info(
                "put %d expired leases back in the queue (a worker stopped without handing "
                "them back)",
                state.reclaimed,
            )
        if state.lost:
            lost = set(state.lost)
            self.held -= lost
            self.buffer = deque((i, r) for i, r in self.buffer if i not in lost)
            inc(self.stats, "frontier/leases/lost", len(lost))
            logger.warning(
                "%d leases expired before this worker renewed them; another "
                "worker may crawl those requests again",
                len(lost),
            )

    # --- writes ----------------------------------------------------------------------------
    def _flush(self) -> None:
        batch = self.outbox.peek(COMMIT_SIZE)
        if not batch:
            return
        result = self.queue.commit(batch.pushes, batch.acks, batch.fails)
        self.outbox.drop(len(batch))
        inc(self.stats, "frontier/requests/enqueued", result.pushed)
        inc(self.stats, "frontier/dedup/hits", result.duplicates)
        if result.pushed:
            self.lease_after = 0.0

    def _flush_all(self) -> None:
        while self.outbox:
            self._flush()

    def _tick(self) -> None:
        now = time.monotonic()
        self.watch.observe(now, self.crawler.crawling)
        if not self.redis.backoff.ready(now):
            return
        if self.outbox:
            self.redis(self._flush_all)
        if self.feed is not None and self.watch.deadline is None and self.feed.due(now):
            try:
                self.redis(self._take_start_urls)
            except ConfigError as e:
                logger.error("%s", e)
                self.feed = None
        holds_nothing = not self.held and not self.outbox
        if now >= self.renew_at or (holds_nothing and now - self.state_at >= self.idle_poll):
            self.redis(self._maintain)
            if holds_nothing and self.cluster and self.cluster.queued and self._lease_room():
                self._wake_engine()  # work appeared while this worker had none

    def _wake_engine(self) -> None:
        wakeup = engine_wakeup(self.crawler)
        if wakeup is not None:
            wakeup()

    def _purge_if_last(self) -> None:
        state = self.cluster
        others = self.queue.report(failed_limit=0)["workers"]
        others.pop(self.queue.worker, None)
        live = [w for w, age in others.items() if age < 3 * self.renew_every]
        if state and not state.queued and not state.leased and not live:
            spider = self.crawler.spider
            assert spider is not None
            purge_frontier(self.queue.server, self.crawler.settings, spider.name, self.queue)
            logger.info("SCHEDULER_PERSIST is off: deleted the finished crawl's state")


def running_scheduler(crawler: Crawler) -> RedisScheduler | None:
    """The crawl's Redis frontier scheduler, or ``None`` before the engine runs or when the
    crawl runs on another scheduler (no ``REDIS_URL``)."""
    engine = crawler.engine
    scheduler = engine.scheduler if engine is not None else None
    return scheduler if isinstance(scheduler, RedisScheduler) else None
