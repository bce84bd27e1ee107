"""A domain's delay between two fetches, in milliseconds.

Two fetches of one domain are at least ``domain_delay`` apart, whichever workers make them.
The rule that spaces them runs in Redis, on Redis's clock: ``polite/lua/lease.lua``
schedules domains by it and ``polite/lua/gate.lua`` enforces it right before each fetch
(tested with real workers in ``tests/broad/test_politeness.py``).
"""

from __future__ import annotations


def domain_delay_ms(min_delay: float, crawl_delay: float | None, max_crawl_delay: float) -> int:
    """The larger of the configured minimum and the site's Crawl-delay (capped, so a
    hostile ``Crawl-delay: 86400`` cannot park a domain forever), in ms."""
    site = min(crawl_delay or 0.0, max_crawl_delay)
    return int(round(max(min_delay, site) * 1000))
