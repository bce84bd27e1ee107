"""Wake Scrapy's engine when shared work appears.

The engine asks the scheduler for requests after each download and otherwise only every
5 s (its slot heartbeat). A worker with nothing in flight would so notice work another
worker queued up to 5 s late; on a short crawl, after the others had done it all. The
engine's own wake-up call, ``engine._slot.nextcall``, is private: without it (another
Scrapy) the heartbeat still works, only slower.
"""

from __future__ import annotations

from collections.abc import Callable

from scrapy.crawler import Crawler


def engine_wakeup(crawler: Crawler | None) -> Callable[[], None] | None:
    """The callable that makes the engine ask the scheduler again soon, if there is one."""
    slot = getattr(getattr(crawler, "engine", None), "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    schedule = getattr(nextcall, "schedule", None)
    return schedule if callable(schedule) else None
