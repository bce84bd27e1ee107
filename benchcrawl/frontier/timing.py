"""The frontier's idle clock: when the cluster has been idle long enough. Pure logic; the
caller passes the time in. (The Redis retry clock, ``Backoff``, is in
:mod:`benchcrawl.connection`.)"""

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
