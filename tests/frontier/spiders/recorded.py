"""The farm spider whose callback records each page in Redis and waits out an outage for
it (as the broad spider's page call and the sweep pipelines do): a stop during an outage
would wait for Redis forever, but for the shutdown bound."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import redis
from scrapy import Request
from scrapy.http import Response

from benchcrawl.connection import RedisRetry
from tests.frontier.spiders.farm import _HREF, FarmSpider


class RecordedFarmSpider(FarmSpider):
    name = "farm_recorded"

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> RecordedFarmSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.client = redis.Redis.from_url(
            crawler.settings["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1
        )
        spider.redis = RedisRetry("recorded farm", 1.0)  # waits for Redis, however long
        return spider

    async def parse(self, response: Response) -> AsyncIterator[Request]:  # type: ignore[override]
        await self.redis(self.client.sadd, "farm_recorded:pages", response.url)
        for href in _HREF.findall(response.body):
            yield response.follow(href.decode(), callback=self.parse, errback=self.on_error)
