"""The broad spider: plain HTML from the seed domains only, polite across the whole cluster.

Seeds are loaded with ``scrapy seed broad FILE``; then any number of ``scrapy crawl broad``
workers (``REDIS_URL`` set) share the polite per-domain frontier
(:mod:`benchcrawl.polite.queue`), and every fetch passes the polite gate
(:mod:`benchcrawl.polite.gate`: robots.txt, exclusions, the per-domain delay).

A page is truncated to ``BROAD_MAX_PAGE_SIZE``, handed to the page archive (a
:class:`~benchcrawl.pipelines.warc.FetchedPage` item, written to the worker's WARC file by
:class:`~benchcrawl.pipelines.warc.WarcPipeline`), recorded in the visited index, and, when
it is HTML, parsed for links. Links are filtered by scope, by this worker's memory of known
URLs and by their domain's robots.txt when it is known (the
gate's parsed copy), then checked against the shared dedup in one Redis call per page
(together with the visited record and the exclusion set; with a frontier in partitions,
one call per partition the links' domains are in), so only new links become requests. A
disallowed link is dropped before it is queued because a queued request takes its domain's
turn when it is leased: dropped at the gate, it would cost the domain a whole delay of idle
time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.python.failure import Failure

from benchcrawl.broad import defaults as broad_defaults
from benchcrawl.broad.links import extract_links
from benchcrawl.broad.page import is_html, truncate
from benchcrawl.broad.politeness import domain_delay_ms
from benchcrawl.broad.robots import RULES, RobotsRules, classify
from benchcrawl.broad.scope import DomainScope, host_of, suffixes
from benchcrawl.broad.seeds import read_seeds
from benchcrawl.components import add_spider_component, apply_defaults
from benchcrawl.connection import RedisRetry
from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier.recent import RecentlySeen
from benchcrawl.frontier.scheduler import RedisScheduler, running_scheduler
from benchcrawl.pipelines.warc import FetchedPage, WarcPipeline
from benchcrawl.polite.domains import DomainState, PartitionedDomains, domain_state
from benchcrawl.polite.gate import PoliteGateMiddleware
from benchcrawl.polite.queue import ROBOTS_META
from benchcrawl.stats import inc

logger = logging.getLogger(__name__)

_UNKNOWN = object()  # the page archive before the first page asks for it

SCOPE_REFRESH = 10.0  # s between re-reads of the seed and exclusion sets
MAX_ROBOTS_REDIRECTS = 5
GATE_ORDER = 960  # last before the download handler: the domain's turn is taken at the wire
WARC_ORDER = 100  # the page archive first: the spider waits for its record's location


# (component dict, component, the setting that switches it on)
_SWITCHED_OFF = [
    ("EXTENSIONS", "scrapy.extensions.remote_control.RemoteControl", "REMOTE_CONTROL_ENABLED"),
    (
        "DOWNLOADER_MIDDLEWARES",
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
        "COOKIES_ENABLED",
    ),
]


class BroadSpider(Spider):
    name = "broad"
    custom_settings = {
        "FRONTIER_QUEUE_CLASS": "benchcrawl.polite.queue.PoliteQueue",
        "FRONTIER_IDLE_POLL_INTERVAL": 0.1,  # domains come due often: ask Redis soon again
        "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,  # fetched whole up to this, then truncated
        "DOWNLOAD_WARNSIZE": 0,
        "COOKIES_ENABLED": False,
        # a page's output (its archive record, then its few new links) is handled in order:
        # Scrapy starts CONCURRENT_ITEMS asyncio tasks per page (default 100), which cost
        # more CPU than parsing the page (bench/cpu_per_page.py)
        "CONCURRENT_ITEMS": 1,
        "HTTPERROR_ALLOW_ALL": True,  # 4xx/5xx pages are stored and indexed too
        "REDIRECT_MAX_TIMES": 5,  # a redirect loop ends here (or at the dedup)
        "RETRY_TIMES": 1,
        "ROBOTSTXT_OBEY": False,  # robots.txt is the polite frontier's (cached cluster-wide)
    }

    state: DomainState | PartitionedDomains
    scope: DomainScope

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The broad crawl's defaults (below the project's settings), and its fetch gate
        added to the project's downloader middlewares, not in place of them."""
        super().update_settings(settings)
        apply_defaults(settings, broad_defaults)
        add_spider_component(settings, "DOWNLOADER_MIDDLEWARES", PoliteGateMiddleware, GATE_ORDER)
        add_spider_component(settings, "ITEM_PIPELINES", WarcPipeline, WARC_ORDER)
        settings.set("USER_AGENT", settings["BROAD_USER_AGENT"], priority="spider")
        # Scrapy's components switched off here or by the project are not even imported
        # (aiohttp and tldextract: a sixth of a worker's start-up CPU). They are taken out
        # of the ``_BASE`` dict: a None entry in the project's dict is imported all the same
        # by the next ``set_in_component_priority_dict`` (an add-on's).
        for name, component, setting in _SWITCHED_OFF:
            base = settings.getdict(f"{name}_BASE")
            if not settings.getbool(setting) and component in base:
                del base[component]
                settings.set(f"{name}_BASE", base, priority="spider")

    @classmethod
    def check_settings(cls, settings: BaseSettings, spider_args: dict[str, str]) -> None:
        """Fail fast on a missing REDIS_URL or an unreadable exclusion file."""
        if not settings.get("REDIS_URL"):
            raise ConfigError(
                "the broad spider needs REDIS_URL: its frontier, politeness clock and robots.txt "
                "cache are shared in Redis; set REDIS_URL and load seeds with `scrapy seed broad "
                "FILE`."
            )
        _read_exclusions(settings["BROAD_EXCLUDE_FILE"])

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BroadSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        cls.check_settings(settings, kwargs)
        spider.state = domain_state(settings, spider.name)
        spider.subdomains = settings.getbool("BROAD_ALLOW_SUBDOMAINS")
        spider.file_exclusions = _read_exclusions(settings["BROAD_EXCLUDE_FILE"])
        spider.scope = DomainScope((), spider.file_exclusions, spider.subdomains)
        spider.scope_at = 0.0
        spider.scope_early = set()  # hosts read again early since the last refresh
        spider.max_page = settings.getint("BROAD_MAX_PAGE_SIZE")
        spider.nofollow = settings.getbool("BROAD_NOFOLLOW")
        spider.max_crawl_delay = settings.getfloat("BROAD_MAX_CRAWL_DELAY")
        spider.robots_agent = settings["USER_AGENT"]
        spider.known = RecentlySeen(settings.getint("BROAD_SEEN_LOCAL"))
        spider.gate = None
        spider.archive = _UNKNOWN
        spider.redis = RedisRetry.for_crawler(
            crawler, "broad spider", lambda: inc(crawler.stats, "broad/spider/redis_errors")
        )
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    subdomains: bool
    file_exclusions: set[str]
    scope_at: float
    scope_early: set[str]
    max_page: int
    nofollow: bool
    max_crawl_delay: float
    robots_agent: str
    known: RecentlySeen
    redis: RedisRetry  # Redis calls wait out an outage instead of failing the page
    gate: PoliteGateMiddleware | None  # found once the engine runs
    archive: WarcPipeline | None | object  # the page archive, found at the first page

    async def start(self) -> AsyncIterator[Request]:
        """Nothing: the seeds are in the shared frontier (``scrapy seed broad FILE``)."""
        return
        yield  # pragma: no cover

    # --- pages ---------------------------------------------------------------------------
    async def parse(self, response: Response) -> AsyncIterator[Request | FetchedPage]:
        body, truncated = truncate(response.body, self.max_page)
        content_type = response.headers.get(b"Content-Type")
        html = is_html(content_type)
        inc(self.crawler.stats, "broad/pages")
        if truncated:
            inc(self.crawler.stats, "broad/pages/truncated")
        record: dict[str, Any] = {
            "status": response.status,
            "type": content_type.decode("latin-1") if content_type else None,
            "size": len(response.body),
            "truncated": truncated,
            "fetched_at": round(time.time(), 3),
        }
        if self._archive() is not None:  # the page archive (WarcPipeline) writes it first
            page = FetchedPage(
                response.url,
                response.status,
                _headers(response),
                body,
                truncated,
                response.protocol or "HTTP/1.1",
            )
            yield page
            where = await maybe_deferred_to_future(page.stored)
            record.update(warc=where.file, offset=where.offset, length=where.length)
        links: list[str] = []
        if not html:
            inc(self.crawler.stats, "broad/pages/not_html")
        elif 200 <= response.status < 300:
            links = extract_links(body, response.url, nofollow=self.nofollow)
        for request in await self._new_requests(response.url, json.dumps(record), links):
            yield request

    async def _new_requests(self, url: str, record: str, links: list[str]) -> list[Request]:
        """Record the page in the visited index and return its links not seen before, in
        one Redis call."""
        await self.redis(self._refresh_scope, host_of(url))
        candidates: list[tuple[str, str]] = []
        rules: dict[str, RobotsRules | None] = {}
        allowed: dict[str, bool] = {}  # host -> in scope, for this page
        known = self.known
        offsite = denied = 0
        for link in links:
            key = link.encode()
            if key in known:
                continue
            host = host_of(link)
            in_scope = allowed.get(host)
            if in_scope is None:
                in_scope = allowed[host] = self.scope.allows(host)
            if not in_scope:
                offsite += 1
                known.add(key)
                continue
            if host not in rules:
                rules[host] = await self.redis(self._gate().rules, host)
            robots = rules[host]
            if robots is not None and robots.entry.kind == RULES and not robots.allowed(link):
                # dropped here, not at the gate: a queued request takes its domain's turn
                # when leased, so a disallowed one would cost the domain a delay of idle time
                denied += 1  # as the gate counts what it drops
                known.add(key)
                continue
            candidates.append((link, host))
        inc(self.crawler.stats, "broad/links/offsite", offsite)
        inc(self.crawler.stats, "broad/robots/denied", denied)
        requests = [
            Request(link, callback=self.parse, errback=self.on_error) for link, _ in candidates
        ]
        query = self._scheduler().dedup_query(requests)
        names = sorted({s for _, host in candidates for s in suffixes(host)})
        flags, fresh = await self.redis(
            self.state.check_page,
            url,
            record,
            query.mode,
            query.width,
            names,
            query.items,
            query.partitions,
        )
        excluded = {n for n, flag in zip(names, flags, strict=True) if flag}
        out = []
        dropped = 0
        for (link, host), request, new in zip(candidates, requests, fresh, strict=True):
            known.add(link.encode())
            if excluded and any(s in excluded for s in suffixes(host)):
                dropped += 1
            elif new:
                out.append(request)
        inc(self.crawler.stats, "broad/links/excluded", dropped)
        inc(self.crawler.stats, "broad/links/new", len(out))
        inc(self.crawler.stats, "broad/links/seen", len(candidates) - len(out) - dropped)
        return out

    def on_error(self, failure: Failure) -> None:
        if not isinstance(failure.value, IgnoreRequest):
            inc(self.crawler.stats, f"broad/errors/{type(failure.value).__name__}")

    # --- robots.txt ----------------------------------------------------------------------
    async def parse_robots(self, response: Response) -> None:
        """Store the domain's robots.txt verdict. Redirects are followed here, up to five
        (RFC 9309 2.3.1.2), by fetching through the downloader (the gate spaces them as
        fetches of the domain whose robots.txt this is); more, or a failure, is read as
        the RFC says."""
        domain = response.meta[ROBOTS_META]
        for _ in range(MAX_ROBOTS_REDIRECTS):
            location = response.headers.get(b"Location")
            if not (300 <= response.status < 400 and location):
                break
            target = response.urljoin(location.decode("latin-1"))
            request = response.request.replace(url=target) if response.request else None
            if request is None or not target.startswith(("http://", "https://")):
                break
            request.callback = NO_CALLBACK
            request.errback = None
            try:
                response = await self.crawler.engine.download_async(request)  # type: ignore[union-attr]
            except Exception as e:
                logger.debug("robots.txt of %s: redirect to %s failed: %s", domain, target, e)
                await self.redis(self._store_robots, domain, None, b"")
                return
        await self.redis(self._store_robots, domain, response.status, response.body)

    def robots_failed(self, failure: Failure) -> None:
        if isinstance(failure.value, IgnoreRequest):  # excluded or out of scope: no verdict
            return
        request = getattr(failure, "request", None)
        if request is not None:
            self._store_robots(request.meta[ROBOTS_META], None, b"")

    def _store_robots(self, domain: str, status: int | None, body: bytes) -> None:
        entry = classify(status, body)
        crawl_delay = RobotsRules(entry, self.robots_agent).crawl_delay()
        delay = domain_delay_ms(0, crawl_delay, self.max_crawl_delay)
        failed = self.state.store_robots(domain, entry, delay, self._scheduler().worker)
        inc(self.crawler.stats, "broad/robots/fetched")
        inc(self.crawler.stats, f"broad/robots/{entry.kind}")
        logger.debug("robots.txt of %s: %s (status %s)", domain, entry.kind, status)
        if failed:
            inc(self.crawler.stats, "broad/robots/gave_up")
            inc(self.crawler.stats, "broad/robots/gave_up_requests", failed)
            logger.warning(
                "robots.txt of %s unreachable %d times in a row: its %d queued requests "
                "are recorded as failed (scrapy frontier %s --requeue-failed queues them again)",
                domain,
                self.state.robots_give_up,
                failed,
                self.name,
            )

    # --- plumbing ------------------------------------------------------------------------
    def _gate(self) -> PoliteGateMiddleware:
        """The fetch gate: its parsed robots.txt cache is shared with the link filter."""
        if self.gate is None:
            self.gate = self.crawler.get_downloader_middleware(PoliteGateMiddleware)
            if self.gate is None:
                raise ConfigError("the broad spider needs its fetch gate (PoliteGateMiddleware)")
        return self.gate

    def _archive(self) -> WarcPipeline | None:
        """The page archive, or None when it is off (``BROAD_WARC_DIR`` empty)."""
        if self.archive is _UNKNOWN:
            self.archive = self.crawler.get_item_pipeline(WarcPipeline)
        return self.archive  # type: ignore[return-value]

    def _scheduler(self) -> RedisScheduler:
        scheduler = running_scheduler(self.crawler)
        if scheduler is None:
            raise ConfigError("the broad spider runs on the Redis frontier (set REDIS_URL)")
        return scheduler

    def _refresh_scope(self, host: str = "") -> None:
        now = time.monotonic()
        # a page of a host out of scope was queued by a seed pushed since the last read
        # (a serving worker takes pushes at any time): read again now, once per host
        early = bool(host) and host not in self.scope_early and not self.scope.allows(host)
        if now - self.scope_at < SCOPE_REFRESH and not early:
            return
        if early:
            self.scope_early.add(host)
        else:
            self.scope_early.clear()
        self.scope = DomainScope(
            self.state.seeds(), self.file_exclusions | self.state.excluded(), self.subdomains
        )
        self.scope_at = now

    def on_closed(self, reason: str) -> None:
        stats = self.crawler.stats
        if stats is None:
            return
        started = stats.get_value("start_time")
        pages = stats.get_value("broad/pages", 0)
        if started is not None and pages:
            elapsed = (datetime.now(UTC) - started).total_seconds()
            stats.set_value("broad/pages_per_second", round(pages / max(elapsed, 1e-6), 2))


def _read_exclusions(path: str) -> set[str]:
    if not path:
        return set()
    try:
        seeds, bad = read_seeds(path)
    except (OSError, UnicodeError) as e:
        raise ConfigError(f"cannot read BROAD_EXCLUDE_FILE {path} ({e}); fix the path.") from e
    for line in bad:
        logger.warning("%s", line.message(path))
    return {s.domain for s in seeds}


def _headers(response: Response) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    ]
