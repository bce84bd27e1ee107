"""The frontier as a plain Scrapy project gets it: one line in ``ADDONS`` and ``REDIS_URL``,
nothing else of benchcrawl (its settings module, scrapy.cfg and commands stay out)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from bench._farm import Farm
from benchcrawl.addons import RedisFrontierAddon, ResourceAwareAddon
from benchcrawl.frontier import defaults as frontier_defaults
from benchcrawl.frontier.queue import queued
from benchcrawl.middlewares.resource_aware import ResourceAwareMiddleware
from tests.support import project as support_project
from tests.support.project import project_env as foreign_env
from tests.support.redis_server import RedisServer
from tests.support.worker import scrapy_command, wait_until

PAGES = 400
SPIDER = "foreign"

SETTINGS = """\
BOT_NAME = "foreignproj"
SPIDER_MODULES = ["foreignproj.spiders"]
ADDONS = {{"benchcrawl.addons.RedisFrontierAddon": 100}}
REDIS_URL = "{redis_url}"
"""

SPIDER_MODULE = """\
import sys

import scrapy


class FarmSpider(scrapy.Spider):
    name = "foreign"

    def __init__(self, start_url="", **kwargs):
        super().__init__(**kwargs)
        self.start_url = start_url

    async def start(self):
        yield scrapy.Request(self.start_url)
        yield scrapy.Request(self.start_url)  # a duplicate: the shared dedup drops it

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href)

    def closed(self, reason):
        self.logger.info("benchcrawl.settings imported: %s", "benchcrawl.settings" in sys.modules)
"""


def make_project(root: Path, redis_url: str) -> Path:
    return support_project.make_project(
        root, "foreignproj", SETTINGS.format(redis_url=redis_url), {"farm": SPIDER_MODULE}
    )


# --- settings: project and -s values win over the add-on's defaults ----------------------
def test_addon_defaults_sit_under_project_and_command_line() -> None:
    settings = Settings()
    settings.set("FRONTIER_LEASE_BATCH", 3, priority="project")
    settings.set("SCHEDULER_PERSIST", False, priority="cmdline")
    settings.set("REDIS_URL", "redis://127.0.0.1:1/0", priority="project")
    RedisFrontierAddon().update_settings(settings)
    assert settings.getint("FRONTIER_LEASE_BATCH") == 3
    assert settings.getbool("SCHEDULER_PERSIST") is False
    assert settings["SCHEDULER_QUEUE_KEY"] == frontier_defaults.SCHEDULER_QUEUE_KEY
    assert settings.getpriority("SCHEDULER_QUEUE_KEY") == 15  # "addon"
    assert settings["SCHEDULER"] == "benchcrawl.frontier.scheduler.RedisScheduler"


def test_addons_add_to_component_dicts_and_never_replace_them() -> None:
    crawler = get_crawler(
        settings_dict={
            "ADDONS": {RedisFrontierAddon: 100, ResourceAwareAddon: 110},
            "DOWNLOADER_MIDDLEWARES": {"tests.test_foreign_project.Marker": 500},
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    middlewares = crawler.settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["tests.test_foreign_project.Marker"] == 500
    assert middlewares[ResourceAwareMiddleware] == 50
    assert crawler.settings.getfloat("RESOURCES_CPU_LIMIT") == 90.0


class Marker:
    """A project's own downloader middleware (never built in these tests)."""


# --- a whole crawl in a foreign project ---------------------------------------------------
@pytest.mark.slow  # an nginx farm, a redis-server and a scrapy process
@pytest.mark.timeout(150)
def test_a_plain_scrapy_project_gets_the_whole_frontier(
    make_farm, scrapy_process, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    farm: Farm = make_farm(PAGES)
    server = RedisServer(tmp_path_factory.mktemp("aof"), appendonly=True).start()
    try:
        project = make_project(tmp_path / "foreign", server.url)
        cmd = scrapy_command("crawl", SPIDER, args={"start_url": farm.url(0)})
        worker = scrapy_process("foreign", cmd, foreign_env(project), cwd=project)
        r = server.client()
        # requests go through Redis: the frontier's keys, named by its default templates
        assert wait_until(lambda: farm.fetched_total() >= PAGES // 4, 60), worker.log[-3000:]
        assert r.exists(f"{SPIDER}:requests:data") and r.scard(f"{SPIDER}:dupefilter") > 0
        assert r.zcard(f"{SPIDER}:workers") == 1
        # an outage mid-crawl: the same port, the data kept (appendonly)
        server.stop()
        time.sleep(1.0)
        server.start()
        assert worker.wait(120) == 0, worker.log[-3000:]  # idle close: it ends by itself
    finally:
        server.kill()
    log = worker.log
    assert "'BOT_NAME': 'foreignproj'" in log  # its own settings, not benchcrawl's
    assert "benchcrawl.settings imported: False" in log
    assert "benchcrawl.addons.RedisFrontierAddon" in log  # "Enabled addons"
    assert "Traceback" not in log
    # every page fetched exactly once, the duplicate start request and links dropped
    fetches: Counter[str] = farm.fetches()
    assert set(fetches) == {f"/p/{i}.html" for i in range(PAGES)}
    assert max(fetches.values()) == 1, fetches.most_common(3)
    assert worker.stat("frontier/dedup/hits") > 0
    # leased, acked, and nothing left queued or leased; the shared state kept (persist)
    assert worker.stat("scheduler/enqueued/redis") >= PAGES
    assert worker.stat("frontier/requests/leased") >= PAGES
    assert worker.stat("frontier/requests/acked") >= PAGES
    assert "frontier: lost Redis" in log and "frontier: Redis is back" in log
    server.start()
    try:
        r = server.client()
        assert queued(r, f"{SPIDER}:requests") == 0 and r.zcard(f"{SPIDER}:requests:leases") == 0
        assert r.hlen(f"{SPIDER}:requests:data") == 0
        assert r.scard(f"{SPIDER}:dupefilter") == PAGES
    finally:
        server.kill()
