"""Attach the dashboard work to each InferenceMAX page request just before it is fetched.

Requests wait in the (possibly shared, serialized) queue with plain JSON meta; this
middleware adds the live objects: a capture listening to the page's traffic from before
navigation (:class:`~benchcrawl.browser.capture.DataCapture` for the 2025 data files,
:class:`~benchcrawl.browser.api_capture.ApiCapture` for the 2026 API, both on the discovery
page, which tells the generations apart), and the page method that drives the page. The
outcome comes back in ``response.meta["dashboard"]``.

Pages are pooled per worker: a page that finished a combination cleanly is handed to the
next one. 2025: combination URLs differ only in their fragment (``#combination=3``), so
moving a hydrated page to the next combination is a same-document navigation: no reload, no
new renderer, no second hydration. 2026: a combination of the model a pooled page already
shows is reached by choosing its date in the page's run date control, in place (no reload,
no second hydration or availability answer), and this middleware answers the request
itself; any other (another model, no such control) opens its URL state in a full
navigation. A page that saw an error is closed, never reused, and every pooled page is
closed when the spider closes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy_playwright.page import PageMethod

from benchcrawl.browser import actions
from benchcrawl.browser.api_capture import INFERENCEX, ApiCapture
from benchcrawl.browser.capture import DataCapture
from benchcrawl.frontier.defaults import FRONTIER_TRANSIENT_META_KEYS as TRANSIENT_META
from benchcrawl.inferencex.answer import selection_of
from benchcrawl.signals import dashboard_recognised, sweep_ended

logger = logging.getLogger(__name__)

#: meta keys holding live objects; they are removed before a request is queued again (the
#: frontier's transient keys that hold a page or this middleware's state)
LIVE_KEYS = tuple(k for k in TRANSIENT_META if k.startswith(("playwright_page", "dashboard")))


def _handlers(capture: Any) -> dict[str, Any]:
    """The page events a capture listens to, with its handlers."""
    return {
        "request": capture.on_request,
        "response": capture.on_response,
        "requestfailed": capture.on_request_failed,
    }


def _shown(combo: dict[str, Any], outcome: Any) -> tuple[str, str] | None:
    """The (model, run date) a 2026 page shows after a clean combination, else None."""
    if combo.get("generation") != INFERENCEX or not combo["index"] or outcome is None:
        return None
    answer = (outcome.files or {}).get("benchmarks")
    if answer is None:
        return None
    return combo["model"], combo["sequence"] or selection_of(answer.url)[1]


class _SameDocumentFilter(logging.Filter):
    """scrapy-playwright warns that a same-document navigation (a pooled page moving to the
    next combination's fragment) "returned None"; for pooled pages that is expected."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.msg.startswith("Navigating to") and "#combination=" in record.getMessage()
        )


class DashboardMiddleware:
    def __init__(
        self,
        patterns: dict[str, str],
        labels: tuple[str, str],
        pool_pages: bool,
        run_date_label: str = "Run date",
        stats: Any = None,
        on_generation: Any = None,
        max_pages: int = 0,
    ) -> None:
        self.patterns = patterns
        self.labels = labels
        self.pool_pages = pool_pages
        self.run_date_label = run_date_label
        self.in_place = True  # until a page shows it has no run date control to choose in
        self.stats = stats
        self.on_generation = on_generation  # hears the discovery page's generation
        # 2025: a combination waits for a pooled page while this many pages are held (0: never)
        self.max_pages = max_pages if pool_pages else 0
        self.held: set[int] = set()  # ids of the requests holding a page now
        self._freed = asyncio.Event()  # a held page was released
        # pooled pages, each with the (model, run date) it shows (2026) or None
        self.pool: list[tuple[Any, tuple[str, str] | None]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DashboardMiddleware:
        settings = crawler.settings
        mw = cls(
            dict(settings.getdict("INFERENCEMAX_KIND_PATTERNS")),
            (settings["INFERENCEMAX_MODEL_LABEL"], settings["INFERENCEMAX_SEQUENCE_LABEL"]),
            settings.getbool("INFERENCEMAX_REUSE_PAGES"),
            settings["INFERENCEX_RUN_DATE_LABEL"],
            crawler.stats,
            lambda generation: crawler.signals.send_catch_log(
                signal=dashboard_recognised, generation=generation
            ),
            settings.getint("INFERENCEMAX_MAX_PAGES"),
        )
        crawler.signals.connect(mw.close_pool, signal=signals.spider_closed)
        crawler.signals.connect(mw.close_pool, signal=sweep_ended)  # a serving worker's
        if mw.pool_pages:
            logging.getLogger("scrapy-playwright").addFilter(_SameDocumentFilter())
        return mw

    def _take(self, model: str | None) -> tuple[Any, tuple[str, str] | None] | None:
        """A live pooled page: one showing *model* when there is one, else the newest."""
        self.pool = [entry for entry in self.pool if not entry[0].is_closed()]
        if not self.pool_pages or not self.pool:
            return None
        for i in range(len(self.pool) - 1, -1, -1):
            shown = self.pool[i][1]
            if model is not None and shown is not None and shown[0] == model:
                return self.pool.pop(i)
        return self.pool.pop()

    async def process_request(self, request: Request) -> HtmlResponse | None:
        combo = request.meta.get("combination")
        if combo is None or not request.meta.get("playwright"):
            return None
        capture: Any = DataCapture(self.patterns)
        timeout = float(request.meta["dashboard_timeout"])
        reused = False
        # a 2026 combination of one run date: a pooled page of its model may choose it
        dated = combo.get("generation") == INFERENCEX and combo["index"] and combo["sequence"]
        if "playwright_page" not in request.meta and not combo.get("warm"):
            if combo["index"] and combo.get("generation") != INFERENCEX:
                await self._page_free(timeout)
            taken = self._take(combo["model"] if dated else None)
            if taken is not None:
                page, shown = taken
                request.meta["playwright_page"] = page
                reused = True
                if self.in_place and dated and shown and shown[0] == combo["model"]:
                    answered = await self._change_run_date(request, page, combo, timeout)
                    if answered is not None:
                        return answered
        if combo["index"] == 0:  # the generation is told by what the page requests
            capture = ApiCapture(capture)
            method = PageMethod(
                actions.recognise,
                capture,
                *self.labels,
                timeout,
                on_generation=self.on_generation,
            )
        elif combo.get("warm"):  # a 2025 page opened ahead, for the pool
            method = PageMethod(actions.warm, capture, self.labels, timeout)
        elif combo.get("generation") == INFERENCEX:  # the URL opens the selection
            capture = ApiCapture()
            method = PageMethod(
                actions.open_selection, capture, combo["model"], combo["sequence"], timeout
            )
        else:
            values = (combo["model"], combo["sequence"])
            method = PageMethod(actions.select, capture, self.labels, values, timeout, reused)
        self.held.add(id(request))
        request.meta["playwright_include_page"] = True
        request.meta["playwright_page_event_handlers"] = _handlers(capture)
        request.meta["playwright_page_methods"] = [method]
        request.meta["dashboard_capture"] = capture
        return None

    async def _change_run_date(
        self, request: Request, page: Any, combo: dict[str, Any], timeout: float
    ) -> HtmlResponse | None:
        """Answer the request on its pooled page by choosing its run date in place; None
        when the page could not (the request then opens its URL state)."""
        capture = ApiCapture()
        handlers = _handlers(capture)
        for event, handler in handlers.items():
            page.on(event, handler)
        try:
            outcome = await actions.change_run_date(
                page, capture, combo["model"], combo["sequence"], self.run_date_label, timeout
            )
        except actions.NotInPlace as e:
            # this page's app has no such control: every later combination opens its URL
            logger.info("%s: pooled pages open each run date's URL instead", e)
            self.in_place = False
            outcome = None
        if outcome is None:
            for event, handler in handlers.items():
                page.remove_listener(event, handler)
            return None
        if self.stats is not None:
            self.stats.inc_value("inferencemax/pages/run_date_in_place")
        request.meta["dashboard"] = outcome
        request.meta["dashboard_capture"] = capture
        return HtmlResponse(request.url, body=b"", encoding="utf-8", request=request)

    async def _page_free(self, timeout: float) -> None:
        """Wait, at most *timeout*, while no page is pooled and ``max_pages`` are held: a
        pooled page (hydrated, its renderer running) only clicks, where a new one costs a
        renderer process, a page load and a hydration on the same 2 cores."""
        if not self.max_pages:
            return
        deadline = asyncio.get_running_loop().time() + timeout
        while not self._live_pool() and len(self.held) >= self.max_pages:
            self._freed.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                await asyncio.wait_for(self._freed.wait(), max(remaining, 0))
            except TimeoutError:
                return

    def _live_pool(self) -> bool:
        return any(not page.is_closed() for page, _ in self.pool)

    def _let_go(self, request: Request) -> None:
        if id(request) in self.held:
            self.held.discard(id(request))
            self._freed.set()

    async def process_response(self, request: Request, response: Any) -> Any:
        if request.meta.get("combination") is None:
            return response
        methods = request.meta.get("playwright_page_methods")
        if methods:
            request.meta["dashboard"] = methods[0].result
        elif "dashboard" not in request.meta:
            return response
        outcome = request.meta["dashboard"]
        page = request.meta.pop("playwright_page", None)
        if page is not None:
            shown = _shown(request.meta["combination"], outcome)
            await self._release(page, request.meta.get("dashboard_capture"), outcome, shown)
        self._let_go(request)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        page = request.meta.pop("playwright_page", None)
        if request.meta.get("combination") is not None and page is not None:
            await self._release(page, request.meta.get("dashboard_capture"), None)
        self._let_go(request)

    async def _release(
        self, page: Any, capture: Any, outcome: Any, shown: tuple[str, str] | None = None
    ) -> None:
        if capture is not None:
            for event, handler in _handlers(capture).items():
                try:
                    page.remove_listener(event, handler)
                except Exception:  # already gone with its page
                    pass
        healthy = outcome is not None and outcome.error is None and not page.is_closed()
        if self.pool_pages and healthy:
            self.pool.append((page, shown))
            return
        try:
            await page.close()
        except Exception:  # the browser is gone already
            pass

    async def close_pool(self) -> None:
        """Close the pooled pages, all at once: the crawl's end waits for the slowest only."""
        pool, self.pool = self.pool, []
        await asyncio.gather(*(page.close() for page, _ in pool), return_exceptions=True)
