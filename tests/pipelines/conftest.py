"""The four sweep pipelines as components: built by Scrapy's test helpers on a crawler
whose spider holds an in-process sweep record (helpers in ``_support.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from ._support import PLAN, SweepSpider


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    crawler = get_crawler(
        SweepSpider,
        {"DATA_DIR": str(tmp_path / "data"), "FRONTIER_RETRY_MAX_DELAY": 0.1},
    )
    crawler.spider = build_from_crawler(SweepSpider, crawler)
    crawler.stats.open_spider()
    return crawler


@pytest.fixture
def build(crawler: Crawler) -> Callable[[type], Any]:
    """``build(PipelineClass)``: the component as Scrapy makes it."""
    return lambda cls: build_from_crawler(cls, crawler)


@pytest.fixture
def sweep_id(crawler: Crawler) -> str:
    store = crawler.spider.sweep_store
    sweep, _ = store.join(1761350400.0)  # 2025-10-25T00:00:00Z
    store.set_plan(sweep, PLAN)
    return sweep
