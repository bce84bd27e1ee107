"""The frontier's Lua scripts, registered on a Redis client (``lua/_lib.lua`` prepended)."""

from __future__ import annotations

import redis
from redis.commands.core import Script

from benchcrawl import lua

# the lease protocol's Lua library: every script that leases, commits or releases starts with it
LIBRARY = ("benchcrawl.frontier", "_lib.lua")


def register(server: redis.Redis, name: str) -> Script:
    return lua.register(server, "benchcrawl.frontier", LIBRARY, f"{name}.lua")
