"""The per-domain politeness clock, as plain functions of times in milliseconds.

Two fetches of one domain are at least ``domain_delay`` apart, whichever workers make them.
Redis runs this same rule (``polite/lua/lease.lua`` schedules domains by it and
``polite/lua/gate.lua`` enforces it right before each fetch, on Redis's clock); the functions
here are its specification and are what the unit tests exercise.
"""

from __future__ import annotations


def domain_delay_ms(min_delay: float, crawl_delay: float | None, max_crawl_delay: float) -> int:
    """The larger of the configured minimum and the site's Crawl-delay (capped, so a
    hostile ``Crawl-delay: 86400`` cannot park a domain forever), in ms."""
    site = min(crawl_delay or 0.0, max_crawl_delay)
    return int(round(max(min_delay, site) * 1000))


def gate_wait_ms(last_fetch: int | None, now: int, delay: int) -> int:
    """How long a fetch must still wait: 0 means go (and record ``now`` as the last fetch)."""
    if last_fetch is None:
        return 0
    return max(0, last_fetch + delay - now)


class Clock:
    """An in-memory model of the ready queue plus gate, shared by any number of callers:
    ``take(domain, now)`` is either 0 (fetch now) or the ms to wait."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def take(self, domain: str, now: int, delay: int) -> int:
        wait = gate_wait_ms(self.last.get(domain), now, delay)
        if wait == 0:
            self.last[domain] = now
        return wait
