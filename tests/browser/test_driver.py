"""The Playwright driver started early by ``scrapy crawl``: started only for a crawl that
fetches through the shared Playwright handler, adopted by that crawl's Playwright (one
Node.js process drives the browser), stopped when never adopted; a Node.js that cannot be
launched is one sentence before the crawl."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings

from benchcrawl.browser import driver
from benchcrawl.browser.launch import chromium_executable
from benchcrawl.exceptions import BrowserError
from benchcrawl.spiders.broad import BroadSpider
from benchcrawl.spiders.inferencemax import InferenceMaxSpider

PROJECT = Path(__file__).resolve().parents[2]


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


def started(crawler: Crawler) -> subprocess.Popen[bytes]:
    process = driver.start_early(crawler.settings)
    assert process is not None
    driver.attach(crawler, process)
    return process


@pytest.mark.parametrize("spidercls", [PlainSpider, BroadSpider])
def test_a_crawl_without_the_browser_starts_no_driver(spidercls: type[Spider]) -> None:
    crawler = crawler_of(spidercls)
    assert driver.start_early(crawler.settings) is None
    assert driver.take(crawler) is None


def test_a_threaded_loop_or_another_provider_starts_no_driver() -> None:
    threaded = crawler_of(InferenceMaxSpider, PLAYWRIGHT_USE_THREADED_LOOP=True)
    assert driver.start_early(threaded.settings) is None
    other = crawler_of(
        InferenceMaxSpider, PLAYWRIGHT_BROWSER_PROVIDER="scrapy_playwright.provider.X"
    )
    assert driver.start_early(other.settings) is None


def test_a_driver_never_adopted_is_stopped() -> None:
    crawler = crawler_of(InferenceMaxSpider)
    process = started(crawler)
    driver.discard(crawler)
    assert process.poll() is not None
    assert driver.take(crawler) is None


def test_a_driver_that_died_is_not_adopted() -> None:
    crawler = crawler_of(InferenceMaxSpider)
    process = started(crawler)
    process.kill()
    process.wait()
    assert driver.take(crawler) is None  # the handler then starts its own


def test_a_node_that_cannot_be_launched_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYWRIGHT_NODEJS_PATH", "/nonexistent/node")
    with pytest.raises(BrowserError, match="/nonexistent/node could not be launched"):
        driver.start_early(crawler_of(InferenceMaxSpider).settings)


def test_the_crawl_command_says_so_before_the_crawl(tmp_path: Path) -> None:
    env = {**os.environ, "PLAYWRIGHT_NODEJS_PATH": str(tmp_path / "node")}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "inferencemax", "-a",
         "base_url=http://127.0.0.1:9/", "-s", f"DATA_DIR={tmp_path}"],
        cwd=PROJECT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("benchcrawl: cannot start the browser: Playwright's Node.js at ")
    assert "Spider opened" not in result.stderr  # nothing was crawled


@pytest.mark.skipif(
    not chromium_executable() and not shutil.which("chromium"), reason="no Chromium"
)
def test_the_crawl_drives_chromium_through_the_driver_started_early() -> None:
    crawler = crawler_of(InferenceMaxSpider)
    started(crawler)
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
