"""A worker's Prometheus ``/metrics`` (prometheus-client), when ``METRICS_PORT`` is set.

Everything is read at scrape time, in the exporter's own thread: counters from the
crawler's stats, and, with ``REDIS_URL``, the frontier's counts, this node's heartbeat
(throttled, paused, resource ratios) and the sweep's progress from Redis. Names carry the
``benchcrawl_`` prefix, values are in base units (ratios 0-1), counters end in ``_total``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from benchcrawl.identity import node_id

logger = logging.getLogger(__name__)

STATUS_PREFIX = "downloader/response_status_count/"


class WorkerCollector(Collector):
    def __init__(self, crawler: Crawler, spider: str, node: str, cluster: Any) -> None:
        self.crawler = crawler
        self.spider = spider
        self.node = node
        self.cluster = cluster  # benchcrawl.monitor.cluster.Cluster for this spider, or None

    def _stats(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        for _ in range(3):  # the reactor may add a key while this thread copies
            try:
                return dict(self.crawler.stats.get_stats())
            except RuntimeError:
                continue
        return {}

    def collect(self) -> Iterator[Any]:
        stats = self._stats()
        sp = [self.spider]

        def counter(name: str, help_: str, value: float) -> CounterMetricFamily:
            family = CounterMetricFamily(name, help_, labels=["spider"])
            family.add_metric(sp, value)
            return family

        yield counter(
            "benchcrawl_pages",
            "Pages fetched (responses received)",
            stats.get("response_received_count", 0),
        )
        responses = CounterMetricFamily(
            "benchcrawl_responses", "Responses by HTTP status", labels=["spider", "status"]
        )
        for key, value in sorted(stats.items()):
            if key.startswith(STATUS_PREFIX):
                responses.add_metric([self.spider, key[len(STATUS_PREFIX) :]], value)
        yield responses
        yield counter("benchcrawl_items", "Items scraped", stats.get("item_scraped_count", 0))
        yield counter("benchcrawl_retries", "Requests retried", stats.get("retry/count", 0))
        errors = CounterMetricFamily(
            "benchcrawl_errors",
            "Errors: download exceptions, callback exceptions",
            labels=["spider", "kind"],
        )
        errors.add_metric([self.spider, "download"], stats.get("downloader/exception_count", 0))
        errors.add_metric(
            [self.spider, "spider"],
            stats.get("spider_exceptions/count", 0)
            or sum(v for k, v in stats.items() if k.startswith("spider_exceptions/")),
        )
        yield errors
        if self.cluster is not None:
            yield from self._from_redis()

    def _from_redis(self) -> Iterator[Any]:
        from benchcrawl.connection import REDIS_ERRORS

        try:
            frontiers = self.cluster.frontiers(failed_limit=0)
            nodes = [n for n in self.cluster.nodes() if n["node"] == self.node]
            sweeps = self.cluster.sweeps()
        except REDIS_ERRORS as e:
            logger.debug("Redis unreachable at scrape time: %s", e)
            return
        for name, help_ in (
            ("queued", "Requests queued in the frontier"),
            ("leased", "Requests leased by workers"),
            ("failed", "Requests failed for good"),
            ("seen", "Requests seen by the dupefilter"),
        ):
            family = GaugeMetricFamily(f"benchcrawl_frontier_{name}", help_, labels=["spider"])
            for f in frontiers:
                family.add_metric([f["spider"]], f[name])
            yield family
        labels = ["spider", "node"]
        gauges = {
            "throttled": ("benchcrawl_node_throttled", "1 while this node is throttled"),
            "paused": ("benchcrawl_node_paused", "1 while this node is paused"),
            "cpu": ("benchcrawl_node_cpu_ratio", "CPU busy of the CPUs the worker may use (0-1)"),
            "memory": ("benchcrawl_node_memory_ratio", "Memory in use (0-1)"),
            "network": ("benchcrawl_node_network_ratio", "Link in use (0-1)"),
            "in_flight": ("benchcrawl_node_in_flight_requests", "Requests in the downloader"),
        }
        families = {k: GaugeMetricFamily(n, h, labels=labels) for k, (n, h) in gauges.items()}
        for n in nodes:
            key = [self.spider, self.node]
            families["throttled"].add_metric(key, 1.0 if n["state"] == "throttled" else 0.0)
            families["paused"].add_metric(key, 1.0 if n["state"] == "paused" else 0.0)
            for r in ("cpu", "memory", "network"):
                families[r].add_metric(key, min(1.0, max(0.0, n[r] / 100.0)))
            families["in_flight"].add_metric(key, n["in_flight"])
        yield from families.values()
        accounted = GaugeMetricFamily(
            "benchcrawl_sweep_combinations_accounted",
            "Combinations of the newest sweep accounted for",
            labels=["spider"],
        )
        planned = GaugeMetricFamily(
            "benchcrawl_sweep_combinations_planned",
            "Combinations planned (-1 before discovery)",
            labels=["spider"],
        )
        for s in sweeps:
            accounted.add_metric([s["spider"]], s["accounted"])
            planned.add_metric([s["spider"]], s["planned"])
        yield accounted
        yield planned


class PrometheusMetrics:
    def __init__(self, crawler: Crawler, host: str, port: int) -> None:
        self.crawler = crawler
        self.host = host
        self.port = port
        self.server: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrometheusMetrics:
        port = crawler.settings.getint("METRICS_PORT")
        if port <= 0:  # off by default: no reason given, so Scrapy logs no warning for it
            raise NotConfigured
        ext = cls(crawler, crawler.settings.get("METRICS_HOST"), port)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        s = self.crawler.settings
        node = node_id(s)
        cluster = None
        if s.get("REDIS_URL"):
            from benchcrawl.connection import frontier_client
            from benchcrawl.monitor.cluster import Cluster
            from benchcrawl.monitor.keys import spider_keys

            server = frontier_client(s)
            cluster = Cluster(server, [spider_keys(s, spider.name, server)], 3600)
        registry = CollectorRegistry()
        registry.register(WorkerCollector(self.crawler, spider.name, node, cluster))
        self.server, _ = start_http_server(self.port, addr=self.host, registry=registry)
        logger.info("/metrics on http://%s:%d/metrics", self.host, self.port)

    def spider_closed(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
