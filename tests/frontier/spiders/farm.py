"""The test spider: follows every link of the local farm (plain HTTP, no browser)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response

_HREF = re.compile(rb'href="([^"]+)"')


class FarmSpider(Spider):
    name = "farm"
    custom_settings = {
        "DOWNLOAD_HANDLERS": {
            "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
            "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
        },
        "ITEM_PIPELINES": {},
        "LOG_LEVEL": "INFO",
        "RETRY_TIMES": 1,
    }

    def __init__(self, *args: Any, start_url: str = "", extra: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls_ = [start_url, *filter(None, extra.split(","))]

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls_:
            yield Request(url, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response) -> Iterator[Request]:
        for href in _HREF.findall(response.body):
            yield response.follow(href.decode(), callback=self.parse, errback=self.on_error)

    def on_error(self, failure: Any) -> None:
        self.logger.debug("failed: %s", failure.request.url)
