"""How a leased request is tied to its lease inside one worker, and how it ends; and
how many requests a worker may lease at a time (:class:`LeaseBudget`).

The scheduler tags each request it hands out with its lease id (``meta[LEASE_KEY]``) and
wraps its errback in :class:`LeaseErrback`. The lease then ends at exactly one of:

- the callback's output handled (:mod:`benchcrawl.frontier.ack`) → ack;
- a download failure reaching the errback → failed record (``IgnoreRequest``: ack);
- a successor enqueued in its place (retry, redirect: a copy of the request, so it carries
  the lease id) → ack, in the same Redis commit that queues the successor.

Requests a callback or errback yields are handed to the engine *before* the lease ends and
lose the lease id (a child made with ``meta=response.meta`` is not a successor).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import arg_to_iter
from twisted.python.failure import Failure

LEASE_KEY = "_frontier_lease"

Finish = Callable[[str, str | None], None]  # (lease id, failure reason or None for an ack)
Crawl = Callable[[Request], None]


def describe(error: BaseException) -> str:
    """A one-line reason for a failed request."""
    if isinstance(error, HttpError) and getattr(error, "response", None) is not None:
        return f"HTTP {error.response.status}"
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def failure_reason(error: BaseException) -> str | None:
    """The reason to record, or None when the request was deliberately dropped."""
    if isinstance(error, IgnoreRequest) and not isinstance(error, HttpError):
        return None
    return describe(error)


def hand_over(crawl: Crawl, request: Request) -> None:
    """Schedule a request a callback produced, without its parent's lease id."""
    request.meta.pop(LEASE_KEY, None)
    crawl(request)


class LeaseErrback:
    """The errback of a leased request: calls the spider's own errback (if any), hands the
    requests it yields to the engine, then ends the lease with the failure's reason."""

    __slots__ = ("crawl", "finish", "lease", "original")

    def __init__(
        self, lease: str, original: Callable[..., Any] | None, finish: Finish, crawl: Crawl
    ) -> None:
        self.lease = lease
        self.original = original
        self.finish = finish
        self.crawl = crawl

    def __call__(self, failure: Failure) -> Any:
        assert failure.value is not None
        reason = failure_reason(failure.value)
        if self.original is None:
            self.finish(self.lease, reason)
            return failure
        try:
            output = self.original(failure)
        except Exception:
            self.finish(self.lease, reason)
            raise
        if output is None or isinstance(output, Failure):
            self.finish(self.lease, reason)
            return output
        return self._drain(output, reason)

    async def _drain(self, output: Any, reason: str | None) -> AsyncIterator[Any]:
        try:
            if inspect.isawaitable(output):
                output = await output
            if hasattr(output, "__aiter__"):
                async for item in output:
                    if isinstance(item, Request):
                        hand_over(self.crawl, item)
                    else:
                        yield item
            else:
                for item in arg_to_iter(output):
                    if isinstance(item, Request):
                        hand_over(self.crawl, item)
                    else:
                        yield item
        finally:
            self.finish(self.lease, reason)


def unwrap_errback(errback: Any) -> Any:
    return errback.original if isinstance(errback, LeaseErrback) else errback


class LeaseBudget:
    """How many requests a worker may lease now, as the resources middleware sets it
    (:mod:`benchcrawl.signals`): none while its node is throttled or paused; otherwise a
    batch, but never more held at once (leased, buffered, in flight) than its lease limit
    (0: no limit). Requests already held are still handed out."""

    def __init__(self, batch: int) -> None:
        self.batch = batch
        self.paused_reason: str | None = None
        self.limit = 0

    def pause(self, reason: str) -> None:
        self.paused_reason = reason

    def resume(self) -> None:
        self.paused_reason = None

    def set_limit(self, limit: int) -> None:
        self.limit = max(0, limit)

    def room(self, held: int) -> int:
        if self.paused_reason is not None:
            return 0
        if not self.limit:
            return self.batch
        return max(0, min(self.batch, self.limit - held))
