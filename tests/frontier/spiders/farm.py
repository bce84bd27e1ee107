"""The test spider: follows every link of the local farm (plain HTTP, no browser)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response

_HREF = re.compile(rb'href="([^"]+)"')


class FarmSpider(Spider):
    name = "farm"
    custom_settings = {
        "LOG_LEVEL": "INFO",
        "RETRY_TIMES": 1,
    }

    def __init__(
        self, *args: Any, start_url: str = "", extra: str = "", barrier: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls_ = [start_url, *filter(None, extra.split(","))]
        # "KEY:N": seed nothing until N workers have counted themselves in KEY, so a test
        # with several workers knows they all run before the crawl starts
        self.barrier = barrier

    async def _wait_for_barrier(self) -> None:
        import redis

        key, _, count = self.barrier.rpartition(":")
        client = redis.Redis.from_url(self.crawler.settings["REDIS_URL"])
        client.incr(key)
        deadline = time.monotonic() + 60
        while int(client.get(key) or 0) < int(count):
            if time.monotonic() > deadline:
                raise RuntimeError(f"barrier {key}: fewer than {count} workers in 60 s")
            await asyncio.sleep(0.1)
        client.close()

    async def start(self) -> AsyncIterator[Request]:
        if self.barrier:
            await self._wait_for_barrier()
        for url in self.start_urls_:
            yield Request(url, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response) -> Iterator[Request]:
        for href in _HREF.findall(response.body):
            yield response.follow(href.decode(), callback=self.parse, errback=self.on_error)

    def on_error(self, failure: Any) -> None:
        self.logger.debug("failed: %s", failure.request.url)
