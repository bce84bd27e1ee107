"""A farm spider whose callback costs CPU: ``-a parse_passes=N`` parses each page N times
with lxml (heavy pages), 0 only follows its links (light pages)."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import lxml.html
from scrapy import Request, Spider
from scrapy.http import Response

_HREF = re.compile(rb'href="([^"]+)"')


class LoadFarmSpider(Spider):
    name = "loadfarm"
    custom_settings = {
        "RETRY_TIMES": 1,
    }

    def __init__(self, *args: Any, start_url: str = "", parse_passes: str = "0", **kw: Any):
        super().__init__(*args, **kw)
        self.start_url = start_url
        self.passes = int(parse_passes)
        self.first_parsed = self.last_parsed = 0.0

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.start_url, callback=self.parse)

    def parse(self, response: Response) -> Iterator[Request]:
        self.last_parsed = time.time()
        self.first_parsed = self.first_parsed or self.last_parsed
        for _ in range(self.passes):  # the parse-heavy page: a full DOM, every text node
            sum(len(t) for t in lxml.html.fromstring(response.body).itertext())
        for href in _HREF.findall(response.body):
            yield response.follow(href.decode(), callback=self.parse)

    def closed(self, reason: str) -> None:
        self.logger.info("loadfarm: first page parsed at %.3f", self.first_parsed)
        self.logger.info("loadfarm: last page parsed at %.3f", self.last_parsed)
