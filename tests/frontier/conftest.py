"""Fixtures for frontier crawls: a local nginx farm and real ``scrapy crawl farm`` workers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench._farm import Farm
from tests.support.worker import ScrapyProcess, scrapy_command, scrapy_env

BASE_SETTINGS = {
    "SPIDER_MODULES": "tests.frontier.spiders",
    "FRONTIER_LEASE_TIME": "30",
    "SCHEDULER_IDLE_BEFORE_CLOSE": "1",
    "FRONTIER_IDLE_POLL_INTERVAL": "0.5",
    "LOG_LEVEL": "INFO",
    # the frontier on its own: workers share one host, where the resource gate
    # (tested in tests/middlewares) would decide who works
    "RESOURCES_ENABLED": "False",
}


@pytest.fixture
def start_worker(
    scrapy_process: Callable[..., ScrapyProcess], redis_url: str
) -> Callable[..., ScrapyProcess]:
    count = 0

    def start(farm: Farm, **settings: object) -> ScrapyProcess:
        nonlocal count
        args = {"start_url": farm.url(0), **settings.pop("spider_args", {})}  # type: ignore[dict-item]
        spider = str(settings.pop("spider", "farm"))
        settings = {**BASE_SETTINGS, "REDIS_URL": redis_url, **settings}
        cmd = scrapy_command("crawl", spider, settings=settings, args=args)
        count += 1
        return scrapy_process(f"worker{count - 1}", cmd, scrapy_env())

    return start
