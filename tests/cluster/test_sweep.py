"""The InferenceMAX sweep (both generations of the dashboard) with its sweep record on a
Redis Cluster gives the same table as with one Redis: real Chromium, two workers sharing
the sweep on the cluster, ``REDIS_URL`` naming one node."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.support.crawl import run_crawl, start_crawl
from tests.support.redis_cluster import RedisClusterServer
from tests.support.replica import (
    generated_replica,
    inferencex_replica,
    read_results_csv,
)
from tests.support.worker import ScrapyProcess, scrapy_command, scrapy_env

pytestmark = [pytest.mark.timeout(420), pytest.mark.slow]
SETTINGS = {"CONCURRENT_REQUESTS": "2", "RESOURCES_ENABLED": "False"}


def _merged(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "latest" / "merged.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _two_workers(base_url: str, data_dir: Path, logs: Path, url: str) -> list[str]:
    workers = [
        start_crawl(base_url, data_dir, logs / f"w{i}.log", redis_url=url, settings=SETTINGS)
        for i in range(2)
    ]
    codes = [w.wait(300) for w in workers]
    texts = [(logs / f"w{i}.log").read_text() for i in range(2)]
    assert codes == [0, 0], texts[0][-3000:]
    return texts


def test_the_2025_sweep_on_a_cluster_gives_the_table_of_one_redis(
    redis_url: str, redis_cluster: RedisClusterServer, tmp_path: Path
) -> None:
    with generated_replica() as replica:
        replica.latency = 0.5  # slow data files: both cluster workers get combinations
        single = run_crawl(replica.url, tmp_path / "one", redis_url=redis_url, timeout=300)
        assert single.returncode == 0, single.stderr[-3000:]
        logs = _two_workers(replica.url, tmp_path / "cluster", tmp_path, redis_cluster.url)
    one, cluster = _merged(tmp_path / "one"), _merged(tmp_path / "cluster")
    assert one and cluster == one
    assert sum(log.count("/9 done:") for log in logs) == 9
    assert sum("inferencemax/sweep/finalized_here" in log for log in logs) == 1
    assert all("Traceback" not in log for log in logs)


def _x_crawl(base_url: str, data_dir: Path, log: Path, url: str) -> ScrapyProcess:
    env = scrapy_env(drop=("REDIS_URL", "DATA_DIR", "DATABASE_URL"))
    env["LOG_LEVEL"] = "INFO"
    env["REDIS_URL"] = url
    cmd = scrapy_command(
        "crawl",
        "inferencemax",
        settings={"DATA_DIR": data_dir, **SETTINGS},
        args={"base_url": base_url},
    )
    return ScrapyProcess(log, cmd, env)


def test_the_2026_sweep_on_a_cluster_gives_the_table_of_one_redis(
    redis_url: str, redis_cluster: RedisClusterServer, tmp_path: Path
) -> None:
    with inferencex_replica(dates=4) as site:
        site.latency = 0.3
        single = _x_crawl(site.url, tmp_path / "one", tmp_path / "one.log", redis_url)
        assert single.wait(300) == 0, single.log[-3000:]
        workers = [
            _x_crawl(site.url, tmp_path / "cluster", tmp_path / f"w{i}.log", redis_cluster.url)
            for i in range(2)
        ]
        assert [w.wait(300) for w in workers] == [0, 0], workers[0].log[-3000:]
    one = read_results_csv(tmp_path / "one" / "latest" / "results.csv")
    cluster = read_results_csv(tmp_path / "cluster" / "latest" / "results.csv")
    assert one and cluster == one
    assert sum(w.log.count("/4 done:") for w in workers) == 4
    assert all("Traceback" not in w.log for w in workers)
