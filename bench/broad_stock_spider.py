"""The baseline of bench/broad_crawl.py: a stock Scrapy spider as the scrapy-redis docs
write it, following every ``<a href>`` with parsel (``response.css("a::attr(href)")``) and
``response.follow``, restricted to the farm's hosts with ``allowed_domains``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response


class StockSpider(Spider):
    name = "stock"
    custom_settings = {
        "DOWNLOAD_HANDLERS": {
            "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
            "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
        },
        "ITEM_PIPELINES": {},
        "RETRY_TIMES": 1,
    }

    def __init__(self, *args: Any, seeds: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seeds = [s for s in seeds.split(",") if s]
        self.allowed_domains = sorted({s.split("/")[2].split(":")[0] for s in self.seeds})

    async def start(self) -> AsyncIterator[Request]:
        for url in self.seeds:
            yield Request(url)

    def parse(self, response: Response) -> Iterator[Request]:
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)
