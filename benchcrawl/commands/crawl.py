"""``scrapy crawl`` with clean start-up errors and an exit code that tells the truth.

Before anything starts, the spider's config and the Redis frontier (when ``REDIS_URL`` is
set) are checked: a mistake is one sentence on stderr and exit code 1, no traceback. With
resource-aware scheduling on, the worker then takes its niceness (``RESOURCES_NICE``,
:mod:`benchcrawl.resources.policy`), the one process that should. After
the crawl, a spider that closed for any reason other than ``finished`` (a failed sweep, an
error) makes the command exit 1.

Once the crawl has ended (its files written and closed, the browser gone), the process
exits at once, skipping the interpreter's teardown of pandas, Playwright and Twisted
(about 0.4 s a run): a cron job, scrapyd or ``docker compose`` sees the exit when the work
is done. ``-s BENCHCRAWL_FAST_EXIT=False`` keeps the ordinary exit.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import AsyncCrawlerProcess, CrawlerProcess

from benchcrawl.browser import driver as early_driver
from benchcrawl.commands import spider_settings
from benchcrawl.connection import check_redis
from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.frontier.serve import serving
from benchcrawl.resources.nice import renice
from benchcrawl.resources.policy import worker_nice


class Command(ScrapyCrawlCommand):
    # the process (and Scrapy's start-up log) is made only once the checks have passed
    requires_crawler_process = False

    def _make_process(self) -> None:
        assert self.settings is not None
        asyncio_reactor = (
            self.settings["TWISTED_REACTOR"]
            == "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
        )
        if (asyncio_reactor and not self.settings.getbool("FORCE_CRAWLER_PROCESS")) or (
            not self.settings.getbool("TWISTED_REACTOR_ENABLED", True)
        ):
            self.crawler_process = AsyncCrawlerProcess(self.settings)
        else:
            self.crawler_process = CrawlerProcess(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            spidercls, settings = spider_settings(self.settings, args)  # add-ons' checks too
            check = getattr(spidercls, "check_settings", None)
            if check is not None:
                check(settings, dict(opts.spargs))
            nice = worker_nice(settings)
            if settings.get("REDIS_URL"):
                check_redis(settings["REDIS_URL"], settings.getfloat("REDIS_CONNECT_TIMEOUT"))
        except BenchcrawlError as e:
            print(f"benchcrawl: {e}", file=sys.stderr)
            self.exitcode = 1
            return
        if nice is not None:
            # a crawling worker takes RESOURCES_NICE before the reactor, the spider and the
            # components are imported and built: seconds of CPU that a node's other work
            # would otherwise share half and half (bench/resource_aware.py --section
            # colocated). Only here and in the middleware: no settings pass renices.
            try:
                renice(nice)
            except OSError:  # the middleware says so, once logging is set up
                pass
        try:
            # a browser crawl's Playwright driver loads while Scrapy builds the crawl; it
            # is started after the renice, so it runs at the worker's niceness too
            driver = early_driver.start_early(settings)
        except BenchcrawlError as e:
            print(f"benchcrawl: {e}", file=sys.stderr)
            self.exitcode = 1
            return
        self._make_process()
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        early_driver.attach(crawler, driver)
        try:
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            early_driver.discard(crawler)
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        # a serving worker's normal end is being told to stop
        stopped = reason == "shutdown" and serving(crawler.spider)
        if self.crawler_process.bootstrap_failed or (reason != "finished" and not stopped):
            self.exitcode = 1
            detail = crawler.stats.get_value("inferencemax/sweep/detail") if crawler.stats else None
            print(
                f"benchcrawl: {args[0]} ended with {reason or 'a start-up error'}"
                + (f": {detail}" if detail else "; see the log above."),
                file=sys.stderr,
            )
        if self.settings.getbool("BENCHCRAWL_FAST_EXIT"):
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(self.exitcode))
