"""Clocks of the frontier: when the cluster has been idle long enough, and when to retry
Redis after a failure. Pure logic; the caller passes the time in."""

from __future__ import annotations


class IdleClock:
    """Idle for at least *wait* seconds since the first idle observation with no busy one
    after it. Starts at the first observation, not at import or construction."""

    def __init__(self, wait: float) -> None:
        self.wait = wait
        self.since: float | None = None

    def busy(self) -> None:
        self.since = None

    def idle(self, now: float) -> bool:
        """Record an idle observation; True once the idle stretch has lasted *wait*."""
        if self.since is None:
            self.since = now
        return now - self.since >= self.wait


class Backoff:
    """Exponential delays between attempts while a dependency is down: *first*, doubling,
    at most *cap*. ``outage_started`` is set for the whole outage (log once per outage)."""

    def __init__(self, first: float = 0.25, cap: float = 10.0) -> None:
        self.first = first
        self.cap = cap
        self.delay = 0.0
        self.retry_at = 0.0
        self.outage_started: float | None = None

    def ready(self, now: float) -> bool:
        return now >= self.retry_at

    def failed(self, now: float) -> bool:
        """Record a failure; True when it starts a new outage."""
        new = self.outage_started is None
        if new:
            self.outage_started = now
        self.delay = min(self.cap, self.delay * 2 if self.delay else self.first)
        self.retry_at = now + self.delay
        return new

    def succeeded(self, now: float) -> float | None:
        """Record a success; the outage's length when one just ended, else None."""
        ended = None if self.outage_started is None else now - self.outage_started
        self.outage_started = None
        self.delay = 0.0
        self.retry_at = 0.0
        return ended
