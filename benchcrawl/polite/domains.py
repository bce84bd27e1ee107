"""The broad crawl's per-domain state in Redis, outside the queue: the fetch gate, robots.txt
entries, the seed and exclusion sets, and the one call per parsed page (visited index,
exclusions, which links are new). Every operation is one call; keys in
:class:`~benchcrawl.polite.keys.PoliteKeys`. :class:`DomainState` is one partition's;
:class:`PartitionedDomains` sends each domain's operations to its partition, the one its
queue is in (see :mod:`benchcrawl.polite`); :func:`domain_state` builds the crawl's."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

import redis
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from benchcrawl.broad.robots import UNREACHABLE, RobotsEntry
from benchcrawl.broad.scope import suffixes
from benchcrawl.connection import frontier_client, one_slot, partition_scopes, text
from benchcrawl.frontier.factory import partitions, stored_partitions
from benchcrawl.frontier.interface import FrontierKeys
from benchcrawl.frontier.partitions import route
from benchcrawl.polite.keys import PoliteKeys, domain_of, register_polite

logger = logging.getLogger(__name__)

EXCLUDED, NOT_SEED = -1, -2  # what gate() returns instead of a wait


class DomainState:
    def __init__(
        self,
        server: redis.Redis,
        keys: PoliteKeys,
        dupefilter: str,
        *,
        min_delay: float,
        margin: float,
        subdomains: bool,
        robots_ttl: float,
        robots_retry: float,
        robots_give_up: int = 0,
        frontier: FrontierKeys | None = None,
    ) -> None:
        self.server = server
        self.keys = keys
        self.dupefilter = dupefilter
        self.min_delay_ms = int(min_delay * 1000)
        self.margin_ms = int(margin * 1000)
        self.subdomains = subdomains
        self.robots_ttl_ms = int(robots_ttl * 1000)
        self.robots_retry_ms = int(robots_retry * 1000)
        self.robots_give_up = robots_give_up if frontier else 0
        self.frontier = frontier  # its failed, data and seq keys, to give a domain up
        touched = [*keys.all(), keys.queue_prefix, keys.robots_prefix, dupefilter]
        if frontier is not None:
            touched += [frontier.failed, frontier.data, frontier.seq]
        one_slot(server, [k for k in touched if k], "the broad crawl's domain state")
        self._gate = register_polite(server, "gate")
        self._sent = register_polite(server, "sent")
        self._robots = register_polite(server, "robots")
        self._page = register_polite(server, "page")

    def gate(self, domain: str) -> int:
        """0: fetch now (recorded as this domain's last fetch); > 0: ms to wait first;
        EXCLUDED or NOT_SEED: do not fetch at all."""
        k = self.keys
        return int(
            self._gate(
                keys=[k.last_fetch, k.delays, k.excluded, k.seeds],
                args=[
                    domain,
                    self.min_delay_ms,
                    self.margin_ms,
                    "1" if self.subdomains else "0",
                    *suffixes(domain),
                ],
            )
        )

    def sent(self, domain: str, ago_ms: int) -> bool:
        """A fetch of *domain* left *ago_ms* ms ago, later than its gate recorded: the
        domain's last fetch moves on to then (unless a later one is recorded). True if it
        moved."""
        return bool(self._sent(keys=[self.keys.last_fetch], args=[domain, max(0, ago_ms)]))

    # --- robots.txt ----------------------------------------------------------------------
    def robots_entry(self, domain: str) -> RobotsEntry | None:
        data = self.server.get(self.keys.robots_prefix + domain)
        if not data:
            return None
        try:
            return RobotsEntry.loads(data)
        except ValueError as e:  # a corrupt or foreign value: fetch robots.txt again
            logger.warning("unreadable robots.txt entry of %s ignored: %s", domain, e)
            return None

    def store_robots(self, domain: str, entry: RobotsEntry, delay_ms: int, worker: str = "") -> int:
        """Store the domain's robots.txt outcome. Returns how many queued requests of the
        domain were recorded as failed because its robots.txt was unreachable
        ``BROAD_ROBOTS_GIVE_UP`` times in a row (0 otherwise)."""
        k = self.keys
        ok = entry.kind != UNREACHABLE
        record = ""  # the failure record, needed only when the domain may be given up
        if not ok and self.robots_give_up:
            reason = f"robots.txt of {domain} unreachable {self.robots_give_up} times in a row"
            record = json.dumps({"reason": reason, "worker": worker, "at": round(time.time(), 3)})
        failed = self._robots(
            keys=[
                k.robots_state,
                k.delays,
                k.ready,
                k.robots_prefix + domain,
                k.robots_failures,
                # the frontier's keys are unused while give-up is off
                self.frontier.failed if self.frontier else k.robots_failures,
                k.queued,
                self.frontier.data if self.frontier else k.robots_failures,
                self.frontier.seq if self.frontier else k.robots_failures,
            ],
            args=[
                domain,
                entry.dumps(),
                "1" if ok else "0",
                self.robots_ttl_ms,
                self.robots_retry_ms,
                delay_ms,
                self.robots_give_up,
                k.queue_prefix,
                record,
            ],
        )
        return max(0, int(failed))

    # --- pages ---------------------------------------------------------------------------
    def check_page(
        self,
        url: str,
        record: str,
        mode: str,
        width: int,
        names: list[str],
        items: Iterable[list[Any]],
        partitions: Sequence[int] = (),
    ) -> tuple[list[bool], list[bool]]:
        """Record *url* in the visited index (unless *record* is empty) and answer, in one
        call, which *names* are excluded and which dedup *items* are not yet seen (the
        items' *partitions* are all this one)."""
        k = self.keys
        args: list[Any] = [mode, width, url, record, len(names), *names]
        for item in items:
            args += item
        flags = self._page(keys=[self.dupefilter, k.excluded, k.visited], args=args)
        return [bool(x) for x in flags[: len(names)]], [bool(x) for x in flags[len(names) :]]

    # --- seeds and exclusions ------------------------------------------------------------
    def seeds(self) -> set[str]:
        return {text(d) for d in self.server.smembers(self.keys.seeds)}

    def excluded(self) -> set[str]:
        return {text(d) for d in self.server.smembers(self.keys.excluded)}

    def add_seeds(self, domains: Iterable[str]) -> int:
        domains = list(domains)
        return int(self.server.sadd(self.keys.seeds, *domains)) if domains else 0

    def add_excluded(self, domains: Iterable[str]) -> int:
        domains = list(domains)
        return int(self.server.sadd(self.keys.excluded, *domains)) if domains else 0


class PartitionedDomains:
    """The domain state of a crawl in several partitions (``parts[i]`` is partition *i*'s):
    each operation on a domain goes to the partition of the domain's queue; the seed and
    exclusion sets are copied in every partition (read from partition 0)."""

    def __init__(self, parts: Sequence[DomainState]) -> None:
        self.parts = list(parts)
        self.server = parts[0].server
        self.keys = parts[0].keys
        self.robots_give_up = parts[0].robots_give_up

    def part(self, domain: str) -> DomainState:
        """The state of the partition that holds *domain* (as the queue routes it)."""
        return self.parts[route((domain or "-").encode(), len(self.parts))]

    def gate(self, domain: str) -> int:
        return self.part(domain).gate(domain)

    def sent(self, domain: str, ago_ms: int) -> bool:
        return self.part(domain).sent(domain, ago_ms)

    def robots_entry(self, domain: str) -> RobotsEntry | None:
        return self.part(domain).robots_entry(domain)

    def store_robots(self, domain: str, entry: RobotsEntry, delay_ms: int, worker: str = "") -> int:
        return self.part(domain).store_robots(domain, entry, delay_ms, worker)

    def check_page(
        self,
        url: str,
        record: str,
        mode: str,
        width: int,
        names: list[str],
        items: Iterable[list[Any]],
        partitions: Sequence[int] = (),
    ) -> tuple[list[bool], list[bool]]:
        """:meth:`DomainState.check_page` in one call per partition touched: the page's own
        (its visited record and the exclusion flags, with its links of that partition),
        then one per other partition its links' dedup items are in (*partitions*, per
        item)."""
        items = list(items)
        home = route(domain_of(url).encode(), len(self.parts))
        groups: dict[int, list[int]] = {home: []}
        for j, i in enumerate(partitions or [0] * len(items)):
            groups.setdefault(i, []).append(j)
        flags: list[bool] = []
        fresh = [False] * len(items)
        for i, members in groups.items():
            mine = i == home
            got, new = self.parts[i].check_page(
                url,
                record if mine else "",
                mode,
                width,
                names if mine else [],
                [items[j] for j in members],
            )
            if mine:
                flags = got
            for j, x in zip(members, new, strict=True):
                fresh[j] = x
        return flags, fresh

    def seeds(self) -> set[str]:
        return self.parts[0].seeds()

    def excluded(self) -> set[str]:
        return self.parts[0].excluded()

    def add_seeds(self, domains: Iterable[str]) -> int:
        domains = list(domains)
        return [part.add_seeds(domains) for part in self.parts][0]

    def add_excluded(self, domains: Iterable[str]) -> int:
        domains = list(domains)
        return [part.add_excluded(domains) for part in self.parts][0]


def domain_state(settings: BaseSettings, name: str) -> DomainState | PartitionedDomains:
    """The domain state of spider *name*'s crawl (for the spider, the gate and ``scrapy
    seed``), in as many partitions as its frontier (decided, and stored on a fresh crawl,
    as the scheduler does: :func:`~benchcrawl.frontier.factory.partitions`)."""
    server = frontier_client(settings)
    n = partitions(server, settings, name, load_object(settings["FRONTIER_QUEUE_CLASS"]))
    parts = [
        DomainState(
            server,
            PoliteKeys.from_settings(settings, scope),
            settings["SCHEDULER_DUPEFILTER_KEY"] % {"spider": scope},
            min_delay=settings.getfloat("BROAD_MIN_DELAY"),
            margin=settings.getfloat("BROAD_DELAY_MARGIN"),
            subdomains=settings.getbool("BROAD_ALLOW_SUBDOMAINS"),
            robots_ttl=settings.getfloat("BROAD_ROBOTS_TTL"),
            robots_retry=settings.getfloat("BROAD_ROBOTS_RETRY"),
            robots_give_up=settings.getint("BROAD_ROBOTS_GIVE_UP"),
            frontier=FrontierKeys.from_settings(settings, scope),
        )
        for scope in partition_scopes(server, name, n)
    ]
    return parts[0] if n == 1 else PartitionedDomains(parts)


def visited_index(server: redis.Redis, settings: BaseSettings, name: str) -> dict[str, Any]:
    """The visited index of spider *name*'s crawl, URL -> record, read from every partition
    (a page's record is in the partition of its domain)."""
    n = stored_partitions(server, settings, name) or 1
    out: dict[str, Any] = {}
    for scope in partition_scopes(server, name, n):
        key = PoliteKeys.from_settings(settings, scope).visited
        for url, record in server.hscan_iter(key, count=1000):
            try:
                out[text(url)] = json.loads(record)
            except ValueError:  # not a record (anyone with the Redis can write it)
                logger.warning("unreadable visited record of %s skipped", text(url))
    return out
