"""One Playwright driver and one Chromium per crawler, started as soon as the handler is.

scrapy-playwright's handler is built once per scheme: ``http`` and ``https`` each got their
own, and each started its own Playwright driver (a Node.js process, ~0.4 s of CPU) when the
engine started, although a sweep uses one scheme. Here both schemes share one handler, so
one driver starts and one stops.

It also starts earlier: the driver, then the browser, are launched as soon as the handler
is built (while Scrapy still builds the middlewares and pipelines and opens the spider),
instead of the driver at ``engine_started`` and the browser on the first request. The
engine still waits for both at ``engine_started``, as it waited for the driver before.

The driver itself is started earlier still, by ``scrapy crawl`` as soon as the crawler
exists (:mod:`benchcrawl.browser.driver`): the handler adopts that process, so Node.js
loads Playwright while Scrapy imports and builds the crawl.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import weakref
from typing import Any

from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.provider import PlaywrightBrowserProvider

from benchcrawl.browser import driver

logger = logging.getLogger(__name__)

#: the handler of each crawler, shared by its schemes
_SHARED: weakref.WeakKeyDictionary[Crawler, SharedPlaywrightHandler] = weakref.WeakKeyDictionary()


class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._closed = False
        self._launching: asyncio.Future[None] | None = None
        early = driver.take(crawler)
        if early is not None:
            config = self.config
            self.browser_provider_cls = lambda _: EarlyDriverProvider(config, early)  # type: ignore[assignment]
        if not self.config.use_threaded_loop:
            # runs as soon as the loop does: often now, else when the reactor starts
            self._launching = asyncio.ensure_future(self._launch_early())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPlaywrightHandler:
        handler = _SHARED.get(crawler)
        if handler is None:
            handler = _SHARED[crawler] = cls(crawler)
        return handler

    async def _launch_early(self) -> None:
        await super()._launch()
        if not (self.config.cdp_url or self.config.connect_url):
            await self._maybe_launch_browser()  # a local Chromium; a remote one on demand

    async def _launch(self) -> None:
        """``engine_started``: wait for the launch begun when the handler was built."""
        if self._launching is None:
            await super()._launch()
            return
        await asyncio.shield(self._launching)

    async def close(self) -> None:  # type: ignore[override]
        """Once, although Scrapy closes the handler of each scheme."""
        if self._closed:
            return
        self._closed = True
        if self._launching is not None and not self._launching.done():
            self._launching.cancel()  # the crawl ended before the browser was up
            try:
                await self._launching
            except (asyncio.CancelledError, Exception):
                pass
        await super().close()


class EarlyDriverProvider(PlaywrightBrowserProvider):
    """Playwright's own provider, on the driver started early for this crawl."""

    def __init__(self, config: Any, process: subprocess.Popen[bytes]) -> None:
        super().__init__(config)
        self.process = process

    async def start(self) -> None:
        self.playwright = await driver.start_playwright(self.process)
        self.browser_type = getattr(self.playwright, self.config.browser_type_name)


__all__ = ["EarlyDriverProvider", "SharedPlaywrightHandler"]
