"""Serve mode (``-a serve=1``): a worker that stays up and waits for work.

A serving worker never closes on idle: its scheduler's idle close is off (it waits
forever), so it takes whatever anyone queues on the frontier (a sweep opened by the
scheduler, scrapyd, another worker or ``scrapy crawl``; seeds pushed by ``scrapy seed``),
and exits only when told to stop (SIGTERM/SIGINT, bounded by FRONTIER_SHUTDOWN_TIMEOUT).

It waits on the frontier's existing idle poll: one maintenance call every
FRONTIER_IDLE_POLL_INTERVAL (it renews the worker's presence and reclaims expired leases
anyway), no other Redis traffic. The queued work is the wake-up itself, so a worker cannot
miss a sweep the way it could miss a pub/sub message or a wake key popped by another
worker, and no second connection is held open per worker.
"""

from __future__ import annotations

from typing import Any

from benchcrawl.exceptions import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def parse_serve(value: Any) -> bool:
    """``-a serve=VALUE`` as a bool; one sentence for anything else."""
    if value is None or isinstance(value, bool):
        return bool(value)
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ConfigError(f"-a serve={value!r} is not a yes or no; give -a serve=1 or -a serve=0.")


def serving(spider: Any) -> bool:
    """Whether *spider* runs in serve mode (its ``serve`` attribute, a flag or ``-a`` text)."""
    try:
        return parse_serve(getattr(spider, "serve", False))
    except ConfigError:
        return False
