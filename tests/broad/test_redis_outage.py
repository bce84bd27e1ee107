"""A broad crawl rides out a Redis restart: the polite gate and the spider's page call
wait for Redis like the scheduler does, so no page fails and none is missed."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.broad_farm import BroadFarm, generated_site
from tests.broad.conftest import run_seed
from tests.support.redis_server import RedisServer
from tests.support.worker import ScrapyProcess, wait_until

pytestmark = pytest.mark.slow  # an nginx farm and scrapy worker processes

PAGES = 60


@pytest.mark.timeout(180)
def test_redis_restart_mid_broad_crawl(
    make_farm: Callable[..., BroadFarm],
    start_worker: Callable[..., ScrapyProcess],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    hosts = ["127.0.0.41", "127.0.0.42"]
    farm = make_farm({h: generated_site(i, PAGES, 4, 3000, hosts) for i, h in enumerate(hosts)})
    server = RedisServer(tmp_path_factory.mktemp("aof"), appendonly=True).start()
    try:
        seeds = tmp_path / "seeds.txt"
        seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in hosts))
        assert run_seed(server.url, seeds).returncode == 0
        worker = start_worker(
            REDIS_URL=server.url,
            BROAD_MIN_DELAY="0.05",  # about 40 pages/s over two hosts: the crawl lasts ~3 s
            BROAD_WARC_DIR=str(tmp_path / "warc"),
            FRONTIER_RETRY_MAX_DELAY="1",
        )

        def pages_fetched() -> int:
            return sum(1 for f in farm.fetches() if f.uri.startswith("/p/"))

        assert wait_until(lambda: pages_fetched() >= 30, 60), worker.log[-3000:]
        server.stop()
        time.sleep(1.5)
        assert worker.alive(), worker.log[-3000:]
        server.start()
        assert worker.wait(120) == 0, worker.log[-3000:]
    finally:
        server.kill()
    fetched = farm.by_host()
    for h in hosts:
        pages = {f.uri for f in fetched[h] if f.uri.startswith("/p/")}
        assert pages == {f"/p/{n}.html" for n in range(PAGES)}, (h, len(pages))
    log = worker.log
    assert "Traceback" not in log
    assert "lost Redis" in log and "Redis is back" in log
    assert worker.stat("frontier/requests/failed") == 0, log[-3000:]
    assert worker.stat("broad/pages") >= 2 * PAGES
