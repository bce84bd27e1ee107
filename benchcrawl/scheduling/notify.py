"""The webhook: one JSON POST per notified run, sent from a thread so it never holds up
the schedule, retried ``SCHEDULE_WEBHOOK_ATTEMPTS`` times with doubling backoff, each try
bounded by ``SCHEDULE_WEBHOOK_TIMEOUT``; every failure is logged, the last as lost."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any

logger = logging.getLogger(__name__)


def post_json(url: str, payload: dict[str, Any], timeout: float) -> int:
    """POST *payload* as JSON; the HTTP status (an ``OSError`` if none came back)."""
    body = json.dumps(payload).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "benchcrawl-scheduler"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def backoff_delays(attempts: int, backoff: float) -> list[float]:
    """The sleeps between *attempts* tries: backoff, 2*backoff, 4*backoff, ..."""
    return [backoff * 2**i for i in range(max(attempts - 1, 0))]


class Webhook:
    def __init__(self, url: str, timeout: float, attempts: int, backoff: float) -> None:
        self.url = url
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self._threads: list[threading.Thread] = []

    def send(self, payload: dict[str, Any]) -> None:
        """Deliver *payload* in the background."""
        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(
            target=self._deliver, args=(payload,), daemon=True, name="webhook"
        )
        self._threads.append(thread)
        thread.start()

    def _deliver(self, payload: dict[str, Any]) -> None:
        delays = [*backoff_delays(self.attempts, self.backoff), 0.0]
        problem = ""
        for attempt, delay in enumerate(delays, 1):
            try:
                status = post_json(self.url, payload, self.timeout)
            except (OSError, ValueError) as e:
                problem = str(getattr(e, "reason", e))
            else:
                if 200 <= status < 300:
                    logger.info("webhook %s: delivered (HTTP %d)", self.url, status)
                    return
                problem = f"HTTP {status}"
            if attempt < len(delays):
                logger.warning(
                    "webhook %s: try %d of %d failed (%s); retrying in %.0f s",
                    self.url,
                    attempt,
                    len(delays),
                    problem,
                    delay,
                )
                time.sleep(delay)
        logger.error("webhook %s: lost after %d tries (%s)", self.url, len(delays), problem)

    def longest(self) -> float:
        """The longest one delivery can take."""
        return self.attempts * self.timeout + sum(backoff_delays(self.attempts, self.backoff))

    def flush(self, timeout: float) -> None:
        """Wait up to *timeout* s for deliveries in progress (before ``--once`` exits)."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
