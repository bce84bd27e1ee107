"""Sample this node's load, throttle its leasing, publish its heartbeat.

About once a second (a ``LoopingCall``; nothing here sleeps or blocks the reactor) the
node's load is sampled and the throttle decided (:mod:`benchcrawl.resources`); changes go
to the frontier scheduler as :mod:`benchcrawl.signals`. Every few seconds, in a thread,
the heartbeat goes to Redis and the pause flags and the other nodes come back; this
node's lease limit follows from the ranking.

Needs ``REDIS_URL``: without a shared frontier a lone worker has nobody to hand work to,
and pausing it would only make its crawl longer, so the middleware is off
(``NotConfigured``) on a single machine. ``RESOURCES_ENABLED = False`` switches it off too.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task, threads
from twisted.internet.defer import Deferred

from benchcrawl import signals as bc_signals
from benchcrawl.connection import REDIS_DOWN, key_scope, redact, redis_client
from benchcrawl.identity import node_id
from benchcrawl.resources.activity import IDLE, Activity, Report, mode_of
from benchcrawl.resources.board import BoardKeys, NodeBoard, Snapshot
from benchcrawl.resources.nice import renice
from benchcrawl.resources.policy import nice_setting, resource_aware_off
from benchcrawl.resources.ranking import NodeStatus, average_load, lease_limits, serves_anyway
from benchcrawl.resources.sampler import Reading, Sampler
from benchcrawl.resources.throttle import Decision, LoadGate, RateWindow, State
from benchcrawl.stats import inc

logger = logging.getLogger(__name__)

ALL_OVER = "every node is over a limit and it is the least loaded"
NOTHING = Report(IDLE, "", 0.0, "", 0)  # the activity of a status that is not a heartbeat


class ResourceAwareMiddleware:
    def __init__(
        self,
        crawler: Crawler,
        sampler: Sampler,
        gate: LoadGate,
        board: NodeBoard,
        node: str,
        *,
        sample_interval: float,
        heartbeat_interval: float,
        heartbeat_ttl: float,
        limit_range: tuple[int, int],
        run_in_thread: Callable[..., Deferred] = threads.deferToThread,
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.sampler = sampler
        self.gate = gate
        self.board = board
        self.node = node
        self.sample_interval = sample_interval
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_ttl = heartbeat_ttl
        self.limit_range = limit_range
        self.run_in_thread = run_in_thread
        self.rate = RateWindow()
        self.in_flight = 0
        self.activity = Activity()  # what it does, for the heartbeat (no I/O per request)
        self.mode = mode_of(getattr(crawler, "spider", None))
        self.reading: Reading | None = None
        self.decision = Decision(State.RUNNING, "", False)
        self.pause: str | None = None  # "node" or "cluster" while a pause flag is set
        self.leasing = True  # what the scheduler was last told
        self.others: list[NodeStatus] = []  # the other live nodes, from the last heartbeat
        self.limit = 0
        self.started = time.monotonic()
        self.last_tick = self.started
        self.next_heartbeat = 0.0
        self.beating = False
        self.redis_down = False
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResourceAwareMiddleware:
        s = crawler.settings
        off = resource_aware_off(s)
        if off is not None:  # switched off by design (a single machine): no warning
            logger.debug("resource-aware scheduling is off: %s", off)
            raise NotConfigured
        url = s["REDIS_URL"]
        assert crawler.spider is not None
        _renice(nice_setting(s))
        names = ("cpu", "memory", "network")
        gate = LoadGate(
            {n: s.getfloat(f"RESOURCES_{n.upper()}_LIMIT") for n in names},
            {n: s.getfloat(f"RESOURCES_{n.upper()}_RESUME") for n in names},
        )
        sampler = Sampler(
            os.getpid(),
            s.getfloat("RESOURCES_LINK_MBPS"),
            s.getlist("RESOURCES_NETWORK_INTERFACES"),
            cgroup_root=Path(s.get("RESOURCES_CGROUP_ROOT")),
        )
        timeout = s.getfloat("REDIS_CONNECT_TIMEOUT")
        client = redis_client(url, timeout, timeout)
        keys = BoardKeys(
            key_scope(client, crawler.spider.name),
            node_template=s.get("RESOURCES_NODE_KEY"),
            nodes=s.get("RESOURCES_NODES_KEY"),
            pause_template=s.get("RESOURCES_PAUSE_KEY"),
            cluster_pause=s.get("RESOURCES_CLUSTER_PAUSE_KEY"),
        )
        high = s.getint("RESOURCES_LEASE_LIMIT_MAX") or (
            s.getint("CONCURRENT_REQUESTS") + s.getint("FRONTIER_LEASE_BATCH")
        )
        low = min(high, max(1, s.getint("RESOURCES_LEASE_LIMIT_MIN")))
        node = node_id(s)
        mw = cls(
            crawler,
            sampler,
            gate,
            NodeBoard(client, keys),
            node,
            sample_interval=s.getfloat("RESOURCES_SAMPLE_INTERVAL"),
            heartbeat_interval=s.getfloat("RESOURCES_HEARTBEAT_INTERVAL"),
            heartbeat_ttl=s.getfloat("RESOURCES_HEARTBEAT_TTL"),
            limit_range=(low, high),
        )
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        logger.info(
            "node %s reports to %s; throttles at cpu/memory/network %s%% (resumes under %s%%)",
            node,
            redact(url),
            "/".join(f"{gate.limits[n]:.0f}" for n in names),
            "/".join(f"{gate.resume[n]:.0f}" for n in names),
        )
        return mw

    # --- Scrapy ----------------------------------------------------------------------------
    def spider_opened(self) -> None:
        self.mode = mode_of(self.crawler.spider)
        self.sampler.sample()  # the baseline for the first interval
        self.started = self.last_tick = time.monotonic()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.sample_interval, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self._account(time.monotonic())
        try:
            self.board.leave(self.node)
        except REDIS_DOWN as e:
            logger.debug("could not remove the heartbeat of %s: %s", self.node, e)

    def process_request(self, request: Request) -> None:
        self.in_flight += 1
        self.activity.started(request, time.time())

    def process_response(self, request: Request, response: Any) -> Any:
        self.in_flight = max(0, self.in_flight - 1)
        self.activity.finished(request, time.time())
        self.rate.add(time.monotonic())
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.activity.finished(request, time.time())

    # --- the loop --------------------------------------------------------------------------
    def tick(self) -> None:
        now = time.monotonic()
        self._account(now)
        reading = self.sampler.sample(now)
        if reading is not None:
            self.reading = reading
        self._decide()
        if now >= self.next_heartbeat and not self.beating:
            self.next_heartbeat = now + self.heartbeat_interval
            self.beating = True
            status = self.status(self.activity.report(time.time()))
            d = self.run_in_thread(self.board.heartbeat, status, self.heartbeat_ttl)
            d.addCallbacks(self._on_snapshot, self._on_redis_error)
            d.addBoth(self._beat_done)

    def _decide(self) -> None:
        loads = self.reading.loads() if self.reading else {}
        decision = self.gate.update(loads, paused=self.pause is not None)
        self.decision = decision
        fallback = decision.state is State.THROTTLED and serves_anyway(
            [*self.others, self.status()], self.node
        )
        if decision.changed and decision.state is State.THROTTLED:
            inc(self.stats, "resources/throttle_events")
            logger.info("node %s throttled: %s", self.node, decision.reason)
        elif decision.changed and decision.state is State.PAUSED:
            inc(self.stats, "resources/pause_events")
            logger.info("node %s paused by its %s pause flag", self.node, self.pause)
        leasing = decision.state is State.RUNNING or fallback
        if leasing == self.leasing:
            return
        self.leasing = leasing
        if leasing:
            logger.info(
                "node %s leases again (%s)",
                self.node,
                ALL_OVER if fallback else self._figures(),
            )
            self.crawler.signals.send_catch_log(signal=bc_signals.leasing_resumed)
        else:
            self.crawler.signals.send_catch_log(
                signal=bc_signals.leasing_paused, reason=decision.reason
            )

    def _account(self, now: float) -> None:
        spent = now - self.last_tick
        self.last_tick = now
        if self.decision.state is State.THROTTLED:
            inc(self.stats, "resources/throttled_seconds", spent)
        elif self.decision.state is State.PAUSED:
            inc(self.stats, "resources/paused_seconds", spent)

    def status(self, doing: Report | None = None) -> NodeStatus:
        """This node's heartbeat; with *doing*, what it works on (the heartbeat's report;
        the throttle's own look at the node leaves it out)."""
        r = self.reading
        loads = r.loads() if r else {}
        now = time.monotonic()
        d = doing or NOTHING
        return NodeStatus(
            node=self.node,
            host=socket.gethostname(),
            pid=os.getpid(),
            state=self.decision.state.value,
            reason=self.decision.reason,
            cpu=r.cpu if r else 0.0,
            cpu_own=r.cpu_own if r else 0.0,
            cpu_load=r.cpu_load if r else 0.0,
            memory=r.memory if r else 0.0,
            network=r.network if r else 0.0,
            load=round(average_load(loads), 1),
            in_flight=self.in_flight,
            pages_per_minute=round(self.rate.per_minute(now, since=self.started), 1),
            limit=self.limit,
            at=time.time(),
            leasing=self.leasing,
            mode=self.mode,
            activity=d.activity,
            doing=d.doing,
            since=round(d.since, 1),
            sweep=d.sweep,
            taken=d.taken,
        )

    # --- heartbeat results (back on the reactor thread) -------------------------------------
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if self.redis_down:
            self.redis_down = False
            logger.info("Redis is reachable again; heartbeats resumed")
        self.others = [n for n in snapshot.nodes if n.node != self.node]
        self.pause = snapshot.pause
        self._decide()
        limits = lease_limits(snapshot.nodes, *self.limit_range)
        limit = limits.get(self.node)
        if limit is not None and limit != self.limit:
            self.limit = limit
            logger.debug("node %s may hold %d requests", self.node, limit)
            self.crawler.signals.send_catch_log(signal=bc_signals.lease_limit_changed, limit=limit)

    def _on_redis_error(self, failure: Any) -> None:
        inc(self.stats, "resources/heartbeat_errors")
        if not self.redis_down:
            self.redis_down = True
            logger.warning(
                "cannot send node %s's heartbeat to Redis (%s); throttling on "
                "local figures until it is back",
                self.node,
                failure.getErrorMessage(),
            )

    def _beat_done(self, _: object) -> None:
        self.beating = False

    def _figures(self) -> str:
        r = self.reading
        if r is None:
            return "no figures yet"
        return f"cpu {r.cpu_load:.0f}%, memory {r.memory:.0f}%, network {r.network:.0f}%"


def _renice(nice: int) -> None:
    """Run this worker at niceness *nice* at least (``scrapy crawl`` did so already before
    the spider loaded; this covers a spider's own ``RESOURCES_NICE`` and a crawl started
    another way) and say so."""
    try:
        now = renice(nice)
    except OSError as e:  # not permitted here: the throttle alone then
        logger.warning("cannot set nice %d (%s); throttling only", nice, e)
        return
    if now > 0:
        logger.info("this worker runs at nice %d (RESOURCES_NICE)", now)
