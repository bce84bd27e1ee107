"""A worker's /metrics: scraped by a real Prometheus server (Debian's package) on loopback,
which answers a PromQL query with the crawl's page rate."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from bench._farm import free_port
from bench.broad_farm import generated_site
from benchcrawl.extensions.metrics import PrometheusMetrics
from tests.broad.conftest import make_farm, run_seed, start_worker  # noqa: F401
from tests.support.redis_server import RedisServer
from tests.support.worker import wait_until

HOSTS = [f"127.0.0.{71 + i}" for i in range(3)]
PAGES = 150


def test_no_metrics_port_no_exporter() -> None:
    with pytest.raises(NotConfigured):
        PrometheusMetrics.from_crawler(get_crawler(settings_dict={"METRICS_PORT": 0}))


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


@pytest.mark.slow  # nginx, a scrapy worker and a Prometheus server
@pytest.mark.timeout(200)
@pytest.mark.skipif(shutil.which("prometheus") is None, reason="apt-get install -y prometheus")
def test_prometheus_scrapes_a_worker_and_answers_its_page_rate(
    make_farm,  # noqa: F811
    start_worker,  # noqa: F811
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    farm = make_farm({h: generated_site(i, PAGES, 4, 2000, HOSTS) for i, h in enumerate(HOSTS)})
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in HOSTS))
    assert run_seed(redis_server.url, seeds).returncode == 0
    metrics_port, prom_port = free_port(), free_port()
    worker = start_worker(
        RESOURCES_ENABLED="True",
        RESOURCES_NODE_ID="p0",
        RESOURCES_CPU_LIMIT="101",
        RESOURCES_CPU_RESUME="101",
        BROAD_MIN_DELAY="0.2",
        BROAD_WARC_DIR="",
        METRICS_PORT=str(metrics_port),
    )
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: benchcrawl-worker\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{metrics_port}']}}]\n"
    )
    log = (tmp_path / "prometheus.log").open("wb")
    prom = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        own = f"http://127.0.0.1:{metrics_port}/metrics"

        def exposed() -> bool:
            try:
                return "benchcrawl_pages_total" in _get(own)
            except OSError:
                return False

        assert wait_until(exposed, 60, 0.2), worker.log[-3000:]
        time.sleep(3)
        text = _get(own)
        for name in (
            'benchcrawl_pages_total{spider="broad"}',
            'benchcrawl_responses_total{spider="broad",status="200"}',
            "benchcrawl_items_total",
            "benchcrawl_errors_total",
            "benchcrawl_retries_total",
            'benchcrawl_frontier_queued{spider="broad"}',
            "benchcrawl_frontier_leased",
            "benchcrawl_frontier_failed",
            "benchcrawl_frontier_seen",
            'benchcrawl_node_throttled{node="p0",spider="broad"} 0.0',
            'benchcrawl_node_paused{node="p0",spider="broad"} 0.0',
            "benchcrawl_node_cpu_ratio",
            "benchcrawl_node_memory_ratio",
            "benchcrawl_node_network_ratio",
        ):
            assert name in text, (name, text)
        query = 'sum(rate(benchcrawl_pages_total{spider="broad"}[15s]))'
        api = f"http://127.0.0.1:{prom_port}/api/v1/query?" + urllib.parse.urlencode(
            {"query": query}
        )
        answers: list[float] = []

        def rate() -> bool:
            try:
                result = json.loads(_get(api))["data"]["result"]
            except (OSError, KeyError, ValueError):
                return False
            if result:
                answers.append(float(result[0]["value"][1]))
            return bool(answers) and answers[-1] > 0

        assert wait_until(rate, 60, 1.0), (answers, log.name)
        assert 0.5 < answers[-1] < 50, answers  # pages/s: the delay allows ~15 over 3 hosts
    finally:
        prom.terminate()
        try:
            prom.wait(20)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait(10)
        log.close()
    assert worker.wait(120) == 0, worker.log[-3000:]
    assert "Traceback" not in worker.log


def test_the_grafana_dashboard_and_scrape_config_use_the_exposed_names() -> None:
    import re

    import yaml

    ops = Path(__file__).resolve().parents[2] / "ops"
    assert yaml.safe_load((ops / "prometheus.yml").read_text())["scrape_configs"]
    exprs = [
        t["expr"]
        for p in json.loads((ops / "grafana" / "benchcrawl.json").read_text())["panels"]
        for t in p["targets"]
    ]
    names = {n for e in exprs for n in re.findall(r"benchcrawl_[a-z_]+", e)}
    assert "benchcrawl_pages_total" in names
    exposed = Path(__file__).resolve().parents[2] / "benchcrawl"
    source = (exposed / "extensions" / "metrics.py").read_text()
    source += (exposed / "monitor" / "metrics.py").read_text()
    frontier = {f"benchcrawl_frontier_{n}" for n in ("queued", "leased", "failed", "seen")}
    assert 'f"benchcrawl_frontier_{name}"' in source  # how those four are named
    for name in names - frontier:
        assert name.removesuffix("_total") in source, name
