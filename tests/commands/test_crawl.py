"""``scrapy crawl`` as users run it, with Scrapy's conventions where they look for them: on
one machine (no ``REDIS_URL``) nothing switched off by design logs a WARNING; on the shared
frontier the stats dump has the scheduler's totals next to the namespaced counts, as
Scrapy's own scheduler has (``scheduler/enqueued`` with ``scheduler/enqueued/memory``)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from bench._farm import Farm
from tests.support.worker import ScrapyProcess, scrapy_command, scrapy_env

pytestmark = pytest.mark.slow  # an nginx farm and a scrapy process

PAGES = 30
SETTINGS = {
    "SPIDER_MODULES": "tests.middlewares.spiders",
    "SCHEDULER_IDLE_BEFORE_CLOSE": "1",
    "FRONTIER_IDLE_POLL_INTERVAL": "0.5",
    "LOG_LEVEL": "INFO",
}


def crawl(
    scrapy_process: Callable[..., ScrapyProcess], farm: Farm, name: str, **settings: object
) -> ScrapyProcess:
    cmd = scrapy_command(
        "crawl", "loadfarm", settings={**SETTINGS, **settings}, args={"start_url": farm.url(0)}
    )
    worker = scrapy_process(name, cmd, scrapy_env(drop=["REDIS_URL"]))
    assert worker.wait(120) == 0, worker.log[-3000:]
    return worker


@pytest.mark.timeout(180)
def test_a_single_machine_crawl_logs_no_warning(
    make_farm: Callable[..., Farm], scrapy_process: Callable[..., ScrapyProcess]
) -> None:
    farm = make_farm(PAGES)
    worker = crawl(scrapy_process, farm, "single")
    assert worker.stat("response_received_count") == PAGES
    warnings = [line for line in worker.log.splitlines() if re.search(r"\bWARNING\b", line)]
    assert warnings == []
    assert "Disabled " not in worker.log  # Scrapy's "Disabled CLASS: why" line is a WARNING


@pytest.mark.timeout(180)
def test_the_frontier_crawl_dumps_the_scheduler_totals(
    make_farm: Callable[..., Farm],
    scrapy_process: Callable[..., ScrapyProcess],
    redis_url: str,
) -> None:
    farm = make_farm(PAGES)
    worker = crawl(scrapy_process, farm, "frontier", REDIS_URL=redis_url)
    assert worker.stat("response_received_count") == PAGES
    for way in ("enqueued", "dequeued"):
        total = worker.stat(f"scheduler/{way}")
        assert total == worker.stat(f"scheduler/{way}/redis") >= PAGES, worker.log[-3000:]
