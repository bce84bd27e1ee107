"""Acknowledges a leased request once its response is fully handled.

A spider middleware placed closest to the engine: it hands each request the callback
yields to the engine itself (so the request is in the scheduler's outbox before the next
output is read), and acks the response's lease when the output ends; an exception from
the callback records the request as failed. Download failures end their lease in
:class:`benchcrawl.frontier.lease.LeaseErrback`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from benchcrawl.frontier.lease import LEASE_KEY, describe, hand_over
from benchcrawl.frontier.scheduler import running_scheduler


class FrontierAckMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierAckMiddleware:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("frontier acks need REDIS_URL")
        return cls(crawler)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        scheduler = running_scheduler(self.crawler)
        lease = _lease(response)
        if scheduler is None:
            yield from result
            return
        crawl = self.crawler.engine.crawl  # type: ignore[union-attr]
        try:
            for out in result:
                if isinstance(out, Request):
                    hand_over(crawl, out)
                else:
                    yield out
        finally:
            if lease:
                scheduler.finish(lease, None)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        scheduler = running_scheduler(self.crawler)
        lease = _lease(response)
        if scheduler is None:
            async for out in result:
                yield out
            return
        crawl = self.crawler.engine.crawl  # type: ignore[union-attr]
        try:
            async for out in result:
                if isinstance(out, Request):
                    hand_over(crawl, out)
                else:
                    yield out
        finally:
            if lease:
                scheduler.finish(lease, None)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        scheduler = running_scheduler(self.crawler)
        lease = _lease(response)
        if scheduler is not None and lease:
            scheduler.finish(lease, f"spider error: {describe(exception)}")


def _lease(response: Response) -> str | None:
    request = response.request
    return request.meta.get(LEASE_KEY) if request is not None else None
