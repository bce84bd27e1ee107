"""One spider's Redis keys as the monitor and the worker metrics read them, from the
spider's settings (its own defaults and the add-ons' applied)."""

from __future__ import annotations

from typing import Any

import redis

from benchcrawl.connection import key_scope
from benchcrawl.frontier.factory import InspectedFrontier
from benchcrawl.frontier.interface import FrontierKeys
from benchcrawl.monitor.cluster import SpiderKeys
from benchcrawl.resources.board import BoardKeys


def spider_keys(settings: Any, name: str, server: redis.Redis) -> SpiderKeys:
    scope = key_scope(server, name)
    keys = FrontierKeys.from_settings(settings, scope)
    queue = InspectedFrontier(server, settings, name)
    board = BoardKeys(
        scope,
        settings["RESOURCES_NODE_KEY"],
        settings["RESOURCES_NODES_KEY"],
        settings["RESOURCES_PAUSE_KEY"],
        settings["RESOURCES_CLUSTER_PAUSE_KEY"],
    )
    sweep = settings.get("INFERENCEMAX_SWEEP_KEY")
    # the scheduler's keys, where the command applied its defaults (the monitor does)
    next_key, runs_key = settings.get("SCHEDULE_NEXT_KEY"), settings.get("SCHEDULE_RUNS_KEY")
    names = {"spider": scope}
    return SpiderKeys(
        name=name,
        frontier=keys,
        board=board,
        series=settings["MONITOR_SERIES_KEY"],
        sweep=sweep % names if sweep else None,
        queue=queue,
        scope=scope,
        heartbeat_interval=settings.getfloat("RESOURCES_HEARTBEAT_INTERVAL"),
        lost_after=settings.getint("MONITOR_LOST_AFTER"),
        schedule=(next_key % names, runs_key % names) if next_key and runs_key else None,
    )
