"""A downloader middleware for tests: holds the worker up between the polite gate and the
wire, as a loaded host does (a blocking sleep), on the first page fetch of each host, and
the broad spider that uses it. ``HOLD_UP_SECONDS`` sets how long.

Added by a spider class, not by ``-s DOWNLOADER_MIDDLEWARES``: Scrapy re-applies command-line
settings over the crawler's, which would drop the gate the broad spider adds."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from benchcrawl.components import add_spider_component
from benchcrawl.spiders.broad import GATE_ORDER, BroadSpider


class HoldUpAfterGate:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.held: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HoldUpAfterGate:
        return cls(crawler.settings.getfloat("HOLD_UP_SECONDS", 0.6))

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.endswith("/robots.txt") or host in self.held:
            return
        self.held.add(host)
        time.sleep(self.seconds)  # the whole process stands still, the gate's record made


class HeldUpBroadSpider(BroadSpider):
    """The broad spider with :class:`HoldUpAfterGate` after its gate; run it with
    ``-s SPIDER_MODULES=tests.support.hold_up`` (same name, same keys)."""

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        add_spider_component(settings, "DOWNLOADER_MIDDLEWARES", HoldUpAfterGate, GATE_ORDER + 30)
