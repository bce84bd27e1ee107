"""The frontier's Lua scripts, registered on a Redis client (``lua/_lib.lua`` prepended)."""

from __future__ import annotations

import redis
from redis.commands.core import Script

from benchcrawl import lua


def register(server: redis.Redis, name: str) -> Script:
    return lua.register(server, "benchcrawl.frontier", "_lib.lua", f"{name}.lua")
