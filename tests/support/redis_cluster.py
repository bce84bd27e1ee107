"""A private Redis Cluster on loopback (3 masters, 3 replicas by default), which tests may
crash a node of. The class lives with the benchmarks (``bench/_redis_cluster.py``)."""

from __future__ import annotations

from bench._redis_cluster import RedisClusterServer, cluster_ports

__all__ = ["RedisClusterServer", "cluster_ports"]
