"""The InferenceMAX sweep: every combination of the dashboard, whichever generation it is.

One discovery request opens the page and tells its generation from what the page requests:
the 2025 data files (``/data/inference-performance/...``, plain or wrapped) or the 2026
InferenceX API (``/api/v1/availability``). Each combination is then its own Request through
the scheduler, so with a Redis frontier the combinations spread across workers.

- 2025: a combination is Model x ISL/OSL; its page selects both dropdowns and captures the
  two data files the page fetches for that selection.
- 2026: a combination is Model x run date (:mod:`benchcrawl.inferencex.plan`); its page is
  opened at ``?g_model=<label>&g_rundate=<date>`` and the benchmarks answer the page loads
  for that selection is captured. benchcrawl never requests ``/api/`` itself (robots.txt
  disallows it): it reads what the page loads, as the browser it is.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task, threads
from twisted.python.failure import Failure

from benchcrawl.browser.api_capture import INFERENCEMAX, INFERENCEX
from benchcrawl.components import add_spider_component, apply_defaults
from benchcrawl.config import JobConfig, load_config
from benchcrawl.connection import key_scope, redis_client
from benchcrawl.exceptions import BenchcrawlError, ConfigError, DashboardError
from benchcrawl.frontier.serve import parse_serve
from benchcrawl.inferencemax import defaults as inferencemax_defaults
from benchcrawl.inferencex import plan as inferencex_plan
from benchcrawl.inferencex.answer import (
    AnswerError,
    http_failure,
    parse_availability,
    selection_of,
)
from benchcrawl.items import CombinationFailure, CombinationResult
from benchcrawl.middlewares.dashboard import LIVE_KEYS
from benchcrawl.signals import dashboard_recognised, sweep_ended
from benchcrawl.sweep.memory import MemorySweepStore
from benchcrawl.sweep.redis import RedisSweepStore
from benchcrawl.sweep.state import FAILED, OPEN, describe_failures
from benchcrawl.sweep.store import SweepStore

logger = logging.getLogger(__name__)

# one Playwright driver and browser for both schemes, launched as the handler is built
PLAYWRIGHT_HANDLER = "benchcrawl.browser.handler.SharedPlaywrightHandler"
DASHBOARD_ORDER = 950  # near the download handler: drives the page Playwright opens


class InferenceMaxSpider(Spider):
    name = "inferencemax"
    custom_settings = {
        "CONCURRENT_REQUESTS": 8,  # browser pages one worker drives at once (2 cores: CPU-bound)
        # a page takes a second or more: hold at most one unstarted, so idle workers get work
        "FRONTIER_LEASE_BATCH": 1,
    }

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """What only this spider needs, added to the project's components, not in place of
        them: its defaults, Playwright for http(s), the dashboard middleware and the sweep
        pipelines."""
        super().update_settings(settings)
        apply_defaults(settings, inferencemax_defaults)
        from benchcrawl.middlewares.dashboard import DashboardMiddleware
        from benchcrawl.pipelines.archive import ArchivePipeline
        from benchcrawl.pipelines.merge import MergePipeline
        from benchcrawl.pipelines.split import SplitPipeline
        from benchcrawl.pipelines.validate import ValidatePipeline

        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        handlers.update(dict.fromkeys(("http", "https"), PLAYWRIGHT_HANDLER))
        settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
        add_spider_component(
            settings, "DOWNLOADER_MIDDLEWARES", DashboardMiddleware, DASHBOARD_ORDER
        )
        for order, pipeline in enumerate(
            (ValidatePipeline, SplitPipeline, MergePipeline, ArchivePipeline), start=1
        ):
            add_spider_component(settings, "ITEM_PIPELINES", pipeline, order * 100)

    def __init__(
        self,
        *args: Any,
        base_url: str | None = None,
        history: str | None = None,
        since: str | None = None,
        serve: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.base_url_arg = base_url
        # -a serve=1: stay up, join every sweep anyone opens (benchcrawl.frontier.serve)
        self.serve = parse_serve(serve)
        # InferenceX: -a history=all (every run date) or -a since=YYYY-MM-DD
        self.history_all, self.since = inferencex_plan.parse_history(history, since)
        self.sweep_id = ""

    @classmethod
    def check_settings(cls, settings: BaseSettings, spider_args: dict[str, str]) -> None:
        """Fail fast, before any browser or crawl starts, on a bad config or argument."""
        load_config(settings["BENCHCRAWL_CONFIG"])
        _check_base_url(spider_args.get("base_url"))
        inferencex_plan.parse_history(spider_args.get("history"), spider_args.get("since"))
        if parse_serve(spider_args.get("serve")) and not settings.get("REDIS_URL"):
            raise ConfigError(
                "-a serve=1 waits for sweeps opened on a cluster; set REDIS_URL (a worker "
                "without Redis only ever runs its own sweep)."
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> InferenceMaxSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.config = load_config(settings["BENCHCRAWL_CONFIG"])
        spider.base_url = spider.base_url_arg or spider.config.source.base_url
        _check_base_url(spider.base_url)
        spider.timeout = spider.config.source.timeout
        spider.model_label = settings["INFERENCEMAX_MODEL_LABEL"]
        spider.sequence_label = settings["INFERENCEMAX_SEQUENCE_LABEL"]
        spider.kind_patterns = dict(settings.getdict("INFERENCEMAX_KIND_PATTERNS"))
        spider.sweep_timeout = settings.getfloat("INFERENCEMAX_SWEEP_TIMEOUT")
        spider.sweep_store = _build_store(crawler, spider.name)
        spider.end_watch = task.LoopingCall(spider.check_end)
        spider.end_poll = settings.getfloat("INFERENCEMAX_END_POLL_INTERVAL")
        # the pages a 2025 sweep keeps, but the discovery page, are opened while it reads
        spider.warm_pages = (
            max(settings.getint("INFERENCEMAX_MAX_PAGES") - 1, 0)
            if settings.getbool("INFERENCEMAX_REUSE_PAGES")
            else 0
        )
        crawler.signals.connect(spider.on_recognised, signal=dashboard_recognised)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    config: JobConfig
    base_url: str
    timeout: float
    model_label: str
    sequence_label: str
    kind_patterns: dict[str, str]
    sweep_timeout: float
    sweep_store: SweepStore
    end_watch: task.LoopingCall
    end_poll: float
    warm_pages: int
    _checking = False
    _ended = False
    _warmed = False
    _rediscovered = False  # this worker queued the discovery of an orphaned sweep

    # --- requests ----------------------------------------------------------------------
    def _page_request(
        self, index: int, model: str, sequence: str, generation: str = "", **kwargs: Any
    ) -> Request:
        url = self.base_url.split("#", 1)[0]
        combination = {"index": index, "model": model, "sequence": sequence}
        if generation == INFERENCEX:
            # the page's URL state opens the selection: g_model, and g_rundate when planned
            state = {"g_model": model, **({"g_rundate": sequence} if sequence else {})}
            url += ("&" if "?" in url else "?") + urlencode(state)
            combination["generation"] = generation
        elif index:
            # combinations differ only in the fragment, so a pooled page moves without reload
            url += f"#combination={index}"
        return Request(
            url,
            errback=self.on_request_error,
            dont_filter=True,
            meta=self._page_meta(combination, self.config.source.retry_attempts),
            **kwargs,
        )

    def _page_meta(self, combination: dict[str, Any], retries: int) -> dict[str, Any]:
        """A dashboard page request's meta: a page of the sweep's browser context."""
        return {
            "playwright": True,
            "playwright_context": "inferencemax",
            "playwright_page_goto_kwargs": {
                "wait_until": "domcontentloaded",
                "timeout": self.timeout * 1000,
            },
            "dashboard_timeout": self.timeout,
            "max_retry_times": retries,
            "sweep_id": self.sweep_id,
            "combination": combination,
        }

    async def start(self) -> AsyncIterator[Request]:
        if self.serve:  # a sweep's requests come through the frontier: see _stale
            logger.info("serving: joining every sweep opened on the cluster")
            return
        self.sweep_id, created = self.sweep_store.join(time.time())
        if not created:
            logger.info("joined sweep %s started by another worker", self.sweep_id)
            return
        logger.info("started sweep %s of %s", self.sweep_id, self.base_url)
        yield self.discovery_request()

    def discovery_request(self) -> Request:
        """The request that opens the dashboard and plans the sweep ``self.sweep_id``."""
        return self._page_request(0, "*", "*", callback=self.parse_options, priority=10)

    def on_recognised(self, generation: str) -> None:
        """The discovery page is of the 2025 generation: open the pages the combinations
        will need while it reads its options (once a sweep; never for 2026, whose
        combinations each open their own URL state)."""
        engine = self.crawler.engine
        if generation != INFERENCEMAX or self._warmed or engine is None:
            return
        self._warmed = True
        url = self.base_url.split("#", 1)[0]
        count = self.warm_pages
        targets = self.config.targets
        if targets.models and targets.sequences:  # never more pages than combinations
            count = min(count, len(targets.models) * len(targets.sequences) - 1)
        for i in range(count):
            engine.crawl(
                Request(
                    url,
                    callback=self.parse_warm,
                    errback=self.on_warm_error,
                    dont_filter=True,
                    # a warm page is a head start, not work: no retries
                    meta=self._page_meta(
                        {"index": -1 - i, "model": "", "sequence": "", "warm": True}, 0
                    ),
                )
            )

    def parse_warm(self, response: Any) -> Iterator[Any]:
        """A warm page is in the pool now (or closed, if it failed): nothing to collect."""
        yield from ()

    def on_warm_error(self, failure: Failure) -> None:
        logger.debug("a page opened ahead failed: %s", failure.value)

    # --- callbacks ---------------------------------------------------------------------
    def _stale(self, request: Request) -> bool:
        sweep_id = request.meta.get("sweep_id")
        if self.serve and sweep_id != self.sweep_id and self._adopt(sweep_id):
            return False
        if sweep_id != self.sweep_id:
            logger.info("dropping a request of an earlier sweep %s", request.meta.get("sweep_id"))
            return True
        return False

    def _adopt(self, sweep_id: Any) -> bool:
        """Serve mode: join the sweep of a request this worker leased if that sweep is
        still open; its per-sweep state starts afresh. (At most one sweep is open at a time,
        the newest: ``join.lua``.)"""
        if not isinstance(sweep_id, str) or not sweep_id:
            return False
        if self.sweep_store.status(sweep_id)[0] != OPEN:
            return False
        self.sweep_id = sweep_id
        self._ended = self._warmed = self._checking = False
        self.crawler.stats.set_value("inferencemax/sweep/status", OPEN)
        self.crawler.stats.set_value("inferencemax/sweep/detail", "")
        self.crawler.stats.inc_value("inferencemax/sweeps/joined")
        if not self.end_watch.running:
            self.end_watch.start(self.end_poll, now=False)
        logger.info("joined sweep %s", sweep_id)
        return True

    def parse_options(self, response: Any) -> Iterator[Any]:
        """Plan the sweep from the dropdowns' options and queue one request per combination.

        The discovery page already holds the default selection's two files (loaded at
        start), so it keeps that one combination instead of queueing it."""
        if self._stale(response.request):
            return
        outcome = response.meta.get("dashboard")
        if outcome is None or outcome.error is not None:
            yield from self._retry_or_fail(response.request, _error_of(outcome))
            return
        if outcome.generation == INFERENCEX:
            yield from self._plan_api(response.request, outcome)
            return
        try:
            models = _restrict(outcome.models, self.config.targets.models, "models")
            sequences = _restrict(outcome.sequences, self.config.targets.sequences, "sequences")
        except ConfigError as e:
            yield self._failure(response.request, str(e))
            return
        plan = [(m, s) for m in models for s in sequences]
        self.sweep_store.set_plan(self.sweep_id, plan)
        logger.info(
            "page offers %d models x %d sequences: sweeping %d combinations",
            len(models),
            len(sequences),
            len(plan),
        )
        own = plan.index(outcome.shown) + 1 if outcome.shown in plan else 0
        files = outcome.files
        if own and (
            len(files) < len(self.kind_patterns) or any(f.status != 200 for f in files.values())
        ):
            own = 0  # let a page of its own fetch it, with its own retries
        for index, (model, sequence) in enumerate(plan, start=1):
            if index != own:
                yield self._page_request(index, model, sequence, callback=self.parse_combination)
        if own:
            yield from self._results(own, outcome.shown[0], outcome.shown[1], files)

    def _plan_api(self, request: Request, outcome: Any) -> Iterator[Any]:
        """InferenceX: plan model x run date from the Model control's labels and the
        availability answer the page loaded, and queue one request per combination."""
        try:
            models = _restrict(outcome.models, self.config.targets.models, "models")
            entries = parse_availability(outcome.availability, self.base_url)
        except (ConfigError, AnswerError) as e:
            yield self._failure(request, str(e))
            return
        if self.config.targets.sequences:
            logger.warning(
                "targets.sequences does not apply to InferenceX: one answer holds every "
                "sequence, so every sequence is kept"
            )
        dates = inferencex_plan.dates_by_model(models, entries)
        collected: dict[str, set[str]] = {}
        if not self.history_all and not self.since:
            try:
                collected = _collected(self.crawler.settings)
            except BenchcrawlError as e:  # a history that cannot be read: one sentence
                yield self._failure(request, str(e))
                return
        plan = inferencex_plan.plan(
            dates, history=self.history_all, since=self.since, collected=collected
        )
        self.sweep_store.set_plan(self.sweep_id, plan)
        mode = (
            "every run date"
            if self.history_all
            else (
                f"run dates since {self.since}"
                if self.since
                else "newest and never-loaded run dates"
            )
        )
        logger.info(
            "InferenceX page offers %d models with %d run dates: sweeping %d model x run date "
            "combinations (%s)",
            len(models),
            sum(len(d) for d in dates.values()),
            len(plan),
            mode,
        )
        own = plan.index(outcome.shown) + 1 if outcome.shown in plan else 0
        files = outcome.files
        if own and (not files or any(f.status != 200 for f in files.values())):
            own = 0  # let a page of its own fetch it, with its own retries
        for index, (model, day) in enumerate(plan, start=1):
            if index != own:
                yield self._page_request(
                    index, model, day, INFERENCEX, callback=self.parse_combination
                )
        if own:
            yield from self._results(own, outcome.shown[0], outcome.shown[1], files)

    def parse_combination(self, response: Any) -> Iterator[Any]:
        if self._stale(response.request):
            return
        combo = response.meta["combination"]
        outcome = response.meta.get("dashboard")
        if outcome is None or outcome.error is not None:
            yield from self._retry_or_fail(response.request, _error_of(outcome))
            return
        bad = [f for f in outcome.files.values() if f.status != 200]
        if bad:
            yield from self._bad_status(response.request, bad)
            return
        sequence = combo["sequence"]
        if combo.get("generation") == INFERENCEX and not sequence:  # the page chose the date
            sequence = selection_of(outcome.files["benchmarks"].url)[1]
        yield from self._results(combo["index"], combo["model"], sequence, outcome.files)

    def _results(self, index: int, model: str, sequence: str, files: dict) -> Iterator[Any]:
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        for kind in files if "benchmarks" in files else self.kind_patterns:
            f = files[kind]
            yield CombinationResult(
                sweep_id=self.sweep_id,
                index=index,
                model=model,
                sequence=sequence,
                kind=kind,
                url=f.url,
                fetched_at=fetched_at,
                status=f.status,
                content_type=f.content_type,
                body=f.body,
            )

    def _bad_status(self, request: Request, bad: list[Any]) -> Iterator[Any]:
        combo = request.meta["combination"]
        if combo.get("generation") == INFERENCEX:
            reason = "; ".join(
                f"{combo['model']} at run date {combo['sequence'] or '(the page default)'}: "
                f"{f.url}: {f.error}"
                if f.error
                else http_failure(combo["model"], combo["sequence"], f.url, f.status, f.body)
                for f in bad
            )
        else:
            reason = "; ".join(
                f"{f.url}: {f.error}" if f.error else f"{f.url} answered HTTP {f.status}"
                for f in bad
            )
        transient = any(f.status == 0 or f.status >= 500 or f.status == 429 for f in bad)
        if transient:
            yield from self._retry_or_fail(request, reason)
        else:
            yield self._failure(request, reason)

    def _retry_or_fail(self, request: Request, error: BaseException | str) -> Iterator[Any]:
        reason = error if isinstance(error, str) else _describe(error)
        retry = get_retry_request(request, spider=self, reason=reason)
        if retry is not None:
            for key in (*LIVE_KEYS, "dashboard"):
                retry.meta.pop(key, None)
            logger.warning("retrying %s: %s", _what(request), reason)
            yield retry
        else:
            yield self._failure(request, reason)

    def _failure(self, request: Request, reason: str) -> CombinationFailure:
        combo = request.meta["combination"]
        if combo["index"] == 0:
            self.sweep_store.set_plan(self.sweep_id, [])
        return CombinationFailure(
            self.sweep_id, combo["index"], combo["model"], combo["sequence"], reason
        )

    def on_request_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        if not self._stale(request):
            # the retry middleware already spent this request's retries
            yield self._failure(request, _describe(failure.value or Exception("unknown")))

    # --- sweep end ----------------------------------------------------------------------
    # The sweep ends when its finalizer (this worker or another) records the outcome. Every
    # worker of the sweep polls for that and closes at once, instead of waiting out the
    # frontier's idle close: the process exits when the version is written.
    def on_opened(self, spider: Spider) -> None:
        if not self.serve:  # a serving worker watches a sweep from when it joins it
            self.end_watch.start(self.end_poll, now=False)
        # pandas takes ~0.4 s to import; the merge needs it only at the end, so load it
        # while the browser works instead of after the last combination
        threading.Thread(target=_import_table, name="import-pandas", daemon=True).start()

    def check_end(self) -> None:
        if self._checking or self._ended or not self.sweep_id:
            return
        if isinstance(self.sweep_store, MemorySweepStore):
            self._on_status(self.sweep_store.status(self.sweep_id))
            return
        self._checking = True  # a Redis read off the reactor: a silent Redis cannot block it
        d = threads.deferToThread(self.sweep_store.status, self.sweep_id)
        d.addCallbacks(self._on_status, self._on_status_error)
        d.addBoth(self._checked)

    def _checked(self, _: Any) -> None:
        self._checking = False

    def _on_status_error(self, failure: Failure) -> None:
        # Redis away: the pipelines wait for it; the next poll asks again
        logger.debug("cannot read the sweep's status: %s", failure.value)

    def _on_status(self, status_detail: tuple[str, str]) -> None:
        status, detail = status_detail
        if status == OPEN or self._ended:
            return
        reason = self._end(status, detail)
        if self.serve:
            self._rest(status)
            return
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=reason))

    def _end(self, status: str, detail: str) -> str:
        """Record and log the sweep's outcome once; the spider's close reason for it."""
        self._ended = True
        if self.end_watch.running:
            self.end_watch.stop()
        self.crawler.stats.set_value("inferencemax/sweep/status", status)
        self.crawler.stats.set_value("inferencemax/sweep/detail", detail)
        if status == FAILED:
            logger.error("sweep %s failed: %s", self.sweep_id, detail)
            return "sweep_failed"
        logger.info("sweep %s succeeded: %s", self.sweep_id, detail)
        return "finished"

    def _rest(self, status: str) -> None:
        """Serve mode: the sweep ended; let its pages go and wait for the next one."""
        logger.info("serving: sweep %s is over; waiting for the next one", self.sweep_id)
        self.crawler.stats.inc_value("inferencemax/sweeps/served")
        deferred_from_coro(
            self.crawler.signals.send_catch_log_async(
                signal=sweep_ended, sweep_id=self.sweep_id, status=status
            )
        )

    def on_idle(self) -> None:
        if self.serve:  # never closes on idle (its frontier says so too)
            raise DontCloseSpider
        if self._ended:
            return
        status, detail = self.sweep_store.status(self.sweep_id)
        if status == OPEN:
            self._rediscover_orphan()
            if isinstance(self.sweep_store, MemorySweepStore) or (
                time.time() - self.sweep_store.created(self.sweep_id) > self.sweep_timeout
            ):
                self.sweep_store.abandon(
                    self.sweep_id, "the crawl ended before every combination was accounted for"
                )
            else:
                raise DontCloseSpider
            status, detail = self.sweep_store.status(self.sweep_id)
        if self._end(status, detail) == "sweep_failed":
            raise CloseSpider("sweep_failed")

    def _rediscover_orphan(self) -> None:
        """An open sweep with no plan while the whole frontier is drained (this is the
        idle handler): whoever opened it stopped before its discovery request reached the
        frontier (killed between the two). This worker queues the discovery again, once,
        and keeps the spider open (``DontCloseSpider``)."""
        if isinstance(self.sweep_store, MemorySweepStore) or self._rediscovered:
            return
        engine = self.crawler.engine
        if engine is None or self.sweep_store.planned(self.sweep_id) >= 0:
            return
        self._rediscovered = True
        logger.warning(
            "sweep %s has no plan and nothing is queued for it: whoever opened it stopped "
            "before its discovery; discovering here",
            self.sweep_id,
        )
        self.crawler.stats.inc_value("inferencemax/sweep/rediscovered")
        engine.crawl(self.discovery_request())
        raise DontCloseSpider

    def on_closed(self, reason: str) -> None:
        if self.end_watch.running:
            self.end_watch.stop()
        self.sweep_store.close()


def _import_table() -> None:
    importlib.import_module("benchcrawl.inferencemax.table")


def _build_store(crawler: Crawler, spider_name: str) -> SweepStore:
    settings = crawler.settings
    url = settings.get("REDIS_URL")
    if not url:
        return MemorySweepStore()
    server = redis_client(url, settings.getfloat("REDIS_CONNECT_TIMEOUT"), 30)
    return RedisSweepStore(
        server,
        settings["INFERENCEMAX_SWEEP_KEY"] % {"spider": key_scope(server, spider_name)},
        timeout=settings.getfloat("INFERENCEMAX_SWEEP_TIMEOUT"),
        ttl=settings.getint("INFERENCEMAX_SWEEP_TTL"),
    )


def _check_base_url(url: str | None) -> None:
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"-a base_url must start with http:// or https://, got {url!r}.")


def _restrict(offered: list[str], wanted: tuple[str, ...], key: str) -> list[str]:
    if not wanted:
        return offered
    missing = [w for w in wanted if w not in offered]
    if missing:
        raise ConfigError(
            f"targets.{key}: {', '.join(map(repr, missing))} not offered by the page "
            f"(it offers {', '.join(map(repr, offered))})."
        )
    return [o for o in offered if o in wanted]


def _what(request: Request) -> str:
    combo = request.meta["combination"]
    if combo["index"] == 0:
        return "option discovery"
    if combo.get("generation") == INFERENCEX:
        return f"combination {combo['model']} at run date {combo['sequence'] or '(default)'}"
    return f"combination {combo['model']} x {combo['sequence']}"


def _collected(settings: Any) -> dict[str, set[str]]:
    """Model label -> run dates already in DATA_DIR/history (empty without a history)."""
    from benchcrawl.inferencex.history import collected
    from benchcrawl.pipelines.archive import data_dir_from_settings

    return collected(data_dir_from_settings(settings))


def _error_of(outcome: Any) -> BaseException:
    if outcome is None or outcome.error is None:
        return DashboardError("the page gave no dashboard outcome")
    return outcome.error


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if isinstance(error, DashboardError | TimeoutError):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


__all__ = ["InferenceMaxSpider", "describe_failures"]
