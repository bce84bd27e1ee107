"""Scrapy add-ons: each brings its component's defaults and wiring, so that a plain Scrapy
project enables it with one line in ``ADDONS``.

An add-on applies its package's defaults module (``benchcrawl/frontier/defaults.py``,
``benchcrawl/resources/defaults.py``) at Scrapy's "addon" priority (15): above Scrapy's
"default" (0) and "command" (10), below "project" (20), "spider" (30) and "cmdline" (40).
So a project's settings module, a spider's ``custom_settings`` and ``-s NAME=VALUE`` all
still win. A name that something set at "addon" priority already (another add-on, a
spider's own defaults) is left alone: the first to set a default keeps it. The defaults are
applied in ``update_pre_crawler_settings``, which Scrapy runs on the runner's settings
before any crawler exists, because Scrapy applies ``update_settings`` only after the spider
is built: a spider's ``update_settings`` and ``from_crawler`` see the defaults this way.
``update_settings`` applies them again (a no-op then) for settings made without a runner.

``REDIS_URL`` is read from the settings only, as every setting is: this project's
``settings.py`` takes it from the environment; a foreign project sets it itself
(``REDIS_URL = os.environ.get("REDIS_URL")`` or ``-s REDIS_URL=...``). Unset, the frontier
add-on leaves Scrapy's own scheduler in place.
"""

from __future__ import annotations

import copy
import logging
from types import ModuleType
from typing import Any

from scrapy.addons import AddonManager
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier import defaults as frontier_defaults
from benchcrawl.monitor import defaults as monitor_defaults
from benchcrawl.resources import defaults as resources_defaults
from benchcrawl.resources.nice import renice

logger = logging.getLogger(__name__)

ACK_MIDDLEWARE_ORDER = 10  # closest to the engine: sees each callback's final output
RESOURCE_AWARE_ORDER = 50  # before the downloader's own middlewares: load, heartbeat, pause
MONITOR_EXTENSION_ORDER = 500  # the monitor's worker side: pages/min series, /metrics


def apply_defaults(settings: BaseSettings, module: ModuleType) -> None:
    """Set each upper-case name of ``module`` at "addon" priority, unless the settings hold
    it at that priority or above already."""
    addon = SETTINGS_PRIORITIES["addon"]
    for name in dir(module):
        if name.isupper() and (settings.getpriority(name) or 0) < addon:
            settings.set(name, copy.deepcopy(getattr(module, name)), priority="addon")


def add_spider_component(settings: BaseSettings, name: str, cls: type, order: int) -> None:
    """Add ``cls`` to the component dict ``name`` (``DOWNLOADER_MIDDLEWARES``, ...) from a
    spider's ``update_settings``, keeping every entry already there. The dict is then held
    at "spider" priority at least, as ``custom_settings`` would be: Scrapy's runner re-applies
    its own settings over a Crawler given to ``crawl()`` (``crawler.settings.update(...)``),
    which would put back the project's dict over an addition made at the dict's priority."""
    settings.set_in_component_priority_dict(name, cls, order)
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])
    settings.set(name, settings.getdict(name), priority=priority)


def load_addon_settings(settings: BaseSettings) -> None:
    """Apply the ``update_settings`` of every add-on in ``ADDONS``, for a command that reads
    a spider's settings without starting a crawler (``scrapy seed``, ``scrapy frontier``)."""
    AddonManager.load_pre_crawler_settings(settings)
    for path in build_component_list(settings["ADDONS"]):
        addon = load_object(path)
        try:
            instance = addon()
        except TypeError:  # a foreign add-on that needs its crawler: nothing for us here
            continue
        if hasattr(instance, "update_settings"):
            try:
                instance.update_settings(settings)
            except NotConfigured:
                continue


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


def resource_aware_off(settings: BaseSettings) -> str | None:
    """Why resource-aware scheduling is off with *settings*, or ``None`` when it is on: the
    one test of ``ResourceAwareAddon`` (the niceness) and ``ResourceAwareMiddleware``."""
    if not settings.getbool("RESOURCES_ENABLED"):
        return "RESOURCES_ENABLED is off"
    if not settings.get("REDIS_URL"):
        return "resource-aware scheduling needs the shared frontier (REDIS_URL)"
    return None


def nice_setting(settings: BaseSettings) -> int:
    """``RESOURCES_NICE`` as a niceness, or a ``ConfigError`` that names the bad value."""
    value = settings.get("RESOURCES_NICE")
    try:
        nice = int(value)
    except (TypeError, ValueError):
        nice = -1
    if not 0 <= nice <= 19 or isinstance(value, float):
        raise ConfigError(f"RESOURCES_NICE must be a whole number from 0 to 19, not {value!r}")
    return nice


class ResourceAwareAddon:
    """Resource-aware scheduling for every spider on the shared frontier: its defaults and
    ``ResourceAwareMiddleware``, which heartbeats, throttles and obeys pause flags; and the
    monitor's worker side (``benchcrawl/monitor/defaults.py``): the pages/min series in
    Redis and, with ``METRICS_PORT``, a Prometheus ``/metrics``. Needs
    the Redis frontier (``RedisFrontierAddon`` and ``REDIS_URL``); without ``REDIS_URL``
    the middleware switches itself off."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        apply_defaults(settings, resources_defaults)
        apply_defaults(settings, monitor_defaults)
        # RESOURCES_NICE as early as Scrapy lets any code run: the spider, the reactor and
        # the components are still to be imported and built, seconds of CPU that a node's
        # other work would otherwise share half and half (bench/resource_aware.py)
        if resource_aware_off(settings) is None:
            try:
                renice(nice_setting(settings))
            except OSError:  # the middleware says so, once logging is set up
                pass

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
