"""The one loader of benchcrawl's Lua scripts.

A script is one or more ``.lua`` files from a package's ``lua/`` folder, joined in order (a
shared library such as ``frontier/lua/_lib.lua`` first), and registered on a Redis client.
The files are read with :mod:`importlib.resources`, so they load the same from a source
checkout, a wheel or the zipped egg that scrapyd runs.
"""

from __future__ import annotations

from importlib.resources import files

import redis
from redis.commands.core import Script


def source(package: str, *names: str) -> str:
    """The text of ``package``'s ``lua/<name>`` files, joined in order by newlines."""
    if not names:
        raise ValueError("give at least one Lua file name")
    folder = files(package).joinpath("lua")
    return "\n".join(folder.joinpath(name).read_text(encoding="utf-8") for name in names)


def register(server: redis.Redis, package: str, *names: str) -> Script:
    """``package``'s ``lua/<name>`` files, joined, as a script registered on *server*."""
    return server.register_script(source(package, *names))
