"""The broad crawl's page archive: each fetched page (a :class:`FetchedPage` item) becomes a
WARC response record in this worker's rotating files (:mod:`benchcrawl.storage.warc`).

Off (``NotConfigured``, no warning: a choice, not a fault) when ``BROAD_WARC_DIR`` is empty.
The spider waits for the record's location (``FetchedPage.stored``) before it records the
page in the visited index, so the index points into the files, and a page is acked only
once its record is written, as when the spider wrote it itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred

from benchcrawl.identity import file_tag, worker_id
from benchcrawl.storage.warc import WarcArchive, WarcLocation


@dataclass(eq=False)
class FetchedPage:
    """A fetched page to archive; ``stored`` fires with its record's location (or fails
    with the reason it could not be written)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # as the crawler saw it, already truncated
    truncated: bool
    protocol: str
    stored: Deferred[WarcLocation] = field(default_factory=Deferred, repr=False)

    def __repr__(self) -> str:  # Scrapy's DEBUG "Scraped from" line: no body
        return f"<FetchedPage {self.status} {self.url} ({len(self.body)} bytes)>"


class WarcPipeline:
    def __init__(self, name: str, directory: Path, max_size: int, gzip_level: int) -> None:
        self.name = name  # the spider's: the files' prefix
        self.directory = directory
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.archive: WarcArchive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcPipeline:
        s = crawler.settings
        if not s.get("BROAD_WARC_DIR"):
            raise NotConfigured
        assert crawler.spider is not None
        return cls(
            crawler.spider.name,
            Path(s["BROAD_WARC_DIR"]),
            s.getint("BROAD_WARC_MAX_SIZE"),
            s.getint("BROAD_WARC_GZIP_LEVEL"),
        )

    def open_spider(self) -> None:
        prefix = f"{self.name}-{file_tag(worker_id())}"
        self.archive = WarcArchive(self.directory, prefix, self.max_size, self.gzip_level)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage) or self.archive is None:
            return item
        try:
            where = self.archive.write(
                item.url,
                item.status,
                item.headers,
                item.body,
                truncated=item.truncated,
                protocol=item.protocol,
            )
        except Exception as e:
            item.stored.errback(e)
            raise
        item.stored.callback(where)
        return item

    def close_spider(self) -> None:
        if self.archive is not None:
            self.archive.close()
