"""The Playwright driver started early by ``scrapy crawl``: started only for a crawl that
fetches through the shared Playwright handler, adopted by that crawl's Playwright (one
Node.js process drives the browser), stopped when never adopted."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings

from benchcrawl.browser import driver
from benchcrawl.browser.launch import chromium_executable
from benchcrawl.spiders.broad import BroadSpider
from benchcrawl.spiders.inferencemax import InferenceMaxSpider


class PlainSpider(Spider):
    name = "plain"


def crawler_of(spidercls: type[Spider], **settings: object) -> Crawler:
    project = get_project_settings()
    project.setdict(settings, priority="cmdline")
    return Crawler(spidercls, project)


def children(pid: int) -> list[str]:
    """The command lines of *pid*'s child processes."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return found


@pytest.mark.parametrize("spidercls", [PlainSpider, BroadSpider])
def test_a_crawl_without_the_browser_starts_no_driver(spidercls: type[Spider]) -> None:
    crawler = crawler_of(spidercls)
    assert not driver.start_early(crawler)
    assert driver.take(crawler) is None


def test_a_threaded_loop_or_another_provider_starts_no_driver() -> None:
    assert not driver.start_early(crawler_of(InferenceMaxSpider, PLAYWRIGHT_USE_THREADED_LOOP=True))
    other = crawler_of(
        InferenceMaxSpider, PLAYWRIGHT_BROWSER_PROVIDER="scrapy_playwright.provider.X"
    )
    assert not driver.start_early(other)


def test_a_driver_never_adopted_is_stopped() -> None:
    crawler = crawler_of(InferenceMaxSpider)
    assert driver.start_early(crawler)
    process = driver._EARLY[crawler]
    driver.discard(crawler)
    assert process.poll() is not None
    assert driver.take(crawler) is None


def test_a_driver_that_died_is_not_adopted() -> None:
    crawler = crawler_of(InferenceMaxSpider)
    assert driver.start_early(crawler)
    process = driver._EARLY[crawler]
    process.kill()
    process.wait()
    assert driver.take(crawler) is None  # the handler then starts its own


@pytest.mark.skipif(
    not chromium_executable() and not shutil.which("chromium"), reason="no Chromium"
)
def test_the_crawl_drives_chromium_through_the_driver_started_early() -> None:
    crawler = crawler_of(InferenceMaxSpider)
    assert driver.start_early(crawler)
    process = driver.take(crawler)
    assert process is not None
    launch = crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")

    async def drive() -> tuple[int, list[str]]:
        playwright = await driver.start_playwright(process)
        browser = await playwright.chromium.launch(**launch)
        try:
            page = await browser.new_page()
            await page.set_content("<p>1 + 1 = <b></b></p>")
            answer = await page.evaluate("1 + 1")
            launched_by = children(process.pid)
        finally:
            await browser.close()
            await playwright.stop()
        return answer, launched_by

    answer, launched_by = asyncio.run(drive())
    assert answer == 2
    assert any("chrom" in cmd for cmd in launched_by), launched_by  # the early driver's child
    assert process.poll() is not None  # and it ended with Playwright
