"""Cluster-level Prometheus metrics, read from Redis at scrape time (the monitor's
``/metrics``). Names: ``benchcrawl_`` prefix, base units, ratios 0-1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from benchcrawl.monitor.cluster import Cluster

STATES = ("running", "throttled", "paused", "lost")


class ClusterCollector(Collector):
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def collect(self) -> Iterator[Any]:
        nodes = GaugeMetricFamily(
            "benchcrawl_cluster_nodes",
            "Nodes with a heartbeat, by state",
            labels=["spider", "state"],
        )
        rate = GaugeMetricFamily(
            "benchcrawl_node_page_rate_per_second",
            "Pages per second of each node (its heartbeat's last minute)",
            labels=["spider", "node"],
        )
        counts: dict[tuple[str, str], int] = {}
        for n in self.cluster.nodes():
            counts[(n["spider"], n["state"])] = counts.get((n["spider"], n["state"]), 0) + 1
            rate.add_metric([n["spider"], n["node"]], n["pages_per_minute"] / 60.0)
        for spider in sorted({s for s, _ in counts}):
            for state in STATES:
                nodes.add_metric([spider, state], counts.get((spider, state), 0))
        yield nodes
        yield rate
        families = {
            name: GaugeMetricFamily(f"benchcrawl_frontier_{name}", help_, labels=["spider"])
            for name, help_ in (
                ("queued", "Requests queued in the frontier"),
                ("leased", "Requests leased by workers"),
                ("failed", "Requests failed for good"),
                ("seen", "Requests seen by the dupefilter"),
            )
        }
        for f in self.cluster.frontiers(failed_limit=0):
            for name, family in families.items():
                family.add_metric([f["spider"]], f[name])
        yield from families.values()
        accounted = GaugeMetricFamily(
            "benchcrawl_sweep_combinations_accounted",
            "Combinations of the newest sweep accounted for (stored or failed)",
            labels=["spider"],
        )
        planned = GaugeMetricFamily(
            "benchcrawl_sweep_combinations_planned",
            "Combinations planned in the newest sweep (-1 before discovery)",
            labels=["spider"],
        )
        for s in self.cluster.sweeps():
            accounted.add_metric([s["spider"]], s["accounted"])
            planned.add_metric([s["spider"]], s["planned"])
        yield accounted
        yield planned
