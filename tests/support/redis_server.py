"""A private redis-server on a free port, which tests may kill and restart. The class
lives with the benchmarks' farm (``bench/_farm.py``), which starts the same server."""

from __future__ import annotations

from bench._farm import RedisServer, free_port

__all__ = ["RedisServer", "free_port"]
