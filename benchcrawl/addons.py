"""Scrapy add-ons: settings that depend on other settings, applied once at start."""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

ACK_MIDDLEWARE_ORDER = 10  # closest to the engine: sees each callback's final output


class RedisFrontierAddon:
    """With ``REDIS_URL`` set, spiders share benchcrawl's Redis frontier (leased queue,
    JSON requests, Redis dedup, cluster-wide idle close); without it, Scrapy's own
    scheduler runs, the single-machine default."""

    def update_settings(self, settings: BaseSettings) -> None:
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
