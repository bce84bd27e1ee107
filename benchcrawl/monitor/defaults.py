"""The monitor's and the worker metrics' settings and their defaults, applied at add-on
priority by ``benchcrawl.addons.ResourceAwareAddon``: a project's settings and ``-s`` win.
"""

from __future__ import annotations

METRICS_HOST = "127.0.0.1"  # address a worker's /metrics listens on
METRICS_PORT = 0  # port of a worker's /metrics (prometheus-client); 0 = no /metrics
MONITOR_HOST = "127.0.0.1"  # `scrapy monitor` binds here unless --host says otherwise
MONITOR_LOST_AFTER = 3  # missed heartbeats (RESOURCES_HEARTBEAT_INTERVAL) before "lost"
MONITOR_PORT = 8050  # `scrapy monitor` port unless --port
MONITOR_SERIES_INTERVAL = 10.0  # s between a worker's pages/min samples in Redis
MONITOR_SERIES_KEY = "%(spider)s:series:%(node)s"  # zset: "<unix s>:<pages/min>" by unix s
MONITOR_SERIES_WINDOW = 3600  # s of pages/min kept per node (the chart's hour)
