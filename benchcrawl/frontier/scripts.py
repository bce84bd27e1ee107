"""The frontier's Lua scripts, registered on a Redis client (``lua/_lib.lua`` prepended)."""

from __future__ import annotations

from pathlib import Path

import redis
from redis.commands.core import Script

_LUA = Path(__file__).with_name("lua")


def register(server: redis.Redis, name: str) -> Script:
    source = (_LUA / "_lib.lua").read_text() + "\n" + (_LUA / f"{name}.lua").read_text()
    return server.register_script(source)
