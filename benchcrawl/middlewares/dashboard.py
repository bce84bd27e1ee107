"""Attach the dashboard work to each InferenceMAX page request just before it is fetched.

Requests wait in the (possibly shared, serialized) queue with plain JSON meta; this
middleware adds the live objects: a capture listening to the page's traffic from before
navigation (:class:`~benchcrawl.browser.capture.DataCapture` for the 2025 data files,
:class:`~benchcrawl.browser.api_capture.ApiCapture` for the 2026 API, both on the discovery
page, which tells the generations apart), and the page method that drives the page. The
outcome comes back in ``response.meta["dashboard"]``.

Pages are pooled per worker: a page that finished a combination cleanly is handed to the
next one. Combination URLs differ only in their fragment (``#combination=3``), so moving a
hydrated page to the next combination is a same-document navigation: no reload, no new
renderer, no second hydration. A page that saw an error is closed, never reused, and every
pooled page is closed when the spider closes.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy_playwright.page import PageMethod

from benchcrawl.browser import actions
from benchcrawl.browser.api_capture import INFERENCEX, ApiCapture
from benchcrawl.browser.capture import DataCapture
from benchcrawl.frontier.defaults import FRONTIER_TRANSIENT_META_KEYS as TRANSIENT_META

logger = logging.getLogger(__name__)

#: meta keys holding live objects; they are removed before a request is queued again (the
#: frontier's transient keys that hold a page or this middleware's state)
LIVE_KEYS = tuple(k for k in TRANSIENT_META if k.startswith(("playwright_page", "dashboard")))

_EVENTS = ("request", "response", "requestfailed")


class _SameDocumentFilter(logging.Filter):
    """scrapy-playwright warns that a same-document navigation (a pooled page moving to the
    next combination's fragment) "returned None"; for pooled pages that is expected."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.msg.startswith("Navigating to") and "#combination=" in record.getMessage()
        )


class DashboardMiddleware:
    def __init__(self, patterns: dict[str, str], labels: tuple[str, str], pool_pages: bool) -> None:
        self.patterns = patterns
        self.labels = labels
        self.pool_pages = pool_pages
        self.pool: list[Any] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DashboardMiddleware:
        settings = crawler.settings
        mw = cls(
            dict(settings.getdict("INFERENCEMAX_KIND_PATTERNS")),
            (settings["INFERENCEMAX_MODEL_LABEL"], settings["INFERENCEMAX_SEQUENCE_LABEL"]),
            settings.getbool("INFERENCEMAX_REUSE_PAGES"),
        )
        crawler.signals.connect(mw.close_pool, signal=signals.spider_closed)
        if mw.pool_pages:
            logging.getLogger("scrapy-playwright").addFilter(_SameDocumentFilter())
        return mw

    def process_request(self, request: Request) -> None:
        combo = request.meta.get("combination")
        if combo is None or not request.meta.get("playwright"):
            return
        capture: Any = DataCapture(self.patterns)
        timeout = float(request.meta["dashboard_timeout"])
        reused = False
        while self.pool_pages and self.pool and "playwright_page" not in request.meta:
            page = self.pool.pop()
            if not page.is_closed():
                request.meta["playwright_page"] = page
                reused = True
        if combo["index"] == 0:  # the generation is told by what the page requests
            capture = ApiCapture(capture)
            method = PageMethod(actions.recognise, capture, *self.labels, timeout)
        elif combo.get("generation") == INFERENCEX:  # the URL opens the selection
            capture = ApiCapture()
            method = PageMethod(
                actions.open_selection, capture, combo["model"], combo["sequence"], timeout
            )
        else:
            values = (combo["model"], combo["sequence"])
            method = PageMethod(actions.select, capture, self.labels, values, timeout, reused)
        request.meta["playwright_include_page"] = True
        request.meta["playwright_page_event_handlers"] = {
            "request": capture.on_request,
            "response": capture.on_response,
            "requestfailed": capture.on_request_failed,
        }
        request.meta["playwright_page_methods"] = [method]
        request.meta["dashboard_capture"] = capture

    async def process_response(self, request: Request, response: Any) -> Any:
        methods = request.meta.get("playwright_page_methods")
        if request.meta.get("combination") is None or not methods:
            return response
        outcome = methods[0].result
        request.meta["dashboard"] = outcome
        page = request.meta.pop("playwright_page", None)
        if page is not None:
            await self._release(page, request.meta.get("dashboard_capture"), outcome)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        page = request.meta.pop("playwright_page", None)
        if request.meta.get("combination") is not None and page is not None:
            await self._release(page, request.meta.get("dashboard_capture"), None)

    async def _release(self, page: Any, capture: Any, outcome: Any) -> None:
        if capture is not None:
            for event in _EVENTS:
                handler = {
                    "request": capture.on_request,
                    "response": capture.on_response,
                    "requestfailed": capture.on_request_failed,
                }[event]
                try:
                    page.remove_listener(event, handler)
                except Exception:  # already gone with its page
                    pass
        healthy = outcome is not None and outcome.error is None and not page.is_closed()
        if self.pool_pages and healthy:
            self.pool.append(page)
            return
        try:
            await page.close()
        except Exception:  # the browser is gone already
            pass

    async def close_pool(self) -> None:
        pool, self.pool = self.pool, []
        for page in pool:
            try:
                await page.close()
            except Exception:
                pass
