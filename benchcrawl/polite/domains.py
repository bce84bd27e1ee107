"""The broad crawl's per-domain state in Redis, outside the queue: the fetch gate, robots.txt
entries, the seed and exclusion sets, and the one call per parsed page (visited index,
exclusions, which links are new). Every operation is one call; keys in
:class:`~benchcrawl.polite.keys.PoliteKeys`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from typing import Any

import redis
from scrapy.settings import BaseSettings

from benchcrawl.broad.robots import UNREACHABLE, RobotsEntry
from benchcrawl.broad.scope import suffixes
from benchcrawl.connection import frontier_client, key_scope, one_slot, text
from benchcrawl.frontier.interface import FrontierKeys
from benchcrawl.polite.keys import PoliteKeys, register_polite

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
        self._robots = register_polite(server, "robots")
        self._page = register_polite(server, "page")

    @classmethod
    def from_settings(cls, settings: BaseSettings, name: str) -> DomainState:
        """Built from the crawl's settings for spider *name* (by the spider and the gate)."""
        server = frontier_client(settings)
        scope = key_scope(server, name)
        return cls(
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
    ) -> tuple[list[bool], list[bool]]:
        """Record *url* in the visited index (unless *record* is empty) and answer, in one
        call, which *names* are excluded and which dedup *items* are not yet seen."""
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
