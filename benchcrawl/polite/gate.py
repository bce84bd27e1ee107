"""The polite fetch gate: a downloader middleware that, right before each fetch of the broad
crawl, drops what must not be fetched and holds what must wait.

- robots.txt: a page its domain's robots.txt disallows is dropped (``IgnoreRequest``:
  the lease is acked). Rules are read from Redis once per domain and kept parsed in a
  bounded local cache for ``BROAD_ROBOTS_LOCAL_TTL``;
- scope: a request to an excluded domain (the Redis set takes effect at once) or to a
  domain outside the seeds (e.g. a redirect's target) is dropped;
- politeness: one Redis call (``lua/gate.lua``) records the fetch if the domain's delay
  has passed since its last fetch by any worker, else says how long to wait; the request
  waits here and asks again. This is what makes the delay hold for any number of workers;
  the ready queue only makes sure workers seldom have to wait. A request that reaches the
  wire more than ``BROAD_DELAY_MARGIN`` after its gate said go (a worker held up by a
  loaded host) moves the domain's last fetch on to when it really left, as its response
  headers arrive (``lua/sent.lua``), so the next fetch keeps the whole delay from it; on
  an unloaded host no request is held that long and nothing is added per page.

During a Redis outage the request waits here and asks again with backoff (up to
``FRONTIER_RETRY_MAX_DELAY`` between tries), like the scheduler: it neither fails nor is
fetched unchecked. It also counts what the crawl fetched (``broad/...`` stats).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import load_object

from benchcrawl.broad.robots import RobotsRules
from benchcrawl.broad.scope import host_of
from benchcrawl.connection import REDIS_DOWN, RedisRetry
from benchcrawl.polite.domains import (
    EXCLUDED,
    NOT_SEED,
    DomainState,
    PartitionedDomains,
    domain_state,
)
from benchcrawl.polite.queue import ROBOTS_META, PoliteQueue
from benchcrawl.stats import inc

logger = logging.getLogger(__name__)

GATE_PASSED_META = "polite_gate_passed"  # monotonic time the gate said go (this process's)


class PoliteGateMiddleware:
    def __init__(
        self,
        state: DomainState | PartitionedDomains,
        user_agent: str,
        stats: Any,
        *,
        local_ttl: float,
        local_size: int,
        retry_max_delay: float,
        margin: float = 0.0,
        stopping: Callable[[], bool] | None = None,
    ) -> None:
        self.state = state
        self.margin = margin  # a fetch held up longer than this moves its domain's turn
        self.user_agent = user_agent
        self.stats = stats
        self.local_ttl = local_ttl
        self.local_size = local_size
        self._rules: OrderedDict[str, tuple[float, RobotsRules]] = OrderedDict()
        # waits out a Redis outage, but gives up once the crawl is stopping, so a stop
        # stays bounded; the request then fails (recorded, re-queueable), never acked
        self._redis = RedisRetry(
            "polite gate",
            retry_max_delay,
            lambda: inc(self.stats, "broad/gate/redis_errors"),
            stopping=stopping,
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PoliteGateMiddleware:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("the polite gate needs REDIS_URL")
        if not issubclass(load_object(settings["FRONTIER_QUEUE_CLASS"]), PoliteQueue):
            raise NotConfigured("the polite gate works with the polite queue only")
        assert crawler.spider is not None
        state = domain_state(settings, crawler.spider.name)
        gate = cls(
            state,
            settings["USER_AGENT"],
            crawler.stats,
            local_ttl=settings.getfloat("BROAD_ROBOTS_LOCAL_TTL"),
            local_size=settings.getint("BROAD_ROBOTS_LOCAL_SIZE"),
            retry_max_delay=settings.getfloat("FRONTIER_RETRY_MAX_DELAY"),
            margin=settings.getfloat("BROAD_DELAY_MARGIN"),
            stopping=lambda: not crawler.crawling,
        )
        crawler.signals.connect(gate.headers_received, signal=signals.headers_received)
        return gate

    async def process_request(self, request: Request) -> None:
        domain = _domain(request)
        if ROBOTS_META not in request.meta:
            rules = await self._redis(self.rules, domain)
            if rules is not None and not rules.allowed(request.url):
                inc(self.stats, "broad/robots/denied")
                raise IgnoreRequest(f"robots.txt of {domain} disallows {request.url}")
        while True:
            wait = await self._redis(self.state.gate, domain)
            if wait == 0:
                request.meta[GATE_PASSED_META] = time.monotonic()
                return
            if wait == EXCLUDED:
                inc(self.stats, "broad/excluded/dropped")
                raise IgnoreRequest(f"{domain} is excluded")
            if wait == NOT_SEED:
                inc(self.stats, "broad/offsite/dropped")
                raise IgnoreRequest(f"{domain} is not a seed domain")
            inc(self.stats, "broad/politeness/waits")
            await asyncio.sleep(wait / 1000)

    def headers_received(self, request: Request, **kwargs: Any) -> None:
        """A fetch that left later than the margin after its gate: its domain's last fetch
        moves on to when it left (one Redis call, only then; best effort)."""
        passed = request.meta.get(GATE_PASSED_META)
        latency = request.meta.get("download_latency")
        if passed is None or latency is None:
            return
        left = time.monotonic() - latency  # the download handler's start: the wire
        if left - passed <= self.margin:
            return
        inc(self.stats, "broad/politeness/held_up")
        try:
            self.state.sent(_domain(request), int(latency * 1000))
        except REDIS_DOWN as e:  # the gate's own record stands; the crawl goes on
            logger.debug("could not move the turn of a held-up fetch on: %s", e)

    def process_response(self, request: Request, response: Response) -> Response:
        inc(self.stats, f"broad/status/{response.status}")
        inc(self.stats, "broad/bytes", len(response.body))
        return response

    def rules(self, domain: str) -> RobotsRules | None:
        """The domain's parsed robots.txt, None when Redis has no entry (expired between
        lease and fetch): the page is allowed, as the lease checked a fresh entry."""
        now = time.monotonic()
        cached = self._rules.get(domain)
        if cached is not None and cached[0] > now:
            self._rules.move_to_end(domain)
            return cached[1]
        entry = self.state.robots_entry(domain)
        if entry is None:
            return None
        rules = RobotsRules(entry, self.user_agent)
        self._rules[domain] = (now + self.local_ttl, rules)
        self._rules.move_to_end(domain)
        while len(self._rules) > self.local_size:
            self._rules.popitem(last=False)
        return rules


def _domain(request: Request) -> str:
    """The domain whose turn a fetch takes: a robots.txt fetch (and its redirects) counts
    against the domain it is for."""
    return str(request.meta.get(ROBOTS_META) or host_of(request.url))
