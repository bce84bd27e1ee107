"""The polite queue: one queue per domain and a ``ready`` zset of domains by their next turn.

Selected with ``FRONTIER_QUEUE_CLASS = "benchcrawl.polite.queue.PoliteQueue"`` (the broad
spider does). It implements the frontier's queue interface
(:class:`~benchcrawl.frontier.interface.FrontierQueue`); the scheduler, leases, acks, outbox
and dedup are the frontier's own. A lease call takes the next request of each domain whose
turn has come (or comes within ``BROAD_LEASE_LOOKAHEAD``: the fetch then waits in
:mod:`benchcrawl.polite.gate`) and moves that domain's turn on by its delay, on Redis's
clock, so any number of workers share one schedule. A domain's first lease (and the first
after its robots.txt entry expires) is a robots.txt fetch, built here from the returned
origin. Keys: see :mod:`benchcrawl.polite`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from scrapy.crawler import Crawler
from twisted.internet.base import DelayedCall

from benchcrawl.broad.scope import host_of
from benchcrawl.connection import key_scope, one_slot
from benchcrawl.frontier.interface import ClusterState, CommitResult, FrontierKeys, Push
from benchcrawl.frontier.queue import RECLAIM_LIMIT, report
from benchcrawl.frontier.replication import replicated
from benchcrawl.frontier.serialize import url_of
from benchcrawl.frontier.wake import engine_wakeup
from benchcrawl.polite.keys import PoliteKeys, domain_of, register_polite

logger = logging.getLogger(__name__)

ROBOTS_META = "broad_robots"  # meta key of a robots.txt request: its domain
ROBOTS_CALLBACK = "parse_robots"  # spider methods a robots.txt request is sent to
ROBOTS_ERRBACK = "robots_failed"
WAKE_MAX = 1.0  # s; a later turn is re-checked then (a robots.txt fetch may move it)


class PoliteQueue:
    def __init__(
        self,
        server: redis.Redis,
        keys: FrontierKeys,
        worker: str,
        mode: str,
        polite: PoliteKeys,
        *,
        min_delay: float,
        lookahead: float,
        domain_cap: int,
        subdomains: bool = False,
        stats: Any = None,
        crawler: Crawler | None = None,
        idle_poll: float,
    ) -> None:
        """*crawler*'s settings may ask to wait for replicas after each lease and commit
        (:mod:`~benchcrawl.frontier.replication`)."""
        self.server = server
        self.keys = keys
        self.worker = worker
        self.mode = mode
        self.polite = polite
        self.min_delay_ms = int(min_delay * 1000)
        self.lookahead_ms = int(lookahead * 1000)
        self.domain_cap = domain_cap
        self.subdomains = subdomains
        self.stats = stats
        self.crawler = crawler
        self.idle_poll = idle_poll
        self._wake: DelayedCall | None = None
        self.exhausted = False  # the last lease found no domain queued at all
        one_slot(server, [*keys.all(), *polite.all(), polite.queue_prefix], "the polite queue")
        settings = crawler.settings if crawler is not None else None
        self._lease = replicated(server, register_polite(server, "lease"), settings, stats)
        self._commit = replicated(server, register_polite(server, "commit"), settings, stats)
        self._maintain = register_polite(server, "maintain")
        self._release = register_polite(server, "release")
        self._requeue = register_polite(server, "requeue_failed")

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, server: redis.Redis, keys: FrontierKeys, worker: str, mode: str
    ) -> PoliteQueue:
        settings = crawler.settings
        assert crawler.spider is not None
        scope = keys.scope or key_scope(server, crawler.spider.name)  # the partition's
        return cls(
            server,
            keys,
            worker,
            mode,
            PoliteKeys.from_settings(settings, scope),
            min_delay=settings.getfloat("BROAD_MIN_DELAY"),
            lookahead=settings.getfloat("BROAD_LEASE_LOOKAHEAD"),
            domain_cap=settings.getint("BROAD_DOMAIN_CAP"),
            subdomains=settings.getbool("BROAD_ALLOW_SUBDOMAINS"),
            stats=crawler.stats,
            crawler=crawler,
            idle_poll=settings.getfloat("FRONTIER_IDLE_POLL_INTERVAL"),
        )

    @classmethod
    def for_inspection(
        cls, server: redis.Redis, keys: FrontierKeys, settings: Any, spider_name: str
    ) -> PoliteQueue:
        """A queue for ``scrapy frontier`` (report, re-queue, purge), without a crawl."""
        return cls(
            server,
            keys,
            "scrapy-frontier-command",
            "exact",
            PoliteKeys.from_settings(settings, keys.scope or key_scope(server, spider_name)),
            min_delay=settings.getfloat("BROAD_MIN_DELAY"),
            lookahead=settings.getfloat("BROAD_LEASE_LOOKAHEAD"),
            domain_cap=settings.getint("BROAD_DOMAIN_CAP"),
            idle_poll=settings.getfloat("FRONTIER_IDLE_POLL_INTERVAL"),
        )

    @staticmethod
    def route_key(url: str, fingerprint: bytes) -> bytes:
        """What picks a request's partition (:mod:`~benchcrawl.frontier.partitions`): its
        domain, the name of its queue, so that the domain's queue, turn, politeness clock,
        robots.txt state and the dedup of its URLs are all in one partition."""
        return domain_of(url).encode()

    def lease(self, n: int, lease_ms: int) -> list[tuple[str, bytes]]:
        k, p = self.keys, self.polite
        flat = self._lease(
            keys=[
                p.ready,
                k.data,
                k.leases,
                k.owners,
                p.robots_state,
                p.delays,
                k.seq,
                p.queued,
                p.excluded,
                p.seeds,
            ],
            args=[
                self.worker,
                lease_ms,
                n,
                self.min_delay_ms,
                self.lookahead_ms,
                p.queue_prefix,
                "1" if self.subdomains else "0",
            ],
        )
        if flat[0] and self.stats is not None:
            self.stats.inc_value("broad/frontier/out_of_scope_dropped", int(flat[0]))
        rows = []
        for i in range(2, len(flat), 3):
            lease, data, origin = flat[i].decode(), flat[i + 1], flat[i + 2]
            rows.append((lease, data or robots_request(origin.decode()).encode()))
        self.exhausted = not rows and int(flat[1]) < 0
        if not rows and int(flat[1]) >= 0:
            self._wake_at_next_turn(int(flat[1]) / 1000)
        return rows

    def _wake_at_next_turn(self, seconds: float) -> None:
        """Have the engine ask for requests again when the next domain's turn comes.

        Otherwise an idle worker of a small polite crawl would wait up to the engine's 5 s
        heartbeat past a turn (:mod:`benchcrawl.frontier.wake`).
        """
        wakeup = engine_wakeup(self.crawler)
        if wakeup is None:
            return
        # not before the scheduler's own pause after an empty lease (its idle poll)
        delay = min(max(seconds, self.idle_poll) + 0.01, WAKE_MAX)
        from twisted.internet import reactor as installed  # importing it earlier installs one

        reactor: Any = installed
        if self._wake is not None and self._wake.active():
            if self._wake.getTime() <= reactor.seconds() + delay:
                return
            self._wake.cancel()
        logger.debug("nothing due; next turn in %.3f s", delay)
        self._wake = reactor.callLater(delay, wakeup)

    def commit(
        self, pushes: list[Push], acks: list[str], fails: list[tuple[str, str]]
    ) -> CommitResult:
        k, p = self.keys, self.polite
        args: list[Any] = [self.mode, self.worker, len(pushes), len(acks), len(fails)]
        args += [self.domain_cap, p.queue_prefix]
        for push in pushes:
            domain = domain_of(url_of(push.data))
            args += [domain, "1" if push.filtered else "0", push.score, push.data]
            args += [len(push.fingerprint), *push.fingerprint]
        args += acks
        for lease, record in fails:
            args += [lease, record]
        pushed, dups, acked, failed, dropped = self._commit(
            keys=[
                p.ready,
                k.data,
                k.leases,
                k.owners,
                k.failed,
                k.seq,
                k.dupefilter,
                p.queued,
                p.dropped,
            ],
            args=args,
        )
        if dropped and self.stats is not None:
            self.stats.inc_value("broad/frontier/cap_drops", int(dropped))
        return CommitResult(int(pushed), int(dups), int(acked), int(failed))

    def maintain(self, held: list[str], lease_ms: int, worker_ttl_ms: int) -> ClusterState:
        k, p = self.keys, self.polite
        lost, reclaimed, queued, leased = self._maintain(
            keys=[p.ready, k.data, k.leases, k.owners, k.workers, p.queued],
            args=[self.worker, lease_ms, worker_ttl_ms, RECLAIM_LIMIT, p.queue_prefix, *held],
        )
        return ClusterState([x.decode() for x in lost], int(reclaimed), int(queued), int(leased))

    def release(self, ids: list[str]) -> int:
        if not ids:
            return 0
        k, p = self.keys, self.polite
        return int(
            self._release(
                keys=[p.ready, k.data, k.leases, k.owners, p.queued],
                args=[self.worker, p.queue_prefix, *ids],
            )
        )

    def leave(self) -> None:
        """Take this worker off the cluster's list of live workers (at close)."""
        self.server.zrem(self.keys.workers, self.worker)

    # --- for the `scrapy frontier` command -------------------------------------------------
    def requeue_failed(self, ids: list[str] | None = None) -> int:
        k, p = self.keys, self.polite
        return int(
            self._requeue(
                keys=[k.failed, k.data, p.ready, p.queued], args=[p.queue_prefix, *(ids or [])]
            )
        )

    def report(self, failed_limit: int = 20) -> dict[str, Any]:
        p = self.polite
        out = {"queued": int(self.server.get(p.queued) or 0)}
        out |= report(self.server, self.keys, failed_limit)
        out["domains_ready"] = int(self.server.zcard(p.ready))
        return out

    def purge(self) -> int:
        deleted = int(self.server.delete(*self.keys.all(), *self.polite.all()))
        for prefix in (self.polite.queue_prefix, self.polite.robots_prefix):
            batch: list[bytes] = []
            for key in self.server.scan_iter(match=_glob_escape(prefix) + "*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    deleted += int(self.server.delete(*batch))
                    batch = []
            if batch:
                deleted += int(self.server.delete(*batch))
        return deleted


def robots_request(origin: str) -> str:
    """The JSON of a robots.txt request for *origin* (``scheme://host[:port]``), in the
    format of :class:`~benchcrawl.frontier.serialize.RequestCodec`."""
    meta = {
        ROBOTS_META: host_of(origin),
        "dont_redirect": True,  # a redirect is treated as "no file" (RFC 9309 allows)
        "dont_retry": True,  # a failure is "unreachable": retried after a while
        "handle_httpstatus_all": True,  # 4xx and 5xx mean something here
    }
    request = [f"{origin}/robots.txt", ROBOTS_CALLBACK, ROBOTS_ERRBACK, {"d": meta, "f": True}]
    return json.dumps(request, separators=(",", ":"))


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
