"""Scrapy add-ons: each brings its component's defaults and wiring, so that a plain Scrapy
project enables it with one line in ``ADDONS``.

This module holds the add-ons only: the settings helpers are in :mod:`benchcrawl.components`,
the resource policy in :mod:`benchcrawl.resources.policy`. An add-on applies its package's
defaults module (``benchcrawl/frontier/defaults.py``, ``benchcrawl/resources/defaults.py``)
at Scrapy's "addon" priority (:func:`benchcrawl.components.apply_defaults`), so a project's
settings module, a spider's ``custom_settings`` and ``-s NAME=VALUE`` all still win. A name
that something set at "addon" priority already (another add-on, a spider's own defaults) is
left alone: the first to set a default keeps it. The defaults are applied in
``update_pre_crawler_settings``, which Scrapy runs on the runner's settings before any
crawler exists, because Scrapy applies ``update_settings`` only after the spider is built:
a spider's ``update_settings`` and ``from_crawler`` see the defaults this way.
``update_settings`` applies them again (a no-op then) for settings made without a runner.
That hook only sets settings: it runs in every process that builds a crawler process.

``REDIS_URL`` is read from the settings only, as every setting is: this project's
``settings.py`` takes it from the environment; a foreign project sets it itself
(``REDIS_URL = os.environ.get("REDIS_URL")`` or ``-s REDIS_URL=...``). Unset, the frontier
add-on leaves Scrapy's own scheduler in place.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from benchcrawl.components import apply_defaults
from benchcrawl.frontier import defaults as frontier_defaults
from benchcrawl.monitor import defaults as monitor_defaults
from benchcrawl.resources import defaults as resources_defaults

ACK_MIDDLEWARE_ORDER = 10  # closest to the engine: sees each callback's final output
RESOURCE_AWARE_ORDER = 50  # before the downloader's own middlewares: load, heartbeat, pause
MONITOR_EXTENSION_ORDER = 500  # the monitor's worker side: pages/min series, /metrics


class RedisFrontierAddon:
    """The frontier's defaults always; with ``REDIS_URL`` set, spiders share benchcrawl's
    Redis frontier (leased queue, JSON requests, Redis dedup, cluster-wide idle close);
    without it, Scrapy's own scheduler runs, the single-machine default."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        apply_defaults(settings, frontier_defaults)

    def update_settings(self, settings: BaseSettings) -> None:
        apply_defaults(settings, frontier_defaults)
        if not settings.get("REDIS_URL"):
            return
        settings.set("SCHEDULER", "benchcrawl.frontier.scheduler.RedisScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "benchcrawl.frontier.dupefilter.RedisDupeFilter", "addon")
        from benchcrawl.frontier.ack import FrontierAckMiddleware

        settings.set_in_component_priority_dict(
            "SPIDER_MIDDLEWARES", FrontierAckMiddleware, ACK_MIDDLEWARE_ORDER
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisFrontierAddon:
        return cls()


class ResourceAwareAddon:
    """Resource-aware scheduling for every spider on the shared frontier: its defaults and
    ``ResourceAwareMiddleware``, which heartbeats, throttles and obeys pause flags; and the
    monitor's worker side (``benchcrawl/monitor/defaults.py``): the pages/min series in
    Redis and, with ``METRICS_PORT``, a Prometheus ``/metrics``. Needs
    the Redis frontier (``RedisFrontierAddon`` and ``REDIS_URL``); without ``REDIS_URL``
    the middleware switches itself off."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        # defaults only: this hook runs in every process that builds a crawler process
        # (the monitor, the scheduler); the niceness is taken by crawling workers alone
        # (``scrapy crawl`` and the middleware, see benchcrawl.resources.policy)
        apply_defaults(settings, resources_defaults)
        apply_defaults(settings, monitor_defaults)

    def update_settings(self, settings: BaseSettings) -> None:
        apply_defaults(settings, resources_defaults)
        apply_defaults(settings, monitor_defaults)
        from benchcrawl.extensions.metrics import PrometheusMetrics
        from benchcrawl.extensions.pages_series import PagesSeries
        from benchcrawl.middlewares.resource_aware import ResourceAwareMiddleware

        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", ResourceAwareMiddleware, RESOURCE_AWARE_ORDER
        )
        # the monitor's worker side (each off by itself without REDIS_URL / METRICS_PORT)
        settings.set_in_component_priority_dict("EXTENSIONS", PagesSeries, MONITOR_EXTENSION_ORDER)
        settings.set_in_component_priority_dict(
            "EXTENSIONS", PrometheusMetrics, MONITOR_EXTENSION_ORDER
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> ResourceAwareAddon:
        return cls()
