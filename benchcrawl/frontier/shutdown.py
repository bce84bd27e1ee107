"""Stopping is bounded: a worker told to stop (SIGTERM from ``docker compose stop``, systemd
or scrapyd's cancel; SIGINT) exits within ``FRONTIER_SHUTDOWN_TIMEOUT``, Redis up or down.

Scrapy's first SIGTERM starts a graceful shutdown, which waits for every request in flight:
a download (up to ``DOWNLOAD_TIMEOUT``), a callback or pipeline waiting out a Redis outage
(:class:`~benchcrawl.connection.RedisRetry`), then the scheduler's close, which
commits its outbox and gives its leases back. Three things bound it:

- a ``RedisRetry`` made for a crawler stops waiting once the crawler is stopping;
- the scheduler's close tries Redis until the deadline, then leaves what it holds to lease
  expiry (``FRONTIER_LEASE_TIME``): nothing is lost, another worker crawls it;
- :class:`ShutdownWatch`: from the signal on, a thread ends the process at the deadline
  whatever the reactor is doing (one warning line, exit code 1), like Scrapy's second
  signal but without waiting for a second one.

The watch wraps Scrapy's own first-signal handler (so the deadline counts from the
signal), once the reactor runs and Scrapy has installed it; a crawl started without
Scrapy's signal handlers (``CrawlerRunner``, tests) never gets a watchdog.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGBREAK") if hasattr(signal, name)
)


def _is_scrapys(handler: Any) -> bool:
    """Scrapy's graceful-shutdown handler (``CrawlerProcessBase._signal_shutdown``)."""
    return getattr(handler, "__name__", "") == "_signal_shutdown" and type(
        getattr(handler, "__self__", None)
    ).__module__.startswith("scrapy.")


class ShutdownWatch:
    """The deadline of a shutdown, and the watchdog that enforces it. *leftover* says what
    the worker leaves to lease expiry, for the watchdog's line."""

    def __init__(
        self, timeout: float, leftover: Callable[[], str], exit: Callable[[int], Any] = os._exit
    ) -> None:
        self.timeout = timeout
        self.leftover = leftover
        self.exit = exit
        self.deadline: float | None = None  # monotonic; set when a shutdown begins
        self.timer: threading.Timer | None = None
        self.wrapped: dict[int, Any] = {}
        self.crawling_seen = False

    def observe(self, now: float, crawling: bool) -> None:
        """Called on the reactor (the scheduler's timer): wrap Scrapy's signal handlers once
        they are there; begin the deadline when the crawler stops without a signal."""
        if self.deadline is not None:
            return
        self.install()
        if crawling:
            self.crawling_seen = True
        elif self.crawling_seen:
            self.begin(now, hard=False)

    # --- the deadline ------------------------------------------------------------------
    def begin(self, now: float, hard: bool) -> None:
        """A shutdown began at *now*; *hard*: also end the process at the deadline."""
        if self.deadline is None:
            self.deadline = now + self.timeout
        if hard and self.timer is None:
            self.timer = threading.Timer(max(0.0, self.deadline - now), self._overdue)
            self.timer.daemon = True
            self.timer.start()

    def remaining(self, now: float) -> float | None:
        """Seconds left before the deadline; None while no shutdown began."""
        return None if self.deadline is None else self.deadline - now

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()

    def _overdue(self) -> None:
        try:
            logger.warning(
                "still stopping after FRONTIER_SHUTDOWN_TIMEOUT (%.1f s); exiting now, %s",
                self.timeout,
                self.leftover(),
            )
            for handler in logging.getLogger().handlers:
                handler.flush()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            self.exit(1)

    # --- the signal ----------------------------------------------------------------------
    def install(self) -> bool:
        """Wrap Scrapy's first-signal handlers (main thread only); True once done."""
        if self.wrapped:
            return True
        if threading.current_thread() is not threading.main_thread():
            return False
        for signum in SIGNALS:
            handler = signal.getsignal(signum)
            if _is_scrapys(handler):
                self.wrapped[signum] = handler
                signal.signal(signum, self._on_signal)
        return bool(self.wrapped)

    def uninstall(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum, handler in self.wrapped.items():
            if signal.getsignal(signum) == self._on_signal:
                signal.signal(signum, handler)
        self.wrapped.clear()

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.begin(time.monotonic(), hard=True)
        original = self.wrapped.get(signum)
        if callable(original):
            original(signum, frame)
