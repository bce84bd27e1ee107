"""The broad crawl's page archive, built the way Scrapy builds it: a page item becomes a
WARC record whose location the spider gets back; anything else passes through."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from benchcrawl.pipelines.warc import FetchedPage, WarcPipeline
from benchcrawl.storage.warc import WarcLocation, read_record


class _Spider(Spider):
    name = "broad"


def pipeline(**settings: object) -> WarcPipeline:
    crawler = get_crawler(_Spider, {"BROAD_WARC_MAX_SIZE": 1 << 20, **settings})
    crawler.spider = _Spider.from_crawler(crawler)
    return build_from_crawler(WarcPipeline, crawler)


def page(url: str, body: bytes) -> FetchedPage:
    return FetchedPage(url, 200, [("Content-Type", "text/html")], body, False, "HTTP/1.1")


def test_a_page_becomes_a_record_the_spider_can_find(tmp_path: Path) -> None:
    archive = pipeline(BROAD_WARC_DIR=str(tmp_path), BROAD_WARC_GZIP_LEVEL=6)
    archive.open_spider()
    got: list[WarcLocation] = []
    first, second = page("http://h/a", b"<p>a</p>"), page("http://h/b", b"<p>bb</p>")
    for item in (first, second):
        item.stored.addCallback(got.append)
        assert archive.process_item(item) is item
    other = {"not": "a page"}
    assert archive.process_item(other) is other
    archive.close_spider()
    assert [w.file for w in got] == [got[0].file] * 2 and got[0].file.startswith("broad-")
    assert got[1].offset == got[0].offset + got[0].length
    record = read_record(tmp_path, got[1])
    assert b"WARC-Target-URI: http://h/b" in record
    assert record.endswith(b"\r\n\r\n<p>bb</p>\r\n\r\n")


def test_a_failed_write_fails_the_page(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    archive = pipeline(BROAD_WARC_DIR=str(blocker / "warc"))  # under a file: cannot exist
    archive.open_spider()
    item = page("http://h/a", b"x")
    failed: list[BaseException] = []
    item.stored.addErrback(lambda f: failed.append(f.value))
    with pytest.raises(OSError):
        archive.process_item(item)
    assert len(failed) == 1 and isinstance(failed[0], OSError)


def test_off_without_a_directory_and_says_nothing() -> None:
    with pytest.raises(NotConfigured) as off:
        pipeline(BROAD_WARC_DIR="")
    assert off.value.args == ()  # a choice, not a fault: Scrapy logs no WARNING
